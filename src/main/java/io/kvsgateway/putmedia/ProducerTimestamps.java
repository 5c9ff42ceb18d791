package io.kvsgateway.putmedia;

import java.time.Instant;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How a PutMedia connection's Cluster timecodes map to producer timestamps, from its {@code
 * x-amzn-fragment-timecode-type} and {@code x-amzn-producer-start-timestamp} headers.
 *
 * @param type ABSOLUTE: timecodes are milliseconds (TimecodeScale units) since the epoch; RELATIVE: since the start
 * @param start the producer start timestamp; required for RELATIVE
 */
public record ProducerTimestamps(TimecodeType type, @Nullable Instant start) {

	public ProducerTimestamps {
		if (type == TimecodeType.RELATIVE && start == null) {
			throw new IllegalArgumentException("RELATIVE timecodes need x-amzn-producer-start-timestamp");
		}
	}

	/** {@code x-amzn-fragment-timecode-type}. */
	public enum TimecodeType {
		ABSOLUTE, RELATIVE
	}

	/**
	 * @param timecodeType the header value, {@literal null} when absent (KVS's default is ABSOLUTE)
	 * @param startTimestamp the header value, {@literal null} when absent
	 * @return the mapping
	 * @throws IllegalArgumentException naming the header that is malformed
	 */
	public static ProducerTimestamps fromHeaders(@Nullable String timecodeType, @Nullable String startTimestamp) {
		TimecodeType type;
		try {
			type = timecodeType == null ? TimecodeType.ABSOLUTE
					: TimecodeType.valueOf(timecodeType.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE");
		}
		return new ProducerTimestamps(type, startTimestamp == null ? null : parseStart(startTimestamp.trim()));
	}

	/**
	 * Seconds since the epoch with an optional fraction. producer-c writes {@code "%llu.%llu"} with the milliseconds
	 * not zero-padded (kvs-wire-protocol.md), so a fraction of one to three digits is read as whole milliseconds
	 * ({@code 12.5} is 12 s 5 ms, as producer-c meant); longer fractions are decimal fractions of a second.
	 */
	static Instant parseStart(String text) {
		int dot = text.indexOf('.');
		try {
			long seconds = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
			if (dot < 0) {
				return Instant.ofEpochSecond(seconds);
			}
			String fraction = text.substring(dot + 1);
			if (fraction.isEmpty() || !fraction.chars().allMatch(Character::isDigit)) {
				throw new NumberFormatException(text);
			}
			if (fraction.length() <= 3) {
				return Instant.ofEpochSecond(seconds).plusMillis(Long.parseLong(fraction));
			}
			String nanos = (fraction + "000000000").substring(0, 9);
			return Instant.ofEpochSecond(seconds, Long.parseLong(nanos));
		}
		catch (NumberFormatException | java.time.DateTimeException e) {
			throw new IllegalArgumentException("x-amzn-producer-start-timestamp must be seconds since the epoch");
		}
	}

	/**
	 * @param timecode a Cluster timecode
	 * @param timecodeScale nanoseconds per timecode unit (Segment Info)
	 * @return the fragment's producer timestamp
	 */
	public Instant of(long timecode, long timecodeScale) {
		long nanos = Math.multiplyExact(timecode, timecodeScale);
		Instant base = type == TimecodeType.ABSOLUTE || start == null ? Instant.EPOCH : start;
		return base.plusNanos(nanos);
	}

}
