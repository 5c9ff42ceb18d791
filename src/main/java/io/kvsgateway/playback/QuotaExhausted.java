package io.kvsgateway.playback;

import java.time.Duration;
import java.util.Locale;

import io.kvsgateway.quota.Budget;

/** A budget of the stream is full now: the request would push KVS into throttling the stream's viewers. */
final class QuotaExhausted extends RuntimeException {

	private final String streamName;

	private final Budget budget;

	private final Duration retryAfter;

	QuotaExhausted(String streamName, Budget budget, Duration retryAfter) {
		super("Stream " + streamName + " has no room left in its " + describe(budget) + " budget; try again later",
				null, false, false);
		this.streamName = streamName;
		this.budget = budget;
		this.retryAfter = retryAfter;
	}

	String streamName() {
		return streamName;
	}

	Budget budget() {
		return budget;
	}

	/** @return whole seconds to wait, rounded up, at least 1 */
	long retryAfterSeconds() {
		return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
	}

	private static String describe(Budget budget) {
		return budget.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
