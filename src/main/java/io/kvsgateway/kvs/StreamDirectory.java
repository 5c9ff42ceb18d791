package io.kvsgateway.kvs;

import java.util.List;

/** The streams KVS knows. */
public interface StreamDirectory {

	/**
	 * Lists every stream, following KVS paging.
	 *
	 * @return the streams sorted by name, never {@literal null}
	 * @throws KvsException when KVS refuses or cannot be reached
	 */
	List<StreamSummary> streams();

	/**
	 * Describes one stream.
	 *
	 * @param streamName a valid KVS stream name
	 * @return the stream, never {@literal null}
	 * @throws KvsException.StreamNotFound when KVS does not know it
	 */
	StreamSummary describe(String streamName);

}
