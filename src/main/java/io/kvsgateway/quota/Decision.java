package io.kvsgateway.quota;

import java.time.Duration;

/** The outcome of {@link Admission#admit}: granted, rejected for now, or too costly to ever fit. */
public sealed interface Decision permits Decision.Granted, Decision.Rejected, Decision.Unaffordable {

	/**
	 * The session fits; hand out its URL.
	 * @param lease what the session holds until it expires or is released
	 */
	record Granted(Lease lease) implements Decision {

	}

	/**
	 * A budget is full now; answer 429 with {@code Retry-After}.
	 * @param budget the budget that is full (when several are, the one that frees last)
	 * @param retryAfter when enough of it is expected to be free; always positive
	 */
	record Rejected(Budget budget, Duration retryAfter) implements Decision, Permit {

		public Rejected {
			if (retryAfter.isNegative() || retryAfter.isZero()) {
				throw new IllegalArgumentException("a rejection must say when to retry, was " + retryAfter);
			}
		}

	}

	/**
	 * The session alone needs more than the stream (or one viewer's share of it) can ever give: retrying will not
	 * help, a smaller {@code maxFragmentResults} might. Not a 429.
	 * @param budget the budget it exceeds
	 * @param requiredPerSecond the points per second the session would need
	 * @param availablePerSecond the points per second the stream (or the viewer's share) has at most
	 */
	record Unaffordable(Budget budget, double requiredPerSecond, double availablePerSecond) implements Decision {

	}

}
