package io.kvsgateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Decides, before a session URL is handed out, whether a stream can carry one more playback session, and charges the
 * gateway's own archived-media calls to the same per-stream budgets KVS enforces. For example:
 *
 * <pre>{@code
 * switch (admission.admit(new AdmissionRequest(stream, subject, sessionId, profile, expiresAt))) {
 *     case Decision.Granted granted -> // call GetHLSStreamingSessionURL, answer 201
 *     case Decision.Rejected rejected -> // 429, Retry-After: rejected.retryAfter()
 *     case Decision.Unaffordable unaffordable -> // 400: ask for fewer fragments per playlist
 * }
 * }</pre>
 *
 * All time comes from the injected {@link Clock}.
 */
public class Admission {

	private final QuotaStore store;

	private final Clock clock;

	private final Sleeper sleeper;

	private final CostModel costs;

	private final QuotaProperties properties;

	/** Resolved capacities per stream; the overrides are fixed, so an entry never goes stale. */
	private final Map<String, Capacity> capacities = new ConcurrentHashMap<>();

	Admission(QuotaProperties properties, QuotaStore store, Clock clock) {
		this(properties, store, clock, duration -> Thread.sleep(duration));
	}

	Admission(QuotaProperties properties, QuotaStore store, Clock clock, Sleeper sleeper) {
		this.properties = properties;
		this.store = store;
		this.clock = clock;
		this.sleeper = sleeper;
		this.costs = new CostModel(properties.onDemandFetchRate());
	}

	/**
	 * Admits one session if its stream has room for it, waiting up to {@code gateway.quota.max-wait} for room to free.
	 * @param request must not be {@literal null}
	 * @return {@link Decision.Granted} with the lease, {@link Decision.Rejected} with the full budget and when to
	 * retry, or {@link Decision.Unaffordable} when the session could never fit; never {@literal null}
	 * @throws IllegalArgumentException when the session expires before now
	 * @throws IllegalStateException when the session id already holds a lease
	 */
	public Decision admit(AdmissionRequest request) {
		Instant start = clock.instant();
		if (!request.expiresAt().isAfter(start)) {
			throw new IllegalArgumentException("session " + request.sessionId() + " expires at "
					+ request.expiresAt() + ", not after now (" + start + ")");
		}
		Capacity capacity = capacity(request.streamName());
		SessionCost cost = costs.cost(request.profile());
		Decision.Unaffordable unaffordable = unaffordable(cost, capacity);
		if (unaffordable != null) {
			store.rejected(request.streamName(), unaffordable.budget());
			return unaffordable;
		}
		Instant deadline = start.plus(properties.maxWait());
		Instant now = start;
		while (true) {
			Decision decision = store.reserve(request.streamName(), capacity, reservation(request, cost, now),
					nanos(now));
			if (!(decision instanceof Decision.Rejected rejected)) {
				return decision;
			}
			if (!waited(rejected.retryAfter(), deadline)) {
				store.rejected(request.streamName(), rejected.budget());
				return rejected;
			}
			now = clock.instant();
		}
	}

	/**
	 * Ends a session's lease before it expires (the viewer ended the session).
	 * @param sessionId must not be {@literal null}
	 * @return the lease released, or {@literal null} when the session holds none (unknown, expired, released)
	 */
	public @Nullable Lease release(String sessionId) {
		return store.release(sessionId, nanos(clock.instant()));
	}

	/**
	 * Takes one call from a stream's call-rate budget before the gateway makes it.
	 * @param streamName must not be {@literal null}
	 * @param budget {@link Budget#SESSION_URLS} (a session-URL call outside {@link #admit}, which already takes one)
	 * or {@link Budget#DATA_ENDPOINT}
	 * @return {@link Permit#ACQUIRED} or {@link Decision.Rejected}; never {@literal null}
	 */
	public Permit tryAcquire(String streamName, Budget budget) {
		Permit permit = store.acquire(streamName, capacity(streamName), budget, nanos(clock.instant()));
		if (permit instanceof Decision.Rejected rejected) {
			store.rejected(streamName, rejected.budget());
		}
		return permit;
	}

