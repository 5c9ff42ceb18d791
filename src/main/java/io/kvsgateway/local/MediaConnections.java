package io.kvsgateway.local;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the open long-lived media connections per stream and refuses one past KVS's limit with
 * {@code ConnectionLimitExceededException} (developer guide, media API quotas: PutMedia 1 connection per stream,
 * GetMedia 3, GetMediaForFragmentList 5).
 */
class MediaConnections {

	/** The connection kinds KVS limits, with their per-stream limit. */
	enum Kind {

		PUT_MEDIA(1, "PutMedia"), GET_MEDIA(3, "GetMedia"), GET_MEDIA_FOR_FRAGMENT_LIST(5, "GetMediaForFragmentList");

		private final int limit;

		private final String operation;

		Kind(int limit, String operation) {
			this.limit = limit;
			this.operation = operation;
		}

	}

	private final Map<String, Integer> open = new ConcurrentHashMap<>();

	/**
	 * Takes one connection slot of a stream.
	 * @return the slot, to be closed when the connection ends
	 * @throws KvsError ConnectionLimitExceededException when the stream has no free slot of that kind
	 */
	Lease acquire(String streamId, Kind kind) {
		String key = kind + "/" + streamId;
		boolean[] granted = { false };
		open.compute(key, (k, count) -> {
			int current = (count == null) ? 0 : count;
			if (current >= kind.limit) {
				return count;
			}
			granted[0] = true;
			return current + 1;
		});
		if (!granted[0]) {
			throw KvsError.connectionLimitExceeded("The stream already has " + kind.limit + " open "
					+ kind.operation + " connection(s), the most it may have.");
		}
		return () -> open.computeIfPresent(key, (k, count) -> (count <= 1) ? null : count - 1);
	}

	/** One connection slot; closing it frees the slot. */
	interface Lease extends AutoCloseable {

		@Override
		void close();

	}

}
