package io.kvsgateway.kvs;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** A stream's fragments in a time range, as KVS ListFragments reports them. */
public interface FragmentTimeline {

	/**
	 * Lists one page of fragments.
	 *
	 * @param query must not be {@literal null}
	 * @return the page, never {@literal null}
	 * @throws KvsException when KVS refuses or cannot be reached
	 */
	Page list(Query query);

	/**
	 * What to list.
	 *
	 * @param streamName a valid stream name
	 * @param selector which timestamps the range applies to
	 * @param start inclusive start
	 * @param end inclusive end
	 * @param maxResults page size, 1–1000
	 * @param nextToken KVS's token of the previous page, or {@literal null} for the first
	 */
	record Query(String streamName, PlaybackUrlRequest.FragmentSelectorType selector, Instant start, Instant end,
			int maxResults, @Nullable String nextToken) {
	}

	/**
	 * One page.
	 *
	 * @param fragments the fragments, in KVS's order
	 * @param nextToken token for the next page, {@literal null} on the last
	 */
	record Page(List<Fragment> fragments, @Nullable String nextToken) {
	}

	/**
	 * One fragment.
	 *
	 * @param fragmentNumber KVS's fragment number
	 * @param producerTimestamp the producer's timestamp
	 * @param serverTimestamp when KVS received it
	 * @param durationMillis its length
	 * @param sizeBytes its size
	 */
	record Fragment(String fragmentNumber, Instant producerTimestamp, Instant serverTimestamp, long durationMillis,
			long sizeBytes) {
	}

}
