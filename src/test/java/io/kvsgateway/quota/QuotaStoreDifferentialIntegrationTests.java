package io.kvsgateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kvsgateway.support.RedisServer;

/**
 * The Redis store against the local one, call for call: thousands of random reservations, releases, call-rate takes
 * and debits on two small, contended streams, with odd amounts (fractions of a point), odd times (sub-millisecond
 * steps, jumps past many ends at once), bursts larger than a bucket, capacities that change between calls and
 * duplicate sessions. Every answer and every snapshot must be the same, so the script does the local store's
 * arithmetic exactly, not just on the worked examples.
 */
class QuotaStoreDifferentialIntegrationTests {

	private static final long MICRO = SessionCost.MICRO;

	private static final long MILLI = 1_000_000L;

	private static final List<String> STREAMS = List.of("lobby", "yard");

	private static RedisServer redis;

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
	void emptyRedis() {
		redis.flushAll();
	}

	@ParameterizedTest
	@ValueSource(longs = { 1, 2, 3 })
	void decidesExactlyAsTheLocalStore(long seed) {
		Random random = new Random(seed);
		LocalQuotaStore local = new LocalQuotaStore(100);
		try (RedisQuotaStore shared = QuotaTestSupport.redisStore(redis.url())) {
			long now = Admission.nanos(QuotaTestSupport.START) + random.nextInt(1_000_000_000);
			Capacity normal = new Capacity(50 * MICRO, 20 * MICRO, 10 * MICRO, 5 * MICRO, 30 * MICRO, 12 * MICRO);
			Capacity reduced = new Capacity(35 * MICRO + 333_333, 14 * MICRO + 1, 8 * MICRO, 3 * MICRO, 20 * MICRO,
					9 * MICRO);
			List<String> sessions = new ArrayList<>();
			// When each granted session's last reservation ends (it holds a lease until then), until released.
			Map<String, Long> holding = new HashMap<>();
			Map<String, String> streamOf = new HashMap<>();
			int granted = 0;
			int rejected = 0;
			int duplicates = 0;
			for (int step = 0; step < 3000; step++) {
				now += random.nextInt(10) == 0 ? random.nextLong(3_000 * MILLI) : random.nextLong(60 * MILLI);
				String stream = STREAMS.get(random.nextInt(STREAMS.size()));
				Capacity capacity = random.nextInt(20) == 0 ? reduced : normal;
				int dice = random.nextInt(100);
				String what = "step " + step + " (seed " + seed + ")";
				if (dice < 50) {
					String sessionId = "s" + step;
					String held = null;
					for (Map.Entry<String, Long> entry : holding.entrySet()) {
						if (entry.getValue() > now) {
							held = entry.getKey();
						}
					}
					if (dice < 2 && held != null) {
						sessionId = held; // a session that holds a lease, on its own stream or another
					}
					Reservation reservation = reservation(random, sessionId, now);
					long at = now;
					Object expected = outcome(() -> local.reserve(stream, capacity, reservation, at));
					assertThat(outcome(() -> shared.reserve(stream, capacity, reservation, at))).as(what)
						.isEqualTo(expected);
					if (sessionId.equals(held) && stream.equals(streamOf.get(held))) {
						assertThat(expected).as("a second lease on the same stream is refused before any check")
							.isEqualTo(IllegalStateException.class);
					}
					if (expected.equals(IllegalStateException.class)) {
						duplicates++;
					}
					if (expected instanceof Decision.Granted) {
						granted++;
						sessions.add(sessionId);
						streamOf.put(sessionId, stream);
						long end = Math.max(reservation.metadataPerSecond() > 0 ? reservation.metadataUntil() : 0,
								reservation.mediaPerSecond() > 0 ? reservation.mediaUntil() : 0);
						holding.put(sessionId, end);
					}
					else if (expected instanceof Decision.Rejected rejection) {
						rejected++;
						local.rejected(stream, rejection.budget());
						shared.rejected(stream, rejection.budget());
					}
				}
				else if (dice < 65) {
					String sessionId = sessions.isEmpty() || random.nextInt(10) == 0 ? "unknown-" + step
							: sessions.get(random.nextInt(sessions.size()));
					Lease expected = local.release(sessionId, now);
					assertThat(shared.release(sessionId, now)).as(what).isEqualTo(expected);
					if (expected != null) {
						holding.remove(sessionId);
					}
				}
				else if (dice < 80) {
					Budget budget = random.nextBoolean() ? Budget.SESSION_URLS : Budget.DATA_ENDPOINT;
					Permit expected = local.acquire(stream, capacity, budget, now);
					assertThat(shared.acquire(stream, capacity, budget, now)).as(what).isEqualTo(expected);
				}
				else if (dice < 95) {
					long metadata = random.nextInt(4) == 0 ? 0 : random.nextLong(70 * MICRO);
					long media = random.nextInt(3) == 0 ? 0 : random.nextLong(25 * MICRO);
					Permit expected = local.debit(stream, capacity, metadata, media, now);
					assertThat(shared.debit(stream, capacity, metadata, media, now)).as(what).isEqualTo(expected);
				}
				else {
					assertThat(shared.snapshot(now)).as(what).isEqualTo(local.snapshot(now));
				}
			}
			assertThat(shared.snapshot(now)).isEqualTo(local.snapshot(now));
			assertThat(granted).as("enough grants to mean something").isGreaterThan(200);
			assertThat(rejected).as("enough rejections to mean something").isGreaterThan(200);
			assertThat(duplicates).as("duplicate sessions were tried").isPositive();
		}
	}

	/** The decision, or the type of exception it threw. */
	private static Object outcome(Supplier<Decision> decision) {
		try {
			return decision.get();
		}
		catch (IllegalStateException ex) {
			return IllegalStateException.class;
		}
	}

	/** A session of odd rates and ends; sometimes nothing sustained, sometimes a burst larger than the bucket. */
	private static Reservation reservation(Random random, String sessionId, long now) {
		String viewer = "viewer-" + random.nextInt(4);
		long metadata = random.nextInt(5) == 0 ? 0 : random.nextLong(1, 15 * MICRO);
		long media = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 8 * MICRO);
		long expiresAt = now + random.nextLong(1, 20_000 * MILLI);
		long mediaUntil = random.nextBoolean() ? expiresAt : Math.min(expiresAt, now + random.nextLong(5_000 * MILLI));
		long burst = random.nextInt(3) == 0 ? random.nextLong(80 * MICRO) : 0;
		return new Reservation(sessionId, viewer, metadata, expiresAt, media, mediaUntil, burst, expiresAt);
	}

}
