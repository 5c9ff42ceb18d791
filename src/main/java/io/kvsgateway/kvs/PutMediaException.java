package io.kvsgateway.kvs;

import org.jspecify.annotations.Nullable;

/** A PutMedia upload failed: KVS refused it, or the connection was lost before KVS ended its response. */
public abstract sealed class PutMediaException extends RuntimeException {

	private PutMediaException(String message, @Nullable Throwable cause) {
		super(message, cause, false, false);
	}

	/**
	 * KVS answered the request with an error status and error type instead of an ACK stream.
	 */
	public static final class Refused extends PutMediaException {

		private final int status;

		private final String errorType;

		Refused(int status, String errorType, String message) {
			super(errorType + " (HTTP " + status + "): " + message, null);
			this.status = status;
			this.errorType = errorType;
		}

		/** @return the HTTP status KVS answered with */
		public int status() {
			return status;
		}

		/**
		 * @return the KVS error type from {@code x-amzn-ErrorType}, for example {@code ConnectionLimitExceededException}
		 * or {@code ResourceNotFoundException}; empty when KVS sent none
		 */
		public String errorType() {
			return errorType;
		}

	}

	/** The connection failed, timed out, was aborted, or ended before the body did. */
	public static final class ConnectionFailed extends PutMediaException {

		ConnectionFailed(String message, @Nullable Throwable cause) {
			super(message, cause);
		}

	}

}
