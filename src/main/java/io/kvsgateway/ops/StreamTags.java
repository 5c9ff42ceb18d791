package io.kvsgateway.ops;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.kvsgateway.kvs.StreamNames;

/**
 * Which streams get a {@code stream} tag of their own on the per-stream metrics: at most {@code maxStreams}, first
 * come first kept for the life of the process (a counter's series must not change hands), and only those the include
 * patterns cover; every other stream is counted under {@value #OTHER}, so the totals stay right while the number of
 * series stays bounded however many cameras there are.
 */
final class StreamTags {

	/**
	 * The tag of every stream without its own. The leading underscore keeps it apart from typical stream names; KVS
	 * allows it in a name, so avoid naming a stream {@code _other}.
	 */
	static final String OTHER = "_other";

	private final int maxStreams;

	private final Predicate<String> included;

	private final Set<String> tagged = ConcurrentHashMap.newKeySet();

	/** Set once every slot is taken, so that the untagged majority costs one volatile read and a set lookup. */
	private volatile boolean full;

	/**
	 * @param maxStreams how many streams may have their own tag
	 * @param include stream names or {@code *}-patterns that may; empty for every stream
	 */
	StreamTags(int maxStreams, List<String> include) {
		this.maxStreams = maxStreams;
		this.included = matcher(include);
		this.full = maxStreams == 0;
	}

	/** @return the stream's tag value: its name, or {@value #OTHER} */
	String tag(String streamName) {
		if (tagged.contains(streamName)) {
			return streamName;
		}
		if (full || !StreamNames.isValid(streamName) || !included.test(streamName)) {
			return OTHER;
		}
		synchronized (this) {
			if (tagged.contains(streamName)) {
				return streamName;
			}
			if (tagged.size() >= maxStreams) {
				full = true;
				return OTHER;
			}
			tagged.add(streamName);
			full = tagged.size() >= maxStreams;
			return streamName;
		}
	}

	/** @return a test for the stream names that {@code patterns} (names or {@code *}-patterns) cover; all if none */
	static Predicate<String> matcher(List<String> patterns) {
		if (patterns.isEmpty()) {
			return any -> true;
		}
		StringBuilder regex = new StringBuilder();
		for (String pattern : patterns) {
			if (!regex.isEmpty()) {
				regex.append('|');
			}
			String[] parts = pattern.split("\\*", -1);
			for (int i = 0; i < parts.length; i++) {
				if (i > 0) {
					regex.append(".*");
				}
				regex.append(Pattern.quote(parts[i]));
			}
		}
		Pattern compiled = Pattern.compile(regex.toString());
		return name -> compiled.matcher(name).matches();
	}

}
