package io.kvsgateway.security;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Grants a camera request when the caller has scope {@code ingest} and covers the request's stream. A request that
 * names no valid stream is let through to the controller, which refuses it with {@code InvalidArgumentException}
 * before touching any stream.
 */
final class CameraStreamAuthorization implements AuthorizationManager<RequestAuthorizationContext> {

	private final StreamAccess access;

	CameraStreamAuthorization(StreamAccess access) {
		this.access = access;
	}

	@Override
	public AuthorizationResult authorize(Supplier<? extends @Nullable Authentication> authentication,
			RequestAuthorizationContext context) {
		Authentication caller = authentication.get();
		if (caller == null || caller instanceof AnonymousAuthenticationToken || !caller.isAuthenticated()
				|| caller.getAuthorities().stream().noneMatch(a -> CameraSecurity.INGEST.equals(a.getAuthority()))) {
			return new AuthorizationDecision(false);
		}
		Object stream = context.getRequest().getAttribute(CameraAuthenticationFilter.STREAM_ATTRIBUTE);
		if (!(stream instanceof String streamName)) {
			return new AuthorizationDecision(true);
		}
		boolean covered = switch (caller) {
			case JwtAuthenticationToken jwt -> access.permits(jwt.getToken(), streamName);
			case CameraKeyAuthentication key -> key.covers(streamName);
			default -> false;
		};
		return new AuthorizationDecision(covered);
	}

}
