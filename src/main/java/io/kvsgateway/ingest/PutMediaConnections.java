package io.kvsgateway.ingest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * The streams with an open camera PutMedia on this gateway: KVS allows one per stream, and a second one is refused
 * before a byte of it is read. Per replica; across replicas, upstream KVS refuses the second upload itself.
 */
@Component
class PutMediaConnections {

	private final Set<String> open = ConcurrentHashMap.newKeySet();

	/** @return whether the stream was free and is now held by the caller, who must {@link #release} it */
	boolean claim(String streamName) {
		return open.add(streamName);
	}

	void release(String streamName) {
		open.remove(streamName);
	}

}
