package io.kvsgateway.quota;

import java.time.Instant;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code quotaStore} health: UP on the local store and on Redis; while Redis cannot be reached, per
 * {@code gateway.quota.redis-unavailable}: {@link #DEGRADED} when the replica still decides (local budgets, or
 * admitting everything), which the default status order leaves out of the overall status, or OUT_OF_SERVICE when it
 * refuses every session ({@code reject}), which takes the instance out of service.
 */
class QuotaStoreHealthIndicator implements HealthIndicator {

	/** Serving, but not as configured: budgets are not shared, or not kept at all. */
	static final Status DEGRADED = new Status("DEGRADED", "the shared quota store cannot be reached");

	private final QuotaStore store;

	QuotaStoreHealthIndicator(QuotaStore store) {
		this.store = store;
	}

	@Override
	public Health health() {
		if (!(store instanceof FailoverQuotaStore redis)) {
			return Health.up().withDetail("store", "local").build();
		}
		redis.probe();
		Instant since = redis.fallbackSince();
		Health.Builder health = since == null ? Health.up()
				: Health.status(redis.choice() == QuotaProperties.RedisUnavailable.REJECT ? Status.OUT_OF_SERVICE
						: DEGRADED);
		health.withDetail("store", "redis").withDetail("redis", redis.address());
		if (since != null) {
			health.withDetail("fallback", redis.choiceName())
				.withDetail("since", since.toString())
				.withDetail("replicas", redis.replicas());
		}
		String error = redis.lastError();
		if (error != null) {
			health.withDetail("lastError", error);
		}
		return health.build();
	}

}
