package io.kvsgateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The in-process store: one replica's budgets in memory. Each stream's state is guarded by its own lock, so streams
 * never wait for each other and one stream's calls are serialised; a decision touches a handful of fields and, when
 * leases have ended since the last call, an ordered set of reservation ends. Memory is bounded: at most
 * {@code maxTrackedStreams} streams, each holding only leases that still reserve something (an on-demand lease is
 * dropped once its loading has ended), and those are bounded by the stream's capacity.
 */
final class LocalQuotaStore implements QuotaStore {

	/** Token buckets hold one second's worth, the window KVS's per-second quotas are counted over. */
	static final long SECOND = 1_000_000_000L;

	/**
	 * How long an ended reservation is still charged: KVS may count a session's requests over the second before each
	 * call (a sliding window), so a session admitted the instant another ends would overdraw that second.
	 */
	static final long TAIL = SECOND;

	private static final Comparator<End> BY_TIME = Comparator.comparingLong((End end) -> end.at)
		.thenComparingLong(end -> end.sequence);

	private final int maxStreams;

	private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Stream> sessions = new ConcurrentHashMap<>();

	/** Serialises adding and forgetting streams, which is rare; decisions on known streams never take it. */
	private final Object tracking = new Object();

	private long noIdleStreamsUntil = Long.MIN_VALUE;

	LocalQuotaStore(int maxStreams) {
		if (maxStreams < 1) {
			throw new IllegalArgumentException("maxStreams must be at least 1, was " + maxStreams);
		}
		this.maxStreams = maxStreams;
	}

	@Override
	public Decision reserve(String streamName, Capacity capacity, Reservation reservation, long now) {
		while (true) {
			Stream stream = stream(streamName, capacity, now);
			if (stream == null) {
				return tooManyStreams();
			}
			synchronized (stream) {
				if (!stream.forgotten) {
					return stream.reserve(capacity, reservation, now);
				}
			}
		}
	}

	@Override
	public @Nullable Lease release(String sessionId, long now) {
		Stream stream = sessions.get(sessionId);
		if (stream == null) {
			return null;
		}
		synchronized (stream) {
			if (stream.forgotten) {
				return null;
			}
			// A released or expired lease is gone for the caller, though its reservations drain for a TAIL; finding
			// it so leaves the stream untouched, as RedisQuotaStore (whose session index has forgotten it) does.
			Held held = stream.leases.get(sessionId);
			if (held == null || held.released || now >= held.expiresAt) {
				return null;
			}
			stream.advance(now);
			held = stream.leases.get(sessionId);
			if (held == null) {
				return null;
			}
			Lease lease = held.lease(stream.name);
			stream.release(held, now);
			return lease;
		}
	}

	@Override
	public Permit acquire(String streamName, Capacity capacity, Budget budget, long now) {
		if (budget != Budget.SESSION_URLS && budget != Budget.DATA_ENDPOINT) {
			throw new IllegalArgumentException(budget + " is not a call-rate budget");
		}
		while (true) {
			Stream stream = stream(streamName, capacity, now);
			if (stream == null) {
				return tooManyStreams();
			}
			synchronized (stream) {
				if (!stream.forgotten) {
					return stream.acquire(capacity, budget, now);
				}
			}
		}
	}

	@Override
	public Permit debit(String streamName, Capacity capacity, long metadata, long media, long now) {
		if (metadata < 0 || media < 0) {
			throw new IllegalArgumentException("points must not be negative, were " + metadata + " and " + media);
		}
		while (true) {
			Stream stream = stream(streamName, capacity, now);
			if (stream == null) {
				return tooManyStreams();
			}
			synchronized (stream) {
				if (!stream.forgotten) {
					return stream.debit(capacity, metadata, media, now);
				}
			}
		}
	}

	@Override
	public void rejected(String streamName, Budget budget) {
		Stream stream = streams.get(streamName);
		if (stream != null) {
			synchronized (stream) {
				stream.rejections[budget.ordinal()]++;
			}
		}
	}

	@Override
	public List<StreamQuota> snapshot(long now) {
		List<StreamQuota> quotas = new ArrayList<>();
		for (Stream stream : streams.values()) {
			synchronized (stream) {
				if (!stream.forgotten) {
					stream.advance(now);
					quotas.add(stream.quota());
				}
			}
		}
		quotas.sort(Comparator.comparing(StreamQuota::streamName));
		return quotas;
	}

