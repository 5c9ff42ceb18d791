package io.kvsgateway.kvs;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * KVS refused a call or could not be reached. Each subtype is one answer a viewer can act on; the KVS error code is
 * kept for operators.
 */
public abstract sealed class KvsException extends RuntimeException {

	private final @Nullable String errorCode;

	private KvsException(String message, @Nullable String errorCode, @Nullable Throwable cause) {
		super(message, cause, false, false);
		this.errorCode = errorCode;
	}

	/** @return the KVS error type (for example {@code InvalidArgumentException}), or {@literal null} for a transport failure */
	public @Nullable String errorCode() {
		return errorCode;
	}

	/** KVS does not know the stream, or (LIVE) has no recent media for it: {@code ResourceNotFoundException}. */
	public static final class StreamNotFound extends KvsException {

		private final String streamName;

		StreamNotFound(String streamName, String message) {
			super(message, "ResourceNotFoundException", null);
			this.streamName = streamName;
		}

		/** @return the stream KVS could not find */
		public String streamName() {
			return streamName;
		}

	}

	/** KVS rejected a parameter: {@code InvalidArgumentException}. */
	public static final class ArgumentRejected extends KvsException {

		ArgumentRejected(String message) {
			super(message, "InvalidArgumentException", null);
		}

	}

	/** KVS throttled the call: {@code ClientLimitExceededException} or {@code ConnectionLimitExceededException}. */
	public static final class Throttled extends KvsException {

		private final Duration retryAfter;

		Throttled(String message, String errorCode, Duration retryAfter) {
			super(message, errorCode, null);
			this.retryAfter = retryAfter;
		}

		/** @return when the caller should try again */
		public Duration retryAfter() {
			return retryAfter;
		}

	}

	/**
	 * The stream exists but its media cannot be played: {@code NoDataRetentionException},
	 * {@code UnsupportedStreamMediaTypeException}, {@code MissingCodecPrivateDataException} or
	 * {@code InvalidCodecPrivateDataException}.
	 */
	public static final class StreamNotPlayable extends KvsException {

		StreamNotPlayable(String message, String errorCode) {
			super(message, errorCode, null);
		}

	}

	/**
	 * KVS refused a change for the state of the stream or the account rather than for a parameter:
	 * {@code ResourceInUseException} (the stream already exists), {@code AccountStreamLimitExceededException},
	 * {@code DeviceStreamLimitExceededException}, {@code TagsPerResourceExceededLimitException},
	 * {@code InvalidDeviceException} or {@code InvalidResourceFormatException}. All are HTTP 400 in KVS.
	 */
	public static final class Refused extends KvsException {

		Refused(String message, String errorCode) {
			super(message, errorCode, null);
		}

	}

	/** KVS refused the gateway's own credentials: a deployment problem, not the viewer's. */
	public static final class GatewayNotAuthorized extends KvsException {

		GatewayNotAuthorized(String message, String errorCode) {
			super(message, errorCode, null);
		}

	}

	/** KVS could not be reached, timed out or failed on its side. */
	public static final class Unavailable extends KvsException {

		private final Duration retryAfter;

		Unavailable(String message, @Nullable String errorCode, Duration retryAfter, @Nullable Throwable cause) {
			super(message, errorCode, cause);
			this.retryAfter = retryAfter;
		}

		/** @return when the caller should try again */
		public Duration retryAfter() {
			return retryAfter;
		}

	}

}
