package io.kvsgateway.quota;

import java.time.Instant;

/**
 * A request to open one playback session.
 *
 * @param streamName the KVS stream
 * @param viewer the viewer's identity (token subject), for the viewer share
 * @param sessionId the gateway's session id, the key of the lease
 * @param profile how the session plays, to price it
 * @param expiresAt when the session URL expires; sustained reservations are held until then
 */
public record AdmissionRequest(String streamName, String viewer, String sessionId, SessionProfile profile,
		Instant expiresAt) {

}