	/** @return the stream's state, {@literal null} when it is new and the store tracks as many busy streams as it may */
	private @Nullable Stream stream(String name, Capacity capacity, long now) {
		Stream stream = streams.get(name);
		if (stream != null) {
			return stream;
		}
		synchronized (tracking) {
			stream = streams.get(name);
			if (stream != null) {
				return stream;
			}
			if (streams.size() >= maxStreams && !forgetIdleStreams(now)) {
				return null;
			}
			stream = new Stream(name, capacity, now);
			streams.put(name, stream);
			return stream;
		}
	}

	/**
	 * Forgets streams whose state is the same as a new stream's (no lease, every bucket full), so nothing is lost but
	 * their rejection counts. Walks every stream, so a walk that finds none is not repeated for a second.
	 */
	private boolean forgetIdleStreams(long now) {
		if (now < noIdleStreamsUntil) {
			return false;
		}
		int forgotten = 0;
		for (Stream stream : streams.values()) {
			synchronized (stream) {
				stream.advance(now);
				if (stream.idle()) {
					stream.forgotten = true;
					streams.remove(stream.name, stream);
					forgotten++;
				}
			}
		}
		if (forgotten == 0) {
			noIdleStreamsUntil = now + SECOND;
		}
		return forgotten > 0;
	}

	private static Decision.Rejected tooManyStreams() {
		return new Decision.Rejected(Budget.TRACKED_STREAMS, Duration.ofSeconds(1));
	}

	static Duration retryAfter(long nanos) {
		// Whole milliseconds, rounded up: a retry a little late finds the room, one a little early does not.
		long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
		return Duration.ofMillis(millis);
	}

	/** One stream's reservations, leases and buckets; every access holds its monitor. */
	private final class Stream {

		final String name;

		Capacity capacity;

		long reservedMetadata;

		long reservedMedia;

		final Bucket metadataBucket;

		final Bucket mediaBucket;

		final Log sessionUrlLog = new Log();

		final Log dataEndpointLog = new Log();

		/** When each sustained reservation ends, earliest first. */
		final TreeSet<End> ends = new TreeSet<>(BY_TIME);

		final Map<String, Held> leases = new HashMap<>();

		/** Per viewer: sustained metadata and media held, in micro-points per second. */
		final Map<String, long[]> viewers = new HashMap<>();

		final long[] rejections = new long[Budget.values().length];

		long sequence;

		boolean forgotten;

		Stream(String name, Capacity capacity, long now) {
			this.name = name;
			this.capacity = capacity;
			this.metadataBucket = new Bucket(now);
			this.mediaBucket = new Bucket(now);
		}

		Decision reserve(Capacity capacity, Reservation reservation, long now) {
			use(capacity, now);
			if (leases.containsKey(reservation.sessionId())) {
				throw new IllegalStateException("session " + reservation.sessionId() + " already holds a lease");
			}
			Budget full = null;
			long wait = 0;
			long metadata = reservation.metadataPerSecond();
			long media = reservation.mediaPerSecond();
			long[] viewer = viewers.get(reservation.viewer());
			if (metadata > 0) {
				long excess = reservedMetadata + metadata - this.capacity.metadata();
				if (excess > 0) {
					long freed = freedAfter(false, excess, null, now);
					if (freed > wait) {
						full = Budget.FRAGMENT_METADATA;
						wait = freed;
					}
				}
				long viewerExcess = (viewer == null ? 0 : viewer[0]) + metadata - this.capacity.viewerMetadata();
				if (viewerExcess > 0) {
					long freed = freedAfter(false, viewerExcess, reservation.viewer(), now);
					if (freed > wait) {
						full = Budget.VIEWER_SHARE;
						wait = freed;
					}
				}
			}
			if (media > 0) {
				long excess = reservedMedia + media - this.capacity.media();
				if (excess > 0) {
					long freed = freedAfter(true, excess, null, now);
					if (freed > wait) {
						full = Budget.FRAGMENT_MEDIA;
						wait = freed;
					}
				}
				long viewerExcess = (viewer == null ? 0 : viewer[1]) + media - this.capacity.viewerMedia();
				if (viewerExcess > 0) {
					long freed = freedAfter(true, viewerExcess, reservation.viewer(), now);
					if (freed > wait) {
						full = Budget.VIEWER_SHARE;
						wait = freed;
					}
				}
			}
			// The burst, and the first second of the sustained rate, must fit next to what one-time calls (bursts,
			// ListFragments, GetClip) used in the last second: what the bucket has not refilled yet.
			if (metadata > 0 || reservation.metadataBurst() > 0) {
				long refill = bucketWait(metadataBucket, reservation.metadataBurst(), metadata, metadataRate(), false,
						now);
				if (refill > wait) {
					full = Budget.FRAGMENT_METADATA;
					wait = refill;
				}
			}
			if (media > 0) {
				long refill = bucketWait(mediaBucket, 0, media, mediaRate(), true, now);
				if (refill > wait) {
					full = Budget.FRAGMENT_MEDIA;
					wait = refill;
				}
			}
			long url = sessionUrlLog.wait(this.capacity.sessionUrls(), now);
			if (url > wait) {
				full = Budget.SESSION_URLS;
				wait = url;
			}
			if (full != null) {
				return new Decision.Rejected(full, retryAfter(wait));
			}
			return grant(reservation, now);
		}

