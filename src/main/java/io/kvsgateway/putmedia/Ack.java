package io.kvsgateway.putmedia;

import org.jspecify.annotations.Nullable;

/**
 * One PutMedia acknowledgement event, rendered exactly as KVS sends it: one JSON object per line, members in KVS's
 * order, {@code FragmentTimecode} a number and {@code FragmentNumber} a string, for example
 * {@code {"EventType":"PERSISTED","FragmentTimecode":1597730826769,"FragmentNumber":"9134385233318148191523539"}}.
 *
 * @param type the event type
 * @param fragmentTimecode the fragment's Cluster timecode, or {@literal null} (IDLE, connection-level errors)
 * @param fragmentNumber the fragment number KVS assigned, or {@literal null} when none was assigned
 * @param error the error of an ERROR event, {@literal null} otherwise
 */
public record Ack(Type type, @Nullable Long fragmentTimecode, @Nullable String fragmentNumber,
		@Nullable AckError error) {

	public Ack {
		if ((type == Type.ERROR) != (error != null)) {
			throw new IllegalArgumentException("an ERROR ack, and only an ERROR ack, carries an error");
		}
		if (fragmentNumber != null && !fragmentNumber.chars().allMatch(c -> c >= '0' && c <= '9')) {
			throw new IllegalArgumentException("a fragment number is a decimal string");
		}
	}

	/** KVS's {@code EventType} values. */
	public enum Type {
		/** The first byte of a fragment arrived. */
		BUFFERING,
		/** The last byte of a fragment arrived. */
		RECEIVED,
		/** The fragment is durable. */
		PERSISTED,
		/** The fragment (or the connection) failed; see the error. */
		ERROR,
		/** No data arrived for a while; the connection is still open. */
		IDLE
	}

	public static Ack buffering(long timecode, String fragmentNumber) {
		return new Ack(Type.BUFFERING, timecode, fragmentNumber, null);
	}

	public static Ack received(long timecode, String fragmentNumber) {
		return new Ack(Type.RECEIVED, timecode, fragmentNumber, null);
	}

	public static Ack persisted(long timecode, String fragmentNumber) {
		return new Ack(Type.PERSISTED, timecode, fragmentNumber, null);
	}

	public static Ack error(@Nullable Long timecode, @Nullable String fragmentNumber, AckError error) {
		return new Ack(Type.ERROR, timecode, fragmentNumber, error);
	}

	public static Ack idle() {
		return new Ack(Type.IDLE, null, null, null);
	}

	/**
	 * @return the event as one line of KVS JSON, ending in a newline; hand-written because it is on the hot path of
	 * every fragment and every member is a number, a decimal string or a fixed name, so nothing needs escaping
	 */
	public String toJsonLine() {
		StringBuilder json = new StringBuilder(128).append("{\"EventType\":\"").append(type.name()).append('"');
		if (fragmentTimecode != null) {
			json.append(",\"FragmentTimecode\":").append(fragmentTimecode.longValue());
		}
		if (fragmentNumber != null) {
			json.append(",\"FragmentNumber\":\"").append(fragmentNumber).append('"');
		}
		if (error != null) {
			json.append(",\"ErrorId\":").append(error.id()).append(",\"ErrorCode\":\"").append(error.code()).append('"');
		}
		return json.append("}\n").toString();
	}

}
