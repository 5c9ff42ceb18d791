package io.kvsgateway.security;

import java.io.IOException;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

import io.kvsgateway.sigv4.ServletRequests;
import io.kvsgateway.sigv4.SigV4Verifier;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds the stream a camera request is about (for {@link CameraStreamAuthorization}) and authenticates SigV4-signed
 * requests against the configured camera keys. Bearer tokens are left to the resource server's filter, which runs
 * next. PutMedia's body is never read here: its name is a header and its signature covers the headers only.
 */
class CameraAuthenticationFilter extends OncePerRequestFilter {

	/** Request attribute holding the stream name the request names, when it names a valid one. */
	static final String STREAM_ATTRIBUTE = CameraAuthenticationFilter.class.getName() + ".stream";

	private static final Logger log = LoggerFactory.getLogger(CameraAuthenticationFilter.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

	private final SigV4Verifier verifier;

	private final Map<String, SecurityProperties.Camera> cameras;

	private final int maxJsonBody;

	private final CameraErrors errors;

	CameraAuthenticationFilter(SigV4Verifier verifier, Map<String, SecurityProperties.Camera> cameras,
			int maxJsonBody, CameraErrors errors) {
		this.verifier = verifier;
		this.cameras = cameras;
		this.maxJsonBody = maxJsonBody;
		this.errors = errors;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		boolean putMedia = path.equals("/putMedia");
		HttpServletRequest forwarded = request;
		String payloadHash = SigV4Verifier.EMPTY_PAYLOAD_SHA256;
		if (putMedia) {
			setStream(request, request.getHeader("x-amzn-stream-name"));
		}
		else {
			byte[] body = ServletRequests.readBody(request, maxJsonBody);
			if (body == null) {
				errors.write(response, HttpStatus.PAYLOAD_TOO_LARGE, "InvalidArgumentException",
						"The request body exceeds " + maxJsonBody + " bytes.");
				return;
			}
			setStream(request, streamName(body));
			forwarded = ServletRequests.withBody(request, body);
			payloadHash = SigV4Verifier.sha256Hex(body);
		}
		String authorization = request.getHeader("Authorization");
		if (authorization != null && authorization.startsWith(SigV4Verifier.ALGORITHM)) {
			SigV4Verifier.Result result = verifier.verify(new SigV4Verifier.Request(request.getMethod(),
					request.getRequestURI(), request.getQueryString(), ServletRequests.headers(request), payloadHash));
			switch (result) {
				case SigV4Verifier.Verified verified -> {
					SecurityContext context = contexts.createEmptyContext();
					context.setAuthentication(new CameraKeyAuthentication(verified.accessKeyId(),
							cameras.get(verified.accessKeyId()).streams()));
					contexts.setContext(context);
				}
				case SigV4Verifier.Rejected rejected -> {
					log.debug("Refused a camera's SigV4 signature on {}: {}", path, rejected.reason());
					errors.write(response, rejected.reason() == SigV4Verifier.Reason.MALFORMED ? HttpStatus.BAD_REQUEST
							: HttpStatus.FORBIDDEN, rejected.reason().errorType(), rejected.message());
					return;
				}
			}
		}
		chain.doFilter(forwarded, response);
	}

	private static void setStream(HttpServletRequest request, @Nullable String streamName) {
		if (streamName != null && !streamName.isEmpty()) {
			request.setAttribute(STREAM_ATTRIBUTE, streamName);
		}
	}

	private static @Nullable String streamName(byte[] body) {
		try {
			JsonNode name = JSON.readTree(body).path("StreamName");
			return name.isString() ? name.asString() : null;
		}
		catch (RuntimeException notJson) {
			return null;
		}
	}

}