		private Decision grant(Reservation reservation, long now) {
			if (sessions.putIfAbsent(reservation.sessionId(), this) != null) {
				throw new IllegalStateException("session " + reservation.sessionId() + " already holds a lease");
			}
			Held held = new Held(reservation);
			long[] viewer = null;
			if (reservation.metadataPerSecond() > 0 && reservation.metadataUntil() > now) {
				viewer = viewers.computeIfAbsent(reservation.viewer(), any -> new long[2]);
				reservedMetadata += held.metadataPerSecond;
				viewer[0] += held.metadataPerSecond;
				held.metadataEnd = new End(reservation.metadataUntil() + TAIL, sequence++, held, false);
				ends.add(held.metadataEnd);
			}
			if (reservation.mediaPerSecond() > 0 && reservation.mediaUntil() > now) {
				viewer = viewer != null ? viewer : viewers.computeIfAbsent(reservation.viewer(), any -> new long[2]);
				reservedMedia += held.mediaPerSecond;
				viewer[1] += held.mediaPerSecond;
				held.mediaEnd = new End(reservation.mediaUntil() + TAIL, sequence++, held, true);
				ends.add(held.mediaEnd);
			}
			metadataBucket.used += reservation.metadataBurst();
			sessionUrlLog.add(this.capacity.sessionUrls(), now);
			if (held.metadataEnd == null && held.mediaEnd == null) {
				sessions.remove(reservation.sessionId(), this);
			}
			else {
				leases.put(reservation.sessionId(), held);
			}
			return new Decision.Granted(held.lease(name));
		}

		Permit acquire(Capacity capacity, Budget budget, long now) {
			use(capacity, now);
			Log log = budget == Budget.SESSION_URLS ? sessionUrlLog : dataEndpointLog;
			long rate = this.capacity.of(budget);
			long wait = log.wait(rate, now);
			if (wait > 0) {
				return new Decision.Rejected(budget, retryAfter(wait));
			}
			log.add(rate, now);
			return Permit.ACQUIRED;
		}

		Permit debit(Capacity capacity, long metadata, long media, long now) {
			use(capacity, now);
			long metadataWait = metadata > 0 ? bucketWait(metadataBucket, metadata, 0, metadataRate(), false, now) : 0;
			long mediaWait = media > 0 ? bucketWait(mediaBucket, media, 0, mediaRate(), true, now) : 0;
			if (metadataWait > 0 || mediaWait > 0) {
				return metadataWait >= mediaWait
						? new Decision.Rejected(Budget.FRAGMENT_METADATA, retryAfter(metadataWait))
						: new Decision.Rejected(Budget.FRAGMENT_MEDIA, retryAfter(mediaWait));
			}
			metadataBucket.used += metadata;
			mediaBucket.used += media;
			return Permit.ACQUIRED;
		}

		/** Brings the state up to {@code now} under the capacity it had, then takes the caller's. */
		private void use(Capacity capacity, long now) {
			advance(now);
			this.capacity = capacity;
		}

		/**
		 * Ends the reservations whose time has come, refilling the metadata and media buckets at the rate that held
		 * between ends, then refills every bucket up to {@code now}.
		 */
		void advance(long now) {
			while (!ends.isEmpty() && ends.first().at <= now) {
				End end = ends.pollFirst();
				metadataBucket.refill(end.at, metadataRate());
				mediaBucket.refill(end.at, mediaRate());
				end(end);
			}
			metadataBucket.refill(now, metadataRate());
			mediaBucket.refill(now, mediaRate());
			sessionUrlLog.prune(now);
			dataEndpointLog.prune(now);
		}

