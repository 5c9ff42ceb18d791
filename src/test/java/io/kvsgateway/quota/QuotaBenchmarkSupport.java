package io.kvsgateway.quota;

import java.time.Clock;
import java.util.Map;

/**
 * Builds an {@link Admission} on the local store for the benchmark in {@code io.kvsgateway.quota.bench}, which
 * cannot reach the package-private constructors; test code only, so the module's API does not grow.
 */
public final class QuotaBenchmarkSupport {

	private QuotaBenchmarkSupport() {
	}

	/**
	 * @param ampleStream a stream whose budgets are raised to 1,000,000 points and calls per second, so that a
	 * benchmark admitting as fast as it can measures the granted path rather than the session-URL limit
	 * @param fastUrlStream a stream with the KVS fragment budgets but 1,000,000 session URLs per second, so that a
	 * benchmark can fill it at once
	 * @param clock the time admission sees
	 * @return admission with the default budgets elsewhere, no margin and no viewer share
	 */
	public static Admission localAdmission(String ampleStream, String fastUrlStream, Clock clock) {
		QuotaProperties.Capacities ample = new QuotaProperties.Capacities(1_000_000.0, 1_000_000.0, 1_000_000.0,
				1_000_000.0);
		QuotaProperties.Capacities fastUrls = new QuotaProperties.Capacities(null, null, 1_000_000.0, null);
		QuotaProperties properties = new QuotaProperties(null, 0.0, null,
				Map.of(ampleStream, ample, fastUrlStream, fastUrls), 1.0, null, null, null, null);
		return new Admission(properties, new LocalQuotaStore(properties.maxTrackedStreams()), clock);
	}

}
