package io.kvsgateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/** Camera-path 401 and 403 in KVS's error envelope (see {@link CameraSecurity}); never echoes a credential. */
class CameraErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException authException) throws IOException {
		boolean presented = request.getHeader("Authorization") != null;
		response.setHeader("WWW-Authenticate", presented && authException instanceof InvalidBearerTokenException
				? "Bearer error=\"invalid_token\"" : "Bearer");
		write(response, HttpStatus.UNAUTHORIZED,
				presented ? "NotAuthorizedException" : "MissingAuthenticationTokenException",
				presented ? "The token is not valid." : "Missing Authentication Token");
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response,
			AccessDeniedException accessDeniedException) throws IOException {
		write(response, HttpStatus.FORBIDDEN, "NotAuthorizedException",
				"The camera is not authorized to write this stream.");
	}

	void write(HttpServletResponse response, HttpStatus status, String errorType, String message) throws IOException {
		byte[] body = JSON.writeValueAsString(Map.of("Message", message)).getBytes(StandardCharsets.UTF_8);
		response.setStatus(status.value());
		response.setHeader("x-amzn-ErrorType", errorType);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(body.length);
		// A refused PutMedia may be followed by megabytes of body; do not keep the connection to drain them.
		response.setHeader("Connection", "close");
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

}