		/** Ends the lease's reservations a TAIL from now (or when they would have ended, if sooner). */
		void release(Held held, long now) {
			held.released = true;
			if (held.metadataEnd != null && held.metadataEnd.at > now + TAIL) {
				ends.remove(held.metadataEnd);
				held.metadataEnd = new End(now + TAIL, held.metadataEnd.sequence, held, false);
				ends.add(held.metadataEnd);
			}
			if (held.mediaEnd != null && held.mediaEnd.at > now + TAIL) {
				ends.remove(held.mediaEnd);
				held.mediaEnd = new End(now + TAIL, held.mediaEnd.sequence, held, true);
				ends.add(held.mediaEnd);
			}
		}

		private void end(End end) {
			Held held = end.held;
			long[] viewer = viewers.get(held.viewer);
			if (end.media) {
				reservedMedia -= held.mediaPerSecond;
				if (viewer != null) {
					viewer[1] -= held.mediaPerSecond;
				}
				held.mediaEnd = null;
			}
			else {
				reservedMetadata -= held.metadataPerSecond;
				if (viewer != null) {
					viewer[0] -= held.metadataPerSecond;
				}
				held.metadataEnd = null;
			}
			if (viewer != null && viewer[0] <= 0 && viewer[1] <= 0) {
				viewers.remove(held.viewer);
			}
			if (held.metadataEnd == null && held.mediaEnd == null) {
				leases.remove(held.sessionId);
				sessions.remove(held.sessionId, this);
			}
		}

		/** One-time metadata is what sustained reservations leave of the capacity. */
		private long metadataRate() {
			return Math.max(0, capacity.metadata() - reservedMetadata);
		}

		private long mediaRate() {
			return Math.max(0, capacity.media() - reservedMedia);
		}

		/**
		 * @return nanoseconds until sustained reservations of the kind (of one viewer, or all) ending in time order
		 * have freed {@code excess}; a second when they never would
		 */
		private long freedAfter(boolean media, long excess, @Nullable String viewer, long now) {
			long freed = 0;
			for (End end : ends) {
				if (end.media == media && (viewer == null || viewer.equals(end.held.viewer))) {
					freed += end.amount();
					if (freed >= excess) {
						return end.at - now;
					}
				}
			}
			return SECOND;
		}

		/**
		 * Whether a one-time draw of {@code amount} and a new sustained rate {@code sustained} fit now: the bucket's
		 * unrefilled use, the draw and the new rate must stay within the rate the bucket refills at. A draw larger
		 * than that is let through when nothing is unrefilled and leaves the bucket in debt, so that any single
		 * request the quota allows at all can eventually go.
		 * @return 0 when they fit now, else the nanoseconds until they are expected to
		 */
		private long bucketWait(Bucket bucket, long amount, long sustained, long rate, boolean media, long now) {
			long ceiling = rate - sustained;
			if (ceiling < 0) {
				return 0; // the sustained check rejects it and says when
			}
			if (ceiling == 0 && amount > 0) {
				return untilFirstEnd(bucket, media, now); // nothing would refill a draw
			}
			long excess = bucket.used + Math.min(amount, ceiling) - ceiling;
			if (excess <= 0) {
				return 0;
			}
			return rate > 0 ? nanos(excess, rate) : untilFirstEnd(bucket, media, now);
		}

		/**
		 * An estimate for a budget that sustained reservations hold whole: until the first of them ends, and then
		 * until the bucket has refilled what it owes at the rate that frees.
		 */
		private long untilFirstEnd(Bucket bucket, boolean media, long now) {
			for (End end : ends) {
				if (end.media == media) {
					return end.at - now + (bucket.used > 0 ? nanos(bucket.used, end.amount()) : 0);
				}
			}
			return SECOND;
		}

		boolean idle() {
			return leases.isEmpty() && metadataBucket.used == 0 && mediaBucket.used == 0 && sessionUrlLog.isEmpty()
					&& dataEndpointLog.isEmpty();
		}

