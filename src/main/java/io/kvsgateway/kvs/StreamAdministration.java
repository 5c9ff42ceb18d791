package io.kvsgateway.kvs;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Creates and tags streams in KVS, for producers that create the stream they upload to. */
public interface StreamAdministration {

	/**
	 * Creates a stream (KVS {@code CreateStream}).
	 *
	 * @param request the stream to create
	 * @return the new stream's ARN, never {@literal null}
	 * @throws KvsException.Refused with {@code ResourceInUseException} when the stream exists, or another
	 * {@link KvsException} when KVS refuses or cannot be reached
	 */
	String createStream(NewStream request);

	/**
	 * Adds or replaces tags of a stream (KVS {@code TagStream}).
	 *
	 * @param streamName a valid stream name
	 * @param tags tag keys to values, at least one
	 * @throws KvsException.StreamNotFound when KVS does not know the stream
	 */
	void tagStream(String streamName, Map<String, String> tags);

	/** @return whether streams are created in the embedded KVS, so in no AWS account */
	boolean embedded();

	/**
	 * A {@code CreateStream} request, as a producer sends it.
	 *
	 * @param streamName the stream's name
	 * @param deviceName the producer's name, if given
	 * @param mediaType the media type (such as {@code video/h264}), if given
	 * @param kmsKeyId the KMS key for the stream's data, if given; KVS's own key otherwise
	 * @param dataRetentionInHours hours of media KVS keeps; 0 keeps none
	 * @param tags tags to give the stream, possibly none
	 */
	record NewStream(String streamName, @Nullable String deviceName, @Nullable String mediaType,
			@Nullable String kmsKeyId, int dataRetentionInHours, Map<String, String> tags) {

		public NewStream {
			tags = Map.copyOf(tags);
		}

	}

}
