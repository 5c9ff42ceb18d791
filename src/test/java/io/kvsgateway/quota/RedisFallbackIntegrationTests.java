package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.kvsgateway.quota.QuotaTestSupport.MutableClock;
import io.kvsgateway.support.RedisServer;

/**
 * Redis killed while the gateway runs: the store falls back as {@code gateway.quota.redis-unavailable} says, the
 * {@code quotaStore} health and the fallback gauge say so, and once Redis answers again the store uses it again.
 */
class RedisFallbackIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofMillis(200);

	private static final Duration RETRY = Duration.ofMillis(100);

	private final MutableClock clock = new MutableClock();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final List<AutoCloseable> closing = new ArrayList<>();

	private RedisServer redis;

	private int sessions;

	@BeforeEach
	void startRedis() {
		redis = RedisServer.start();
	}

	@AfterEach
	void stop() throws Exception {
		for (AutoCloseable closeable : closing) {
			closeable.close();
		}
		redis.close();
	}

	/** Two replicas, no margin, one viewer may take everything, session URLs out of the way. */
	private static QuotaProperties properties(QuotaProperties.RedisUnavailable choice, String url) {
		return new QuotaProperties(QuotaProperties.Store.REDIS, 0.0, null,
				Map.of("lobby", new QuotaProperties.Capacities(null, null, 1_000_000.0, null)), 1.0, null, null, 2,
				null, choice, new QuotaProperties.Redis(url, TIMEOUT, RETRY));
	}

	private FailoverQuotaStore store(QuotaProperties properties) {
		FailoverQuotaStore store = QuotaConfiguration.redisStore(properties, meters);
		closing.add(store);
		return store;
	}

	private Decision admit(Admission admission) {
		sessions++;
		return admission.admit(new AdmissionRequest("lobby", "viewer-" + sessions, "session-" + sessions,
				liveHls(5, 2), clock.instant().plus(Duration.ofHours(1))));
	}

	private double gauge() {
		return meters.get("kvs.gateway.quota.store.fallback").gauge().value();
	}

	private double errors() {
		return meters.get("kvs.gateway.quota.store.errors").counter().count();
	}

	@Test
	void fallsBackToItsShareOfEachBudgetAndReturnsToRedisWhenItAnswers() {
		QuotaProperties properties = properties(QuotaProperties.RedisUnavailable.LOCAL_FALLBACK, redis.url());
		FailoverQuotaStore store = store(properties);
		Admission admission = new Admission(properties, store, clock);
		QuotaStoreHealthIndicator health = new QuotaStoreHealthIndicator(store);
		for (int i = 0; i < 10; i++) {
			assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
		}
		assertThat(health.health().getStatus()).isEqualTo(Status.UP);
		assertThat(gauge()).isZero();

		// Given Redis crashes
		redis.kill();

		// Then this replica admits only its half of the 500 media points: 125 sessions of 2 points.
		List<Lease> fallbackLeases = new ArrayList<>();
		Decision decision;
		while ((decision = admit(admission)) instanceof Decision.Granted granted) {
			fallbackLeases.add(granted.lease());
		}
		assertThat(fallbackLeases).hasSize(125);
		assertThat(decision).isInstanceOfSatisfying(Decision.Rejected.class,
				rejected -> assertThat(rejected.budget()).isEqualTo(Budget.FRAGMENT_MEDIA));
		assertThat(admission.snapshot()).singleElement()
			.satisfies(quota -> assertThat(quota.usage().get(Budget.FRAGMENT_MEDIA).capacity()).isEqualTo(250));
		Health degraded = health.health();
		assertThat(degraded.getStatus()).isEqualTo(QuotaStoreHealthIndicator.DEGRADED);
		assertThat(degraded.getDetails()).containsEntry("fallback", "local-fallback")
			.containsEntry("replicas", 2)
			.containsKeys("since", "lastError");
		assertThat(gauge()).isOne();
		assertThat(errors()).isPositive();

		// When Redis is back (empty: it kept nothing on disk)
		redis.restart();

		// Then the store uses Redis again, and a lease granted during the outage is released where it lives.
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
			.until(() -> health.health().getStatus().equals(Status.UP));
		assertThat(gauge()).isZero();
		assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
		try (RedisQuotaStore direct = QuotaTestSupport.redisStore(redis.url())) {
			assertThat(direct.snapshot(Admission.nanos(clock.instant()))).singleElement()
				.satisfies(quota -> assertThat(quota.activeLeases()).as("the new lease is in Redis").isOne());
		}
		assertThat(admission.release(fallbackLeases.get(0).sessionId())).isEqualTo(fallbackLeases.get(0));
	}

	@Test
	void aRedisThatHangsCostsOneTimeoutThenTheFallbackAnswersAtOnce() {
		QuotaProperties properties = properties(QuotaProperties.RedisUnavailable.LOCAL_FALLBACK, redis.url());
		FailoverQuotaStore store = store(properties);
		Admission admission = new Admission(properties, store, clock);
		assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);

		redis.pause();
		long first = System.nanoTime();
		assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
		Duration detected = Duration.ofNanos(System.nanoTime() - first);
		long next = System.nanoTime();
		assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
		Duration fallback = Duration.ofNanos(System.nanoTime() - next);

		assertThat(detected).as("the command timeout").isBetween(TIMEOUT, TIMEOUT.multipliedBy(5));
		assertThat(fallback).as("no wait for Redis within the retry interval").isLessThan(TIMEOUT);
		assertThat(store.lastError()).contains("Timeout");
		assertThat(gauge()).isOne();

		redis.resume();
		QuotaStoreHealthIndicator health = new QuotaStoreHealthIndicator(store);
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
			.until(() -> health.health().getStatus().equals(Status.UP));
		assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
	}

	@Test
	void rejectingWhileRedisIsUnreachableRefusesWithTheStoreAsReasonAndTakesTheInstanceOutOfService() {
		redis.kill();
		QuotaProperties properties = properties(QuotaProperties.RedisUnavailable.REJECT, redis.url());
		FailoverQuotaStore store = store(properties);
		Admission admission = new Admission(properties, store, clock);

		assertThat(admit(admission)).isEqualTo(new Decision.Rejected(Budget.QUOTA_STORE, RETRY));
		assertThat(admission.tryAcquire("lobby", Budget.DATA_ENDPOINT))
			.isEqualTo(new Decision.Rejected(Budget.QUOTA_STORE, RETRY));
		assertThat(admission.debit("lobby", 1, 1)).isEqualTo(new Decision.Rejected(Budget.QUOTA_STORE, RETRY));
		Health health = new QuotaStoreHealthIndicator(store).health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("fallback", "reject");
		assertThat(gauge()).isOne();
	}

	@Test
	void admittingWhileRedisIsUnreachableAllowsEverythingWithoutCounting() {
		redis.kill();
		QuotaProperties properties = properties(QuotaProperties.RedisUnavailable.ADMIT, redis.url());
		FailoverQuotaStore store = store(properties);
		Admission admission = new Admission(properties, store, clock);

		Instant start = Instant.now();
		for (int i = 0; i < 300; i++) {
			assertThat(admit(admission)).isInstanceOf(Decision.Granted.class);
		}
		assertThat(Duration.between(start, Instant.now())).as("no call waits for Redis after the first")
			.isLessThan(Duration.ofSeconds(5));
		assertThat(admission.debit("lobby", 100_000, 100_000)).isEqualTo(Permit.ACQUIRED);
		assertThat(admission.snapshot()).isEmpty();
		assertThat(new QuotaStoreHealthIndicator(store).health().getStatus())
			.isEqualTo(QuotaStoreHealthIndicator.DEGRADED);
	}

}
