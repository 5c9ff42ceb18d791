package io.kvsgateway.ops;

import java.util.List;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;

import io.kvsgateway.playback.ActiveSessions;
import io.kvsgateway.playback.ActiveSessions.ActiveSession;

/**
 * {@code /actuator/sessions}: the open playback sessions (viewer, stream, mode, protocol, expiry; never the URL, which
 * would let an operator's log replay a viewer's stream), and {@code DELETE /actuator/sessions/{sessionId}} to end one,
 * which frees its lease as the viewer's own DELETE does. Operators only (scope {@code ops}).
 */
@Component
@Endpoint(id = "sessions")
class SessionsEndpoint {

	private final ActiveSessions sessions;

	SessionsEndpoint(ActiveSessions sessions) {
		this.sessions = sessions;
	}

	@ReadOperation
	Sessions sessions() {
		return new Sessions(sessions.list());
	}

	/** 204 when the session was open and is ended now, 404 when no such session is open. */
	@DeleteOperation
	WebEndpointResponse<Void> end(@Selector String sessionId) {
		return new WebEndpointResponse<>(sessions.end(sessionId) ? WebEndpointResponse.STATUS_NO_CONTENT
				: WebEndpointResponse.STATUS_NOT_FOUND);
	}

	/** The open sessions, oldest first. */
	record Sessions(List<ActiveSession> sessions) {
	}

}