	/**
	 * Charges one of the gateway's own archived-media calls to the stream's one-time budgets, both or neither:
	 * ListFragments costs {@code MaxResults} metadata points, GetClip its fragment count in both budgets.
	 * @param streamName must not be {@literal null}
	 * @param metadataPoints fragment-metadata points, not negative
	 * @param mediaPoints fragment-media points, not negative
	 * @return {@link Permit#ACQUIRED} or {@link Decision.Rejected}; never {@literal null}
	 */
	public Permit debit(String streamName, long metadataPoints, long mediaPoints) {
		if (metadataPoints < 0 || mediaPoints < 0) {
			throw new IllegalArgumentException(
					"points must not be negative, were " + metadataPoints + " and " + mediaPoints);
		}
		Permit permit = store.debit(streamName, capacity(streamName), metadataPoints * SessionCost.MICRO,
				mediaPoints * SessionCost.MICRO, nanos(clock.instant()));
		if (permit instanceof Decision.Rejected rejected) {
			store.rejected(streamName, rejected.budget());
		}
		return permit;
	}

	/** @return every tracked stream's budgets, leases and rejections, by stream name; never {@literal null} */
	public List<StreamQuota> snapshot() {
		return store.snapshot(nanos(clock.instant()));
	}

	private Capacity capacity(String streamName) {
		Capacity capacity = capacities.get(streamName);
		if (capacity == null) {
			capacity = Capacity.of(properties.capacitiesOf(streamName), properties.safetyMargin(),
					properties.maxViewerShare());
			// Bounded like the store: past that many names, resolve each time rather than grow.
			if (capacities.size() < properties.maxTrackedStreams()) {
				capacities.put(streamName, capacity);
			}
		}
		return capacity;
	}

	/** A session whose sustained rate alone exceeds the stream's capacity, or a viewer's share of it, never fits. */
	private static Decision.@Nullable Unaffordable unaffordable(SessionCost cost, Capacity capacity) {
		if (cost.metadataPerSecond() > capacity.metadata()) {
			return new Decision.Unaffordable(Budget.FRAGMENT_METADATA, SessionCost.points(cost.metadataPerSecond()),
					SessionCost.points(capacity.metadata()));
		}
		if (cost.mediaPerSecond() > capacity.media()) {
			return new Decision.Unaffordable(Budget.FRAGMENT_MEDIA, SessionCost.points(cost.mediaPerSecond()),
					SessionCost.points(capacity.media()));
		}
		if (cost.metadataPerSecond() > capacity.viewerMetadata()) {
			return new Decision.Unaffordable(Budget.VIEWER_SHARE, SessionCost.points(cost.metadataPerSecond()),
					SessionCost.points(capacity.viewerMetadata()));
		}
		if (cost.mediaPerSecond() > capacity.viewerMedia()) {
			return new Decision.Unaffordable(Budget.VIEWER_SHARE, SessionCost.points(cost.mediaPerSecond()),
					SessionCost.points(capacity.viewerMedia()));
		}
		return null;
	}

	private static Reservation reservation(AdmissionRequest request, SessionCost cost, Instant now) {
		long expiresAt = nanos(request.expiresAt());
		long mediaUntil = cost.mediaFor() == null ? expiresAt
				: Math.min(expiresAt, nanos(now) + cost.mediaFor().toNanos());
		return new Reservation(request.sessionId(), request.viewer(), cost.metadataPerSecond(), expiresAt,
				cost.mediaPerSecond(), mediaUntil, cost.metadataBurst(), expiresAt);
	}

	/** @return whether it waited {@code retryAfter}; it does not when that would pass the deadline */
	private boolean waited(Duration retryAfter, Instant deadline) {
		if (clock.instant().plus(retryAfter).isAfter(deadline)) {
			return false;
		}
		try {
			sleeper.sleep(retryAfter);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	static long nanos(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), LocalQuotaStore.SECOND), instant.getNano());
	}

	/** How admission waits for budget to free; tests move a clock instead. */
	@FunctionalInterface
	interface Sleeper {

		void sleep(Duration duration) throws InterruptedException;

	}

}
