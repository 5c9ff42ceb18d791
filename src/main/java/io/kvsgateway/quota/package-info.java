/**
 * The quota-aware scheduler: keeps every stream inside the per-stream budgets KVS enforces on archived media
 * (fragment metadata 10,000 points/s and fragment media 500 points/s shared by all of a stream's HLS/DASH sessions,
 * ListFragments and GetClip calls; 25 session URLs/s; 5 GetDataEndpoint/s), so that one busy stream never turns into
 * {@code ClientLimitExceededException} for its viewers.
 * <p>
 * It owns the cost model of a playback session ({@link io.kvsgateway.quota.SessionProfile}), the budgets of each
 * stream ({@code gateway.quota.*}), admission ({@link io.kvsgateway.quota.Admission}: granted with a lease, or
 * rejected with the budget that is full and when to retry), leases and token buckets, and their stores (in memory
 * for one replica; Redis, shared by several, with a configured fallback while it cannot be reached). It depends on no other module.
 */
@NullMarked
package io.kvsgateway.quota;

import org.jspecify.annotations.NullMarked;