		StreamQuota quota() {
			Map<Budget, StreamQuota.Usage> usage = new EnumMap<>(Budget.class);
			usage.put(Budget.FRAGMENT_METADATA, new StreamQuota.Usage(SessionCost.points(capacity.metadata()),
					SessionCost.points(reservedMetadata), SessionCost.points(metadataRate() - metadataBucket.used)));
			usage.put(Budget.FRAGMENT_MEDIA, new StreamQuota.Usage(SessionCost.points(capacity.media()),
					SessionCost.points(reservedMedia), SessionCost.points(mediaRate() - mediaBucket.used)));
			usage.put(Budget.SESSION_URLS, new StreamQuota.Usage(SessionCost.points(capacity.sessionUrls()), 0,
					SessionCost.points(capacity.sessionUrls() - sessionUrlLog.used())));
			usage.put(Budget.DATA_ENDPOINT, new StreamQuota.Usage(SessionCost.points(capacity.dataEndpoint()), 0,
					SessionCost.points(capacity.dataEndpoint() - dataEndpointLog.used())));
			Map<Budget, Long> counts = new EnumMap<>(Budget.class);
			for (Budget budget : Budget.values()) {
				if (rejections[budget.ordinal()] > 0) {
					counts.put(budget, rejections[budget.ordinal()]);
				}
			}
			return new StreamQuota(name, usage, leases.size(), counts);
		}

	}

	private static long nanos(long amount, long rate) {
		return (long) Math.ceil((double) amount * SECOND / rate);
	}

	/**
	 * A token bucket of micro-points that holds one second of its rate, kept as what has been drawn and not refilled
	 * yet: when sustained reservations change the rate, the draws of the last second still count against the new one.
	 */
	private static final class Bucket {

		long used;

		long last;

		Bucket(long now) {
			this.last = now;
		}

		void refill(long now, long rate) {
			if (now > last) {
				if (used > 0) {
					double left = used - (double) (now - last) * rate / SECOND;
					used = left <= 0 ? 0 : (long) Math.ceil(left);
				}
				last = now;
			}
		}

	}

	/**
	 * A call-rate budget as the times of the calls it let through in the last second: KVS may count calls over any
	 * one-second window, so no such window may hold more than the capacity's whole calls (a token bucket of a
	 * second's worth would let up to twice that through within one second after a quiet one). Bounded to that many
	 * entries.
	 */
	private static final class Log {

		private final ArrayDeque<Long> times = new ArrayDeque<>();

		/** Forgets calls that no window ending at or after {@code now} holds. */
		void prune(long now) {
			while (!times.isEmpty() && times.peekFirst() <= now - SECOND) {
				times.pollFirst();
			}
		}

		/** @return 0 when one more call fits in the second up to {@code now}, else nanoseconds until it does */
		long wait(long rate, long now) {
			int limit = limit(rate);
			if (times.size() < limit) {
				return 0;
			}
			// the call that must leave the window for one more to fit
			Iterator<Long> oldest = times.iterator();
			for (int i = 0; i < times.size() - limit; i++) {
				oldest.next();
			}
			return oldest.next() + SECOND - now;
		}

		void add(long rate, long now) {
			times.addLast(now);
			int limit = limit(rate);
			while (times.size() > limit) {
				times.pollFirst();
			}
		}

		boolean isEmpty() {
			return times.isEmpty();
		}

		long used() {
			return times.size() * SessionCost.MICRO;
		}

		/** Whole calls per second; at least one, so that any budget lets some call through. */
		static int limit(long rate) {
			return (int) Math.max(1, Math.min(Integer.MAX_VALUE, rate / SessionCost.MICRO));
		}

	}

	/** A granted session's hold; its ends are removed from the stream's set when it is released. */
	private static final class Held {

		final String sessionId;

		final String viewer;

		final long metadataPerSecond;

		final long mediaPerSecond;

		final long mediaUntil;

		final long expiresAt;

		boolean released;

		@Nullable End metadataEnd;

		@Nullable End mediaEnd;

		Held(Reservation reservation) {
			this.sessionId = reservation.sessionId();
			this.viewer = reservation.viewer();
			this.metadataPerSecond = reservation.metadataPerSecond();
			this.mediaPerSecond = reservation.mediaPerSecond();
			this.mediaUntil = reservation.mediaUntil();
			this.expiresAt = reservation.expiresAt();
		}

		Lease lease(String streamName) {
			return new Lease(sessionId, streamName, viewer, SessionCost.points(metadataPerSecond),
					SessionCost.points(mediaPerSecond), instant(mediaUntil), instant(expiresAt));
		}

	}

	private static Instant instant(long nanos) {
		return Instant.ofEpochSecond(Math.floorDiv(nanos, SECOND), Math.floorMod(nanos, SECOND));
	}

	/** The end of one sustained reservation. */
	private static final class End {

		final long at;

		final long sequence;

		final Held held;

		final boolean media;

		End(long at, long sequence, Held held, boolean media) {
			this.at = at;
			this.sequence = sequence;
			this.held = held;
			this.media = media;
		}

		long amount() {
			return media ? held.mediaPerSecond : held.metadataPerSecond;
		}

	}

}
