package io.kvsgateway.playback;

import java.time.Instant;

import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.quota.Lease;

/**
 * One viewer's playback session: the URL handed to exactly one player, and what it was asked for.
 *
 * @param sessionId opaque id the viewer ends the session with
 * @param viewer the token subject that opened it
 * @param request the KVS parameters, defaults included
 * @param url the session URL
 * @param createdAt when it was granted
 * @param expiresAt when KVS stops serving the URL
 * @param lease what the session holds of its stream's budgets, released when the viewer ends it
 */
record PlaybackSession(String sessionId, String viewer, PlaybackUrlRequest request, String url, Instant createdAt,
		Instant expiresAt, Lease lease) {
}
