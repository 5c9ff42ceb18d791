package io.kvsgateway.kvs;

import java.time.Duration;
import java.util.Optional;

/**
 * A per-stream allowance of GetDataEndpoint calls that the gateway keeps itself: KVS allows 5 per second per stream
 * (developer guide, control plane quotas), and a burst of cache misses must not spend them for every other caller of
 * the stream. Provided by the quota scheduler's side of the application; without one, lookups are not limited here.
 * A refused lookup fails as KVS's own throttling would ({@link KvsException.Throttled}), which every caller already
 * answers: 429 for viewers, {@code ClientLimitExceededException} for cameras.
 */
public interface DataEndpointBudget {

	/**
	 * Takes one lookup from the stream's allowance.
	 * @param streamName must not be {@literal null}
	 * @return empty when the lookup may go ahead, else how long until it may; never {@literal null}
	 */
	Optional<Duration> take(String streamName);

}
