package io.kvsgateway.quota;

import java.time.Clock;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Builds an {@link Admission} on the local or Redis store for the benchmarks in {@code io.kvsgateway.quota.bench}, which
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
		QuotaProperties properties = properties(ampleStream, fastUrlStream);
		return new Admission(properties, new LocalQuotaStore(properties.maxTrackedStreams()), clock);
	}

	/**
	 * As {@link #localAdmission}, on the Redis store (behind its fallback, as the application wires it).
	 * @param redisUrl {@code redis://host:port} of a running Redis
	 * @return admission and the store to close after the benchmark
	 */
	public static RedisAdmission redisAdmission(String redisUrl, String ampleStream, String fastUrlStream,
			Clock clock) {
		QuotaProperties base = properties(ampleStream, fastUrlStream);
		QuotaProperties properties = new QuotaProperties(QuotaProperties.Store.REDIS, base.safetyMargin(), null,
				base.streams(), base.maxViewerShare(), null, null, null, null, null,
				new QuotaProperties.Redis(redisUrl, null, null));
		FailoverQuotaStore store = QuotaConfiguration.redisStore(properties, new SimpleMeterRegistry());
		return new RedisAdmission(new Admission(properties, store, clock), store);
	}

	private static QuotaProperties properties(String ampleStream, String fastUrlStream) {
		QuotaProperties.Capacities ample = new QuotaProperties.Capacities(1_000_000.0, 1_000_000.0, 1_000_000.0,
				1_000_000.0);
		QuotaProperties.Capacities fastUrls = new QuotaProperties.Capacities(null, null, 1_000_000.0, null);
		return new QuotaProperties(null, 0.0, null, Map.of(ampleStream, ample, fastUrlStream, fastUrls), 1.0, null,
				null, null, null);
	}

	/** Admission on the Redis store, and the store's connection to close. */
	public static final class RedisAdmission implements AutoCloseable {

		private final Admission admission;

		private final FailoverQuotaStore store;

		RedisAdmission(Admission admission, FailoverQuotaStore store) {
			this.admission = admission;
			this.store = store;
		}

		public Admission admission() {
			return admission;
		}

		/** @return whether any call fell back because Redis could not be reached, which would void the figures */
		public boolean fellBack() {
			return store.fallbackSince() != null || store.lastError() != null;
		}

		@Override
		public void close() {
			store.close();
		}

	}

}
