package io.kvsgateway.local;

import java.util.Map;

/**
 * What the embedded KVS counted per stream against its quotas, read-only: the fragment quota points consumed (as
 * CloudWatch's {@code ArchivedFragmentsConsumed.Metadata} and {@code .Media}) and the requests it throttled. Tests
 * and simulations read it to check that a client stayed inside the quotas.
 */
public interface LocalQuotaUsage {

	/**
	 * @param streamName must not be {@literal null}
	 * @return the stream's counts since it was last tracked (zeros for an untracked stream); never {@literal null}
	 */
	Usage of(String streamName);

	/**
	 * One stream's counts.
	 *
	 * @param streamName the stream
	 * @param metadataPoints fragment-metadata points consumed by accepted requests
	 * @param mediaPoints fragment-media points consumed by accepted requests
	 * @param throttled requests refused with {@code ClientLimitExceededException}, by KVS operation name (per-stream
	 * and per-session limits alike); operations never refused are absent
	 */
	record Usage(String streamName, long metadataPoints, long mediaPoints, Map<String, Long> throttled) {

		public Usage {
			throttled = Map.copyOf(throttled);
		}

		/** @return every throttled request of the stream */
		public long throttledTotal() {
			return throttled.values().stream().mapToLong(Long::longValue).sum();
		}

	}

}
