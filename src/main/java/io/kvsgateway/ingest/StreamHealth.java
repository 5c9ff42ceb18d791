package io.kvsgateway.ingest;

import java.util.Optional;

/**
 * What ingest has learned about a stream's playability from the media cameras sent: KVS accepts video without codec
 * private data but refuses to play it ({@code MissingCodecPrivateDataException}) only when a viewer asks, long after;
 * the gateway says so as soon as the media arrives. Kept in memory by the replica that received the upload.
 */
public interface StreamHealth {

	/**
	 * @param streamName a stream name; must not be {@literal null}
	 * @return why the stream's latest ingested media cannot be played back, or empty when it can or nothing was
	 * ingested through this gateway; never {@literal null}
	 */
	Optional<String> notPlayableReason(String streamName);

}
