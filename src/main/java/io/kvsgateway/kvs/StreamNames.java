package io.kvsgateway.kvs;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The KVS stream name rule (CreateStream: {@code [a-zA-Z0-9_.-]+}, 1–256 characters), checked before a name from a
 * viewer or a camera touches a KVS call, a log line or a header.
 */
public final class StreamNames {

	/** The rule as a viewer or camera reads it in an error. */
	public static final String RULE = "must match [a-zA-Z0-9_.-]{1,256}";

	private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,256}");

	private StreamNames() {
	}

	/**
	 * @param name a candidate, possibly {@literal null}
	 * @return whether KVS would accept it as a stream name
	 */
	public static boolean isValid(@Nullable String name) {
		return name != null && NAME.matcher(name).matches();
	}

}
