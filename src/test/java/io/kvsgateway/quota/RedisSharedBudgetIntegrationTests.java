package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static io.kvsgateway.quota.QuotaTestSupport.onDemandDash;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kvsgateway.quota.QuotaTestSupport.MutableClock;
import io.kvsgateway.support.RedisServer;

/**
 * Two gateway replicas (two {@link Admission}s, each on its own {@link RedisQuotaStore} and connection) share one
 * stream's budget on one redis-server while several threads on each admit at once: together they fill it exactly and
 * never pass it.
 */
class RedisSharedBudgetIntegrationTests {

	private static final int THREADS_PER_REPLICA = 4;

	private static RedisServer redis;

	private final MutableClock clock = new MutableClock();

	private RedisQuotaStore first;

	private RedisQuotaStore second;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	@BeforeEach
	void twoReplicas() {
		redis.flushAll();
		first = QuotaTestSupport.redisStore(redis.url());
		second = QuotaTestSupport.redisStore(redis.url());
	}

	@AfterEach
	void closeStores() {
		first.close();
		second.close();
	}

	/** The default 5% margin, viewers unlimited, and session URLs out of the way: media is what runs out. */
	private static QuotaProperties properties() {
		return new QuotaProperties(null, 0.05, null,
				Map.of("lobby", new QuotaProperties.Capacities(null, null, 1_000_000.0, null)), 1.0, null, null, 2,
				null);
	}

	@Test
	void twoReplicasTogetherAdmitExactlyWhatOneStreamCarries() throws Exception {
		Admission one = new Admission(properties(), first, clock);
		Admission other = new Admission(properties(), second, clock);
		AtomicInteger granted = new AtomicInteger();
		AtomicInteger rejected = new AtomicInteger();
		AtomicInteger ids = new AtomicInteger();
		Instant expiry = clock.instant().plus(Duration.ofHours(1));

		run(List.of(one, other), admission -> {
			for (int i = 0; i < 60; i++) {
				int id = ids.incrementAndGet();
				Decision decision = admission.admit(
						new AdmissionRequest("lobby", "viewer-" + id, "session-" + id, liveHls(5, 2), expiry));
				if (decision instanceof Decision.Granted) {
					granted.incrementAndGet();
				}
				else {
					assertThat(decision).isInstanceOfSatisfying(Decision.Rejected.class,
							rejection -> assertThat(rejection.budget()).isEqualTo(Budget.FRAGMENT_MEDIA));
					rejected.incrementAndGet();
				}
			}
		});

		// 95% of 500 media points: 237 sessions of 2 points, as AdmissionUnitTests finds for one replica.
		assertThat(granted.get()).isEqualTo(237);
		assertThat(rejected.get()).isEqualTo(8 * 60 - 237);
		StreamQuota quota = one.snapshot().get(0);
		assertThat(quota.activeLeases()).isEqualTo(237);
		assertThat(quota.usage().get(Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(474);
		assertThat(other.snapshot()).isEqualTo(one.snapshot());
		assertThat(quota.rejections()).containsEntry(Budget.FRAGMENT_MEDIA, (long) rejected.get());
	}

	@Test
	void releasesOnOneReplicaFreeBudgetForTheOtherAndNothingIsLostOrDoubled() throws Exception {
		Admission one = new Admission(properties(), first, clock);
		Admission other = new Admission(properties(), second, clock);
		Map<String, Lease> held = new ConcurrentHashMap<>();
		AtomicInteger ids = new AtomicInteger();
		AtomicInteger granted = new AtomicInteger();

		run(List.of(one, other), admission -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			for (int i = 0; i < 300; i++) {
				if (i % 10 == 0) {
					// enough time passes for released budgets to drain their second and be granted again
					clock.advance(Duration.ofMillis(20));
				}
				List<String> sessions = new ArrayList<>(held.keySet());
				if (random.nextInt(10) < 4 && !sessions.isEmpty()) {
					// Either replica may release a session the other granted, as a load balancer would route it.
					String sessionId = sessions.get(random.nextInt(sessions.size()));
					Lease lease = held.remove(sessionId);
					if (lease != null) {
						assertThat(admission.release(sessionId)).isEqualTo(lease);
					}
				}
				else {
					int id = ids.incrementAndGet();
					SessionProfile profile = random.nextBoolean() ? liveHls(5, 2) : onDemandDash(100, 1);
					Decision decision = admission.admit(new AdmissionRequest("lobby", "viewer-" + random.nextInt(5),
							"s" + id, profile, clock.instant().plus(Duration.ofHours(1))));
					if (decision instanceof Decision.Granted grant) {
						held.put(grant.lease().sessionId(), grant.lease());
						granted.incrementAndGet();
					}
				}
			}
		});

		assertThat(granted.get()).as("enough grants for the budget to be contended").isGreaterThan(300);
		// Released and loaded sessions drain for a second; then the store holds exactly what the test believes.
		Instant now = clock.instant();
		clock.advance(Duration.ofSeconds(1));
		double media = held.values()
			.stream()
			.filter(lease -> lease.mediaUntil().isAfter(now))
			.mapToDouble(Lease::mediaPointsPerSecond)
			.sum();
		double metadata = held.values().stream().mapToDouble(Lease::metadataPointsPerSecond).sum();
		StreamQuota quota = other.snapshot().get(0);
		assertThat(quota.usage().get(Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(media).isLessThanOrEqualTo(475);
		assertThat(quota.usage().get(Budget.FRAGMENT_METADATA).reserved()).isCloseTo(metadata,
				org.assertj.core.data.Offset.offset(1e-6));
		assertThat(quota.rejections()).as("the budgets were contended").isNotEmpty();
		for (String sessionId : held.keySet()) {
			assertThat(one.release(sessionId)).as(sessionId).isNotNull();
		}
		clock.advance(Duration.ofSeconds(1));
		assertThat(one.snapshot().get(0).usage().get(Budget.FRAGMENT_MEDIA).reserved()).isZero();
		assertThat(one.snapshot().get(0).activeLeases()).isZero();
	}

	/** Runs the work on several threads per replica, all starting at once. */
	private static void run(List<Admission> replicas, Work work) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(replicas.size() * THREADS_PER_REPLICA);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (Admission admission : replicas) {
				for (int t = 0; t < THREADS_PER_REPLICA; t++) {
					workers.add(pool.submit(() -> {
						start.await();
						work.on(admission);
						return null;
					}));
				}
			}
			start.countDown();
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@FunctionalInterface
	private interface Work {

		void on(Admission admission) throws Exception;

	}

}
