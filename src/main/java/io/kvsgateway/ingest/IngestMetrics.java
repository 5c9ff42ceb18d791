package io.kvsgateway.ingest;

import io.kvsgateway.putmedia.AckError;

/**
 * What camera ingest reports for the metrics that mirror KVS's PutMedia CloudWatch metrics (developer guide,
 * "Monitor Amazon Kinesis Video Streams metrics with CloudWatch"). A port: the {@code ops} module implements it with
 * Micrometer and decides how streams are tagged; ingest only says what happened. A connection looks its stream up
 * once, so the per-fragment calls are plain counter and timer updates.
 */
public interface IngestMetrics {

	/** @return the meters of one stream, for a connection to keep while it lasts */
	Stream stream(String streamName);

	/**
	 * A PutMedia connection could not be established ({@code PutMedia.ConnectionErrors}).
	 *
	 * @param streamName the {@code x-amzn-stream-name} header, possibly missing or invalid
	 * @param errorType the {@code x-amzn-ErrorType} the camera was answered with
	 */
	void connectionError(String streamName, String errorType);

	/** One stream's meters; every method is called on the hot path and must not block. */
	interface Stream {

		/** A PutMedia connection was accepted ({@code PutMedia.Requests}). */
		void connected();

		/** Bytes of the camera's body read ({@code PutMedia.IncomingBytes}). */
		void bytes(long count);

		/**
		 * A complete fragment was read, refused or not ({@code PutMedia.IncomingFragments} and
		 * {@code PutMedia.IncomingFrames}).
		 */
		void fragment(int frames);

		/**
		 * A BUFFERING ACK went out this long after the fragment's start was read
		 * ({@code PutMedia.BufferingAckLatency}).
		 */
		void bufferingAck(long nanos);

		/**
		 * A RECEIVED ACK went out this long after the fragment's last byte was read
		 * ({@code PutMedia.ReceivedAckLatency}).
		 */
		void receivedAck(long nanos);

		/**
		 * A PERSISTED ACK went out this long after the fragment's last byte was read
		 * ({@code PutMedia.PersistedAckLatency}).
		 */
		void persistedAck(long nanos);

		/** An ERROR ACK was issued ({@code PutMedia.ErrorAckCount}). */
		void errorAck(AckError error);

	}

}
