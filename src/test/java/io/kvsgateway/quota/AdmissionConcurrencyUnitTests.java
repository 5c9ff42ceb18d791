package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static io.kvsgateway.quota.QuotaTestSupport.onDemandDash;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.kvsgateway.quota.QuotaTestSupport.MutableClock;

class AdmissionConcurrencyUnitTests {

	private static final int THREADS = 8;

	private static final int ATTEMPTS = 20_000;

	private static final int VIEWERS = 20;

	private final MutableClock clock = new MutableClock();

	@Test
	void manyThreadsAdmittingAndReleasingNeverReserveMoreThanTheStreamHas() throws Exception {
		// Session URLs are not the limit here: every thread races for the same media and metadata.
		QuotaProperties properties = new QuotaProperties(null, 0.0, null,
				Map.of("lobby", new QuotaProperties.Capacities(null, null, 1_000_000.0, null)), 0.5, null, null, null,
				null);
		Admission admission = new Admission(properties, new LocalQuotaStore(100), clock);
		Map<String, Lease> held = new ConcurrentHashMap<>();
		List<String> violations = new CopyOnWriteArrayList<>();
		AtomicInteger granted = new AtomicInteger();
		AtomicInteger ids = new AtomicInteger();
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				workers.add(pool.submit(() -> {
					start.await();
					ThreadLocalRandom random = ThreadLocalRandom.current();
					List<String> mine = new ArrayList<>();
					for (int i = 0; i < ATTEMPTS; i++) {
						if (i % 20 == 0) {
							clock.advance(Duration.ofMillis(1));
						}
						int dice = random.nextInt(10);
						if (dice < 4 && !mine.isEmpty()) {
							String sessionId = mine.remove(random.nextInt(mine.size()));
							if (admission.release(sessionId) != null) {
								held.remove(sessionId);
							}
						}
						else if (dice < 5) {
							admission.debit("lobby", random.nextInt(500), random.nextInt(20));
						}
						else {
							SessionProfile profile = dice < 6 ? onDemandDash(100, 1) : liveHls(5, 2);
							String sessionId = "s" + ids.incrementAndGet();
							Decision decision = admission.admit(new AdmissionRequest("lobby",
									"viewer-" + random.nextInt(VIEWERS), sessionId, profile,
									clock.instant().plus(Duration.ofHours(1))));
							if (decision instanceof Decision.Granted grant) {
								held.put(sessionId, grant.lease());
								mine.add(sessionId);
								granted.incrementAndGet();
							}
						}
					}
					return null;
				}));
			}
			Future<?> monitor = pool.submit(() -> {
				start.await();
				while (running.get()) {
					for (StreamQuota quota : admission.snapshot()) {
						for (Budget budget : List.of(Budget.FRAGMENT_METADATA, Budget.FRAGMENT_MEDIA)) {
							StreamQuota.Usage usage = quota.usage().get(budget);
							if (usage.reserved() > usage.capacity() || usage.reserved() < 0) {
								violations.add(budget + " reserved " + usage.reserved() + " of " + usage.capacity());
							}
						}
					}
				}
				return null;
			});
			start.countDown();
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
			running.set(false);
			monitor.get(10, TimeUnit.SECONDS);
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(violations).isEmpty();
		assertThat(granted.get()).as("enough were granted for the budget to be contended").isGreaterThan(1000);
		// What the test believes is held (granted, not released, media not yet loaded) is exactly what the store holds
		// once released and loaded sessions have drained their second, and within the stream's and each viewer's
		// budget.
		Instant now = clock.instant();
		clock.advance(Duration.ofSeconds(1));
		double metadata = 0;
		double media = 0;
		Map<String, double[]> perViewer = new HashMap<>();
		for (Lease lease : held.values()) {
			double leaseMedia = lease.mediaUntil().isAfter(now) ? lease.mediaPointsPerSecond() : 0;
			metadata += lease.metadataPointsPerSecond();
			media += leaseMedia;
			double[] viewer = perViewer.computeIfAbsent(lease.viewer(), any -> new double[2]);
			viewer[0] += lease.metadataPointsPerSecond();
			viewer[1] += leaseMedia;
		}
		StreamQuota quota = admission.snapshot().get(0);
		assertThat(quota.usage().get(Budget.FRAGMENT_METADATA).reserved()).isEqualTo(metadata);
		assertThat(quota.usage().get(Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(media);
		assertThat(media).isLessThanOrEqualTo(500);
		assertThat(metadata).isLessThanOrEqualTo(10_000);
		assertThat(perViewer.values()).allSatisfy(viewer -> {
			assertThat(viewer[0]).isLessThanOrEqualTo(5_000);
			assertThat(viewer[1]).isLessThanOrEqualTo(250);
		});
		assertThat(quota.rejections()).containsKey(Budget.FRAGMENT_MEDIA);
	}

	@Test
	void streamsComingAndGoingFromManyThreadsStayWithinTheTrackingBound() throws Exception {
		Admission admission = new Admission(QuotaTestSupport.properties(0, 1), new LocalQuotaStore(8), clock);
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		AtomicInteger ids = new AtomicInteger();
		AtomicInteger untracked = new AtomicInteger();
		List<String> kept = new CopyOnWriteArrayList<>();
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				workers.add(pool.submit(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					for (int i = 0; i < 2000; i++) {
						clock.advance(Duration.ofMillis(1));
						String stream = "stream-" + random.nextInt(32);
						if (random.nextBoolean()) {
							admission.tryAcquire(stream, Budget.DATA_ENDPOINT);
							continue;
						}
						String sessionId = "s" + ids.incrementAndGet();
						Decision decision = admission.admit(new AdmissionRequest(stream, "ann", sessionId,
								liveHls(5, 1), clock.instant().plus(Duration.ofHours(1))));
						if (decision instanceof Decision.Rejected rejected
								&& rejected.budget() == Budget.TRACKED_STREAMS) {
							untracked.incrementAndGet();
						}
						else if (decision instanceof Decision.Granted) {
							// Most viewers leave at once, so that streams fall idle and can be forgotten.
							if (random.nextInt(20) == 0) {
								kept.add(sessionId);
							}
							else {
								assertThat(admission.release(sessionId)).isNotNull();
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(untracked.get()).as("more streams than the store may track were asked for").isPositive();
		assertThat(admission.snapshot()).hasSizeLessThanOrEqualTo(8);
		for (String sessionId : kept) {
			assertThat(admission.release(sessionId)).as(sessionId).isNotNull();
		}
		clock.advance(Duration.ofSeconds(1)); // released budgets drain for a second
		assertThat(admission.snapshot()).allSatisfy(quota -> {
			assertThat(quota.activeLeases()).isZero();
			assertThat(quota.usage().get(Budget.FRAGMENT_MEDIA).reserved()).isZero();
			assertThat(quota.usage().get(Budget.FRAGMENT_METADATA).reserved()).isZero();
		});
	}

}
