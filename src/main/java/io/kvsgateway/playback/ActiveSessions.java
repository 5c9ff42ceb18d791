package io.kvsgateway.playback;

import java.time.Instant;
import java.util.List;

/**
 * The open playback sessions, for operators: who watches what, and a way to end a session regardless of its viewer
 * (a runaway player, a revoked viewer). Ending frees the session's lease exactly as the viewer's own
 * {@code DELETE /v1/playback-sessions/{id}} does.
 */
public interface ActiveSessions {

	/** @return the sessions not yet ended or expired, oldest first */
	List<ActiveSession> list();

	/**
	 * Ends the session and frees its share of the stream's budgets.
	 *
	 * @return {@literal false} when no such session is open
	 */
	boolean end(String sessionId);

	/**
	 * One open session, without its URL (a bearer credential for the stream).
	 *
	 * @param sessionId the id the viewer ends it with
	 * @param viewer the token subject that opened it
	 * @param streamName the stream
	 * @param playbackMode LIVE, LIVE_REPLAY or ON_DEMAND
	 * @param protocol HLS or DASH
	 * @param createdAt when it was granted
	 * @param expiresAt when KVS stops serving its URL
	 */
	record ActiveSession(String sessionId, String viewer, String streamName, String playbackMode, String protocol,
			Instant createdAt, Instant expiresAt) {
	}

}
