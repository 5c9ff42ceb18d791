package io.kvsgateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisURI;

/** Fixtures of the quota tests: a clock the test moves, properties and profiles. */
final class QuotaTestSupport {

	static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

	private QuotaTestSupport() {
	}

	/** Properties with the given margin and viewer share, every other setting at its default. */
	static QuotaProperties properties(double margin, double viewerShare) {
		return new QuotaProperties(null, margin, null, null, viewerShare, null, null, null, null);
	}

	/** No margin and no viewer share, so that the guide's figures apply exactly. */
	static QuotaProperties exactKvsQuotas() {
		return properties(0, 1);
	}

	static QuotaProperties withStreams(Map<String, QuotaProperties.Capacities> streams) {
		return new QuotaProperties(null, 0.0, null, streams, 1.0, null, null, null, null);
	}

	/** A Redis store on the given server; generous timeout, for tests that do not stop Redis. */
	static RedisQuotaStore redisStore(String url) {
		return redisStore(url, Duration.ofSeconds(5), Duration.ofSeconds(1));
	}

	static RedisQuotaStore redisStore(String url, Duration timeout, Duration reconnectDelay) {
		RedisURI uri = RedisURI.create(url);
		uri.setTimeout(timeout);
		return new RedisQuotaStore(uri, reconnectDelay);
	}

	static SessionProfile liveHls(int maxFragmentResults, int tracks) {
		return new SessionProfile(SessionProfile.Protocol.HLS, SessionProfile.PlaybackMode.LIVE, maxFragmentResults,
				tracks, Duration.ofSeconds(1));
	}

	static SessionProfile onDemandDash(int maxFragmentResults, int tracks) {
		return new SessionProfile(SessionProfile.Protocol.DASH, SessionProfile.PlaybackMode.ON_DEMAND,
				maxFragmentResults, tracks, Duration.ofSeconds(1));
	}

	/** A clock the test moves; safe to move from several threads. */
	static final class MutableClock extends Clock {

		private final AtomicLong nanos;

		MutableClock() {
			this(START);
		}

		MutableClock(Instant start) {
			this.nanos = new AtomicLong(Admission.nanos(start));
		}

		void advance(Duration duration) {
			nanos.addAndGet(duration.toNanos());
		}

		@Override
		public Instant instant() {
			long now = nanos.get();
			return Instant.ofEpochSecond(Math.floorDiv(now, 1_000_000_000L), Math.floorMod(now, 1_000_000_000L));
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

}
