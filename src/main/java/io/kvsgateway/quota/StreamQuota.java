package io.kvsgateway.quota;

import java.util.Map;

/**
 * One stream's budgets at a moment, for {@code /actuator/quotas}.
 *
 * @param streamName the stream
 * @param usage per budget (fragment metadata, fragment media, session URLs, data endpoint): what is reserved and
 * left
 * @param activeLeases sessions that still hold a reservation, including ended ones draining their last second
 * @param rejections rejections since the stream was first tracked, per budget
 */
public record StreamQuota(String streamName, Map<Budget, Usage> usage, int activeLeases,
		Map<Budget, Long> rejections) {

	/**
	 * @param capacity what admission may use per second (after the safety margin)
	 * @param reserved what sustained leases hold per second (0 for the call-rate budgets)
	 * @param available what the budget's token bucket holds now for one-time use (bursts, debits), or for a call-rate
	 * budget what the last second's calls leave of the capacity
	 */
	public record Usage(double capacity, double reserved, double available) {

	}

}
