package io.kvsgateway.local;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

/**
 * The per-session limits of the developer guide's "Video playback protocol API service quotas" table: GetHLSMasterPlaylist,
 * GetHLSMediaPlaylist, GetMP4InitFragment and GetDASHManifestPlaylist 5 TPS, GetMP4MediaFragment and GetTSFragment
 * 20 TPS, each counted per API and per session.
 * <p>
 * A request is refused when the API already served its limit within the last second (a sliding window, so that no
 * burst across a second boundary gets twice the rate). Sessions are forgotten when they expire, and at most
 * {@code maxSessions} are tracked.
 * <p>
 * A request the session may make is then charged to its stream's fragment quotas ({@link LocalQuotas}):
 * GetHLSMediaPlaylist and GetDASHManifest the session's {@code MaxMediaPlaylistFragmentResults} /
 * {@code MaxManifestFragmentResults} metadata points, GetMP4MediaFragment and GetTSFragment one media point. Every
 * HLS and DASH resource passes here first, so this is the one place that charges them.
 */
class SessionRateLimiter {

	/** The APIs of the table, with their limits. */
	enum Api {

		GET_HLS_MASTER_PLAYLIST(5, LocalQuotas.Api.GET_HLS_MASTER_PLAYLIST),
		GET_HLS_MEDIA_PLAYLIST(5, LocalQuotas.Api.GET_HLS_MEDIA_PLAYLIST),
		GET_MP4_INIT_FRAGMENT(5, LocalQuotas.Api.GET_MP4_INIT_FRAGMENT),
		GET_DASH_MANIFEST(5, LocalQuotas.Api.GET_DASH_MANIFEST),
		GET_MP4_MEDIA_FRAGMENT(20, LocalQuotas.Api.GET_MP4_MEDIA_FRAGMENT),
		GET_TS_FRAGMENT(20, LocalQuotas.Api.GET_TS_FRAGMENT);

		final int perSecond;

		final LocalQuotas.Api stream;

		Api(int perSecond, LocalQuotas.Api stream) {
			this.perSecond = perSecond;
			this.stream = stream;
		}

		/** Metadata and media points of one request (developer guide, the two quota consumption tables). */
		long[] points(StreamingSession session) {
			return switch (this) {
				case GET_HLS_MEDIA_PLAYLIST, GET_DASH_MANIFEST -> new long[] { session.maxFragmentResults(), 0 };
				case GET_MP4_MEDIA_FRAGMENT, GET_TS_FRAGMENT -> new long[] { 0, 1 };
				case GET_HLS_MASTER_PLAYLIST, GET_MP4_INIT_FRAGMENT -> new long[] { 0, 0 };
			};
		}

	}

	private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** Counts nothing and refuses nothing. */
	static final SessionRateLimiter UNLIMITED = new SessionRateLimiter(Clock.systemUTC(), 0) {

		@Override
		void acquire(StreamingSession session, Api api) {
		}

	};

	private final Clock clock;

	private final LocalQuotas quotas;

	private final boolean enforced;

	private final Cache<String, Windows> sessions;

	/** Per-session limits only, charging no stream quota. */
	SessionRateLimiter(Clock clock, int maxSessions) {
		this(clock, maxSessions, LocalQuotas.unlimited(clock), true);
	}

	/**
	 * @param quotas the stream quotas every accepted request is charged to
	 * @param enforced whether the per-session limits refuse requests ({@code gateway.local.enforce-quotas})
	 */
	SessionRateLimiter(Clock clock, int maxSessions, LocalQuotas quotas, boolean enforced) {
		this.clock = clock;
		this.quotas = quotas;
		this.enforced = enforced;
		this.sessions = Caffeine.newBuilder()
			.maximumSize(maxSessions)
			.ticker(() -> nanos(clock))
			.expireAfter(new Expiry<String, Windows>() {

				@Override
				public long expireAfterCreate(String key, Windows value, long currentTime) {
					return value.ttlNanos;
				}

				@Override
				public long expireAfterUpdate(String key, Windows value, long currentTime, long currentDuration) {
					return currentDuration;
				}

				@Override
				public long expireAfterRead(String key, Windows value, long currentTime, long currentDuration) {
					return currentDuration;
				}

			})
			.build();
	}

	/**
	 * Counts one request of a session to an API, then charges it to the session's stream.
	 * @throws KvsError ClientLimitExceededException when the session is over the API's limit or the stream over a
	 * fragment quota
	 */
	void acquire(StreamingSession session, Api api) {
		if (enforced) {
			Duration ttl = Duration.between(clock.instant(), session.expiresAt());
			Windows windows = sessions.get(session.sessionId(),
					id -> new Windows(Math.max(TimeUnit.SECONDS.toNanos(1), ttl.toNanos())));
			if (!windows.tryAcquire(api, nanos(clock))) {
				quotas.throttled(session.streamName(), api.stream);
				throw KvsError.clientLimitExceeded("The session exceeded the limit of " + api.perSecond
						+ " requests per second for this operation.");
			}
		}
		long[] points = api.points(session);
		if (points[0] > 0 || points[1] > 0) {
			quotas.consume(session.streamName(), api.stream, points[0], points[1]);
		}
	}

	long trackedSessions() {
		sessions.cleanUp();
		return sessions.estimatedSize();
	}

	private static long nanos(Clock clock) {
		var now = clock.instant();
		return now.getEpochSecond() * 1_000_000_000L + now.getNano();
	}

	/** The times of each API's most recent accepted requests, as ring buffers the size of the limit. */
	private static final class Windows {

		final long ttlNanos;

		private final Map<Api, long[]> times = new EnumMap<>(Api.class);

		private final Map<Api, Integer> next = new EnumMap<>(Api.class);

		private final Map<Api, Integer> count = new EnumMap<>(Api.class);

		Windows(long ttlNanos) {
			this.ttlNanos = ttlNanos;
		}

		synchronized boolean tryAcquire(Api api, long now) {
			long[] ring = times.computeIfAbsent(api, a -> new long[a.perSecond]);
			int filled = count.getOrDefault(api, 0);
			int at = next.getOrDefault(api, 0);
			// With the ring full, its oldest entry is where the next one goes.
			if (filled == ring.length && now - ring[at] < WINDOW_NANOS) {
				return false;
			}
			ring[at] = now;
			next.put(api, (at + 1) % ring.length);
			count.put(api, Math.min(ring.length, filled + 1));
			return true;
		}

	}

}
