package io.kvsgateway.quota;

/**
 * One check-and-reserve request to the store: everything a session takes from its stream, with absolute end times
 * (nanoseconds since the epoch), so the store needs no cost model.
 *
 * @param sessionId the lease's key for {@code release}
 * @param viewer the token subject, for the viewer share
 * @param metadataPerSecond sustained fragment-metadata micro-points per second
 * @param metadataUntil when the metadata reservation ends
 * @param mediaPerSecond sustained fragment-media micro-points per second
 * @param mediaUntil when the media reservation ends
 * @param metadataBurst one-time fragment-metadata micro-points, taken from the stream's metadata bucket
 * @param expiresAt when the session ends
 */
record Reservation(String sessionId, String viewer, long metadataPerSecond, long metadataUntil, long mediaPerSecond,
		long mediaUntil, long metadataBurst, long expiresAt) {

}
