package io.kvsgateway.quota;

import java.time.Instant;

/**
 * A granted session's hold on its stream's budgets, until it expires or is released with
 * {@link Admission#release(String)}.
 *
 * @param sessionId the session the lease belongs to
 * @param streamName the stream whose budgets it holds
 * @param viewer the viewer (token subject) it was granted to
 * @param metadataPointsPerSecond the fragment-metadata points per second it reserves
 * @param mediaPointsPerSecond the fragment-media points per second it reserves
 * @param mediaUntil when its media reservation ends (an on-demand session's expected end of loading, else expiry)
 * @param expiresAt when the session and every reservation end
 */
public record Lease(String sessionId, String streamName, String viewer, double metadataPointsPerSecond,
		double mediaPointsPerSecond, Instant mediaUntil, Instant expiresAt) {

}
