package io.kvsgateway.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * KVS's per-stream quotas, enforced as KVS does (developer guide, "Amazon Kinesis Video Streams service quotas"):
 * <ul>
 * <li>the fragment-metadata and fragment-media quotas ("Fragment-metadata quota consumption", "Fragment-media quota
 * consumption"): 10,000 and 500 points per second per stream, shared by every API that reads archived media;</li>
 * <li>the stream-level TPS of the control-plane table (DescribeStream, GetDataEndpoint, DeleteStream, TagStream,
 * UpdateDataRetention: 5) and of the media table (PutMedia 5, GetMedia 5, GetHLSStreamingSessionURL and
 * GetDASHStreamingSessionURL 25).</li>
 * </ul>
 * Beyond them a request is refused with {@code ClientLimitExceededException} (HTTP 400). The connection limits are
 * {@link MediaConnections}'; the per-session limits of the playback table are {@link SessionRateLimiter}'s, which
 * reports its refusals here so that all throttling is counted in one place.
 * <p>
 * The guide does not say how "per second" is counted ({@link WindowType}). By default it is a sliding window: a
 * request is refused when, with it, more than the quota would have been accepted within the last second (to the
 * millisecond for points, exactly for calls), so that no burst across a second boundary gets twice the quota; a
 * token bucket of a second's worth is the alternative. What was consumed and throttled is counted per stream,
 * as CloudWatch's {@code ArchivedFragmentsConsumed.Metadata} and {@code .Media}, and in Micrometer counters without
 * a stream tag (the stream count is unbounded). At most {@code maxStreams} streams are tracked, each forgotten an
 * hour after its last request; a forgotten stream starts again with full quotas and zero counts.
 */
final class LocalQuotas implements LocalQuotaUsage {

	/** The APIs this service limits or counts, by their KVS operation names. */
	enum Api {

		DESCRIBE_STREAM("DescribeStream", 5), DELETE_STREAM("DeleteStream", 5),
		UPDATE_DATA_RETENTION("UpdateDataRetention", 5), TAG_STREAM("TagStream", 5),
		GET_DATA_ENDPOINT("GetDataEndpoint", 5), PUT_MEDIA("PutMedia", 5), GET_MEDIA("GetMedia", 5),
		GET_HLS_STREAMING_SESSION_URL("GetHLSStreamingSessionURL", 25),
		GET_DASH_STREAMING_SESSION_URL("GetDASHStreamingSessionURL", 25),
		// Limited by the points they consume, not by calls.
		LIST_FRAGMENTS("ListFragments", 0), GET_CLIP("GetClip", 0),
		GET_MEDIA_FOR_FRAGMENT_LIST("GetMediaForFragmentList", 0), GET_HLS_MEDIA_PLAYLIST("GetHLSMediaPlaylist", 0),
		GET_DASH_MANIFEST("GetDASHManifest", 0), GET_MP4_MEDIA_FRAGMENT("GetMP4MediaFragment", 0),
		GET_TS_FRAGMENT("GetTSFragment", 0),
		// Limited per session only (SessionRateLimiter); listed to count their refusals.
		GET_HLS_MASTER_PLAYLIST("GetHLSMasterPlaylist", 0), GET_MP4_INIT_FRAGMENT("GetMP4InitFragment", 0);

		final String operation;

		/** Stream-level transactions per second; 0 when the API has none. */
		final int perSecond;

		Api(String operation, int perSecond) {
			this.operation = operation;
			this.perSecond = perSecond;
		}

	}

	/** Tracks nothing and refuses nothing: for code built without Spring (unit tests, benchmarks). */
	static LocalQuotas unlimited(Clock clock) {
		return new LocalQuotas(clock, Limits.KVS, false, 1, null);
	}

	static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

	private final Clock clock;

	private final Limits limits;

	private final boolean enforced;

	private final Cache<String, StreamState> streams;

	private final @Nullable Counter metadataConsumed;

	private final @Nullable Counter mediaConsumed;

	private final Map<Api, Counter> throttledCounters = new EnumMap<>(Api.class);

	/**
	 * @param limits the fragment quotas per stream (KVS's unless a test scales a stream down)
	 * @param enforced whether requests beyond the quotas are refused; when not, they are only counted
	 * @param maxStreams how many streams are tracked at once
	 * @param meters where the counters go; {@literal null} for none
	 */
	LocalQuotas(Clock clock, Limits limits, boolean enforced, int maxStreams, @Nullable MeterRegistry meters) {
		this.clock = clock;
		this.limits = limits;
		this.enforced = enforced;
		this.streams = Caffeine.newBuilder()
			.maximumSize(maxStreams)
			.expireAfterAccess(Duration.ofHours(1))
			.ticker(() -> nanos(clock.instant()))
			// Evict on the caller's thread: the bound holds at once, and a request costs no pool task.
			.executor(Runnable::run)
			.build();
		if (meters != null) {
			String consumed = "kvs.local.archived.fragments.consumed";
			String help = "Fragment quota points consumed in the embedded KVS (CloudWatch ArchivedFragmentsConsumed)";
			this.metadataConsumed = Counter.builder(consumed).tag("quota", "metadata").description(help).register(meters);
			this.mediaConsumed = Counter.builder(consumed).tag("quota", "media").description(help).register(meters);
			for (Api api : Api.values()) {
				throttledCounters.put(api, Counter.builder("kvs.local.throttled")
					.tag("api", api.operation)
					.description("Requests the embedded KVS refused with ClientLimitExceededException")
					.register(meters));
			}
		}
		else {
			this.metadataConsumed = null;
			this.mediaConsumed = null;
		}
	}

	/**
	 * Counts one call of an API with a stream-level TPS.
	 * @throws KvsError ClientLimitExceededException when the stream already had the API's TPS within the last second
	 */
	void call(String streamName, Api api) {
		if (api.perSecond == 0) {
			throw new IllegalArgumentException(api + " has no stream-level TPS");
		}
		StreamState state = state(streamName);
		long now = nanos(clock.instant());
		boolean accepted;
		synchronized (state) {
			Window calls = state.calls(api, limits.window());
			accepted = calls.fits(1, now) || !enforced;
			if (accepted) {
				calls.add(1, now);
			}
			if (!accepted) {
				state.throttled[api.ordinal()]++;
			}
		}
		if (!accepted) {
			throttledCounter(api);
			throw KvsError.clientLimitExceeded("The stream " + KvsRequest.printable(streamName)
					+ " exceeded the limit of " + api.perSecond + " " + api.operation + " requests per second.");
		}
	}

	/**
	 * Consumes fragment-metadata and fragment-media points of a stream, both or neither ("Fragment-metadata and
	 * fragment-media quotas": GetClip appears in both tables).
	 * @throws KvsError ClientLimitExceededException when either quota would be exceeded within a second
	 */
	void consume(String streamName, Api api, long metadataPoints, long mediaPoints) {
		if (metadataPoints < 0 || mediaPoints < 0) {
			throw new IllegalArgumentException("points must not be negative");
		}
		StreamState state = state(streamName);
		long now = nanos(clock.instant());
		String exceeded = null;
		synchronized (state) {
			if (enforced) {
				if (metadataPoints > 0 && !state.metadata(limits).fits(metadataPoints, now)) {
					exceeded = "fragment-metadata quota of " + limits.fragmentMetadata();
				}
				else if (mediaPoints > 0 && !state.media(limits).fits(mediaPoints, now)) {
					exceeded = "fragment-media quota of " + limits.fragmentMedia();
				}
			}
			if (exceeded == null) {
				if (metadataPoints > 0) {
					state.metadata(limits).add(metadataPoints, now);
				}
				if (mediaPoints > 0) {
					state.media(limits).add(mediaPoints, now);
				}
				state.metadataConsumed += metadataPoints;
				state.mediaConsumed += mediaPoints;
			}
			else {
				state.throttled[api.ordinal()]++;
			}
		}
		if (exceeded != null) {
			throttledCounter(api);
			throw KvsError.clientLimitExceeded("The stream " + KvsRequest.printable(streamName) + " exceeded its "
					+ exceeded + " points per second.");
		}
		if (metadataConsumed != null && metadataPoints > 0) {
			metadataConsumed.increment(metadataPoints);
		}
		if (mediaConsumed != null && mediaPoints > 0) {
			mediaConsumed.increment(mediaPoints);
		}
	}

	/** Counts a refusal decided elsewhere (a session's own rate limit). */
	void throttled(String streamName, Api api) {
		StreamState state = state(streamName);
		synchronized (state) {
			state.throttled[api.ordinal()]++;
		}
		throttledCounter(api);
	}

	boolean enforced() {
		return enforced;
	}

	@Override
	public Usage of(String streamName) {
		StreamState state = streams.getIfPresent(streamName);
		if (state == null) {
			return new Usage(streamName, 0, 0, Map.of());
		}
		synchronized (state) {
			Map<String, Long> throttled = new LinkedHashMap<>();
			for (Api api : Api.values()) {
				if (state.throttled[api.ordinal()] > 0) {
					throttled.put(api.operation, state.throttled[api.ordinal()]);
				}
			}
			return new Usage(streamName, state.metadataConsumed, state.mediaConsumed, throttled);
		}
	}

	private StreamState state(String streamName) {
		return streams.get(streamName, name -> new StreamState());
	}

	private void throttledCounter(Api api) {
		Counter counter = throttledCounters.get(api);
		if (counter != null) {
			counter.increment();
		}
	}

	static long nanos(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), SECOND), instant.getNano());
	}

	/**
	 * The per-stream fragment quotas, in points per second, and how a second is counted.
	 *
	 * @param fragmentMetadata KVS: 10,000
	 * @param fragmentMedia KVS: 500
	 * @param window how "per second" is counted
	 */
	record Limits(long fragmentMetadata, long fragmentMedia, WindowType window) {

		static final Limits KVS = new Limits(10_000, 500, WindowType.SLIDING);

		Limits(long fragmentMetadata, long fragmentMedia) {
			this(fragmentMetadata, fragmentMedia, WindowType.SLIDING);
		}

		Limits {
			if (fragmentMetadata < 1 || fragmentMedia < 1) {
				throw new IllegalArgumentException("fragment quotas must be at least 1 point per second");
			}
		}

	}

	/** One stream's windows and counts; every access holds its monitor. */
	private static final class StreamState {

		private @Nullable Window metadata;

		private @Nullable Window media;

		private final Map<Api, Window> calls = new EnumMap<>(Api.class);

		long metadataConsumed;

		long mediaConsumed;

		final long[] throttled = new long[Api.values().length];

		Window metadata(Limits limits) {
			if (metadata == null) {
				metadata = limits.window().points(limits.fragmentMetadata());
			}
			return metadata;
		}

		Window media(Limits limits) {
			if (media == null) {
				media = limits.window().points(limits.fragmentMedia());
			}
			return media;
		}

		Window calls(Api api, WindowType type) {
			return calls.computeIfAbsent(api, a -> type.calls(a.perSecond));
		}

	}

	/**
	 * Points accepted in the last second, exactly to the millisecond: a point accepted at millisecond {@code m} counts
	 * until {@code m + 1000}. Points of the same millisecond share one entry, so a window holds at most 1,000 entries
	 * (16 KB) however small the requests, and usually a few; it grows only as far as it is used.
	 */
	static final class PointWindow implements Window {

		private final long limit;

		private long[] millis = new long[8];

		private long[] points = new long[8];

		private int head;

		private int size;

		private long sum;

		PointWindow(long limit) {
			this.limit = limit;
		}

		long used(long now) {
			expire(Math.floorDiv(now, MILLI));
			return sum;
		}

		@Override
		public boolean fits(long amount, long now) {
			return used(now) + amount <= limit;
		}

		@Override
		public void add(long amount, long now) {
			long ms = Math.floorDiv(now, MILLI);
			expire(ms);
			sum += amount;
			if (size > 0) {
				int last = (head + size - 1) % millis.length;
				// A clock that steps back joins the newest entry rather than unsorting the window.
				if (millis[last] >= ms) {
					points[last] += amount;
					return;
				}
			}
			if (size == millis.length) {
				grow();
			}
			int at = (head + size) % millis.length;
			millis[at] = ms;
			points[at] = amount;
			size++;
		}

		private void expire(long ms) {
			while (size > 0 && millis[head] <= ms - 1000) {
				sum -= points[head];
				head = (head + 1) % millis.length;
				size--;
			}
		}

		private void grow() {
			long[] newMillis = new long[millis.length * 2];
			long[] newPoints = new long[points.length * 2];
			for (int i = 0; i < size; i++) {
				newMillis[i] = millis[(head + i) % millis.length];
				newPoints[i] = points[(head + i) % points.length];
			}
			millis = newMillis;
			points = newPoints;
			head = 0;
		}

	}

	/** The times of the most recent accepted calls, as a ring the size of the limit: exact and bounded. */
	static final class CallWindow implements Window {

		private final long[] times;

		private int next;

		private int filled;

		CallWindow(int limit) {
			this.times = new long[limit];
		}

		@Override
		public boolean fits(long amount, long now) {
			// With the ring full, its oldest entry is where the next one goes.
			return amount == 1 && !(filled == times.length && now - times[next] < SECOND);
		}

		@Override
		public void add(long amount, long now) {
			times[next] = now;
			next = (next + 1) % times.length;
			filled = Math.min(times.length, filled + 1);
		}

	}

	/** How much of a quota a stream used within a second, by one of the {@link WindowType}s. */
	interface Window {

		/** @return whether {@code amount} more would stay within the quota at {@code now} */
		boolean fits(long amount, long now);

		/** Records {@code amount} as used at {@code now}. */
		void add(long amount, long now);

	}

	/**
	 * How "N per second" is counted. The developer guide does not say; the sliding window is the strictest reading
	 * (no one-second window ever holds more than N), so a client that is never throttled by it is not throttled by
	 * KVS whichever way KVS counts. The token bucket is the common alternative: it holds a second's worth and refills
	 * at N per second, so it lets short bursts of up to 2N within one second through after a quiet second.
	 */
	enum WindowType {

		SLIDING, TOKEN_BUCKET;

		Window points(long limit) {
			return this == SLIDING ? new PointWindow(limit) : new TokenBucket(limit);
		}

		Window calls(int perSecond) {
			return this == SLIDING ? new CallWindow(perSecond) : new TokenBucket(perSecond);
		}

	}

	/** A token bucket of one second's worth that refills at the limit per second, in nano-points for exactness. */
	static final class TokenBucket implements Window {

		private final long limit;

		/** Tokens in points × 10^9 (nano-points), so that refilling by elapsed nanoseconds stays exact. */
		private long tokens;

		private long refilledAt = Long.MIN_VALUE;

		TokenBucket(long limit) {
			this.limit = limit;
			this.tokens = Math.multiplyExact(limit, SECOND);
		}

		private void refill(long now) {
			if (refilledAt == Long.MIN_VALUE || now <= refilledAt) {
				refilledAt = (refilledAt == Long.MIN_VALUE) ? now : refilledAt;
				return;
			}
			long elapsed = Math.min(now - refilledAt, SECOND);
			tokens = Math.min(limit * SECOND, tokens + limit * elapsed);
			refilledAt = now;
		}

		@Override
		public boolean fits(long amount, long now) {
			refill(now);
			return tokens >= amount * SECOND;
		}

		@Override
		public void add(long amount, long now) {
			refill(now);
			tokens -= amount * SECOND;
		}

	}

}
