package io.kvsgateway.quota;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where per-stream reservations, leases and token buckets live. Every method is one atomic step against one stream
 * (a check-and-reserve), so that a shared implementation can run each as a single Redis script. Capacities come with
 * each call; times are nanoseconds since the epoch from the caller's clock. Budgets whose leases have ended are freed
 * lazily by the next call on the stream.
 */
interface QuotaStore {

	/**
	 * Reserves a session if every budget has room (sustained metadata and media, the viewer's share, the metadata
	 * bucket for the burst, one session-URL call), all or nothing. Counts no rejection: see {@link #rejected}.
	 * @return {@link Decision.Granted} or {@link Decision.Rejected}
	 * @throws IllegalStateException when the session already holds a lease
	 */
	Decision reserve(String streamName, Capacity capacity, Reservation reservation, long now);

	/**
	 * Ends a session's lease early: what it holds is freed one second later ({@link LocalQuotaStore#TAIL}), since KVS
	 * may still count the session's requests of the last second; the lease is gone for a second release at once.
	 * @return the lease released, {@literal null} when there was none (unknown, expired or already released)
	 */
	@Nullable Lease release(String sessionId, long now);

	/**
	 * Takes one call from the stream's {@link Budget#SESSION_URLS} or {@link Budget#DATA_ENDPOINT} budget, which no
	 * one-second window may hold more (whole) calls of than the capacity.
	 */
	Permit acquire(String streamName, Capacity capacity, Budget budget, long now);

	/**
	 * Takes one-time points (ListFragments, GetClip) from the stream's metadata and media buckets, both or neither.
	 */
	Permit debit(String streamName, Capacity capacity, long metadata, long media, long now);

	/** Counts a rejection the caller reports to viewers (after any wait), for a stream the store tracks. */
	void rejected(String streamName, Budget budget);

	/** Every tracked stream's budgets, leases and rejection counts. */
	List<StreamQuota> snapshot(long now);

}
