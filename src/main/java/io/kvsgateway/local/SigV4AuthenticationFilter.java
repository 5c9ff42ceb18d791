package io.kvsgateway.local;

import java.io.IOException;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import io.kvsgateway.sigv4.ServletRequests;
import io.kvsgateway.sigv4.SigV4Verifier;

/**
 * Authenticates the JSON APIs under {@code /kvs/*} with SigV4, as KVS does, and stamps every response with a request
 * id.
 * <p>
 * The HLS and DASH resources ({@code /kvs/hls/*}, {@code /kvs/dash/*}) are skipped: their session token is the
 * credential.
 */
class SigV4AuthenticationFilter extends OncePerRequestFilter {

	static final String REQUEST_ID_HEADER = "x-amzn-RequestId";

	static final String PUT_MEDIA_PATH = "/kvs/putMedia";

	private static final Logger log = LoggerFactory.getLogger(SigV4AuthenticationFilter.class);

	private final SigV4Verifier verifier;

	private final long maxBody;

	SigV4AuthenticationFilter(SigV4Verifier verifier, long maxBody) {
		this.verifier = verifier;
		this.maxBody = maxBody;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader(REQUEST_ID_HEADER, UUID.randomUUID().toString());
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if (path.startsWith("/kvs/hls/") || path.startsWith("/kvs/dash/")) {
			chain.doFilter(request, response);
			return;
		}
		if (path.equals(PUT_MEDIA_PATH)) {
			// PutMedia is a long streaming upload: producers sign its headers only, so it is verified before, and
			// without, reading the body. The payload hash signed is the empty-string hash (producer-c, which sends no
			// x-amz-content-sha256), or UNSIGNED-PAYLOAD / STREAMING-... declared in x-amz-content-sha256, which the
			// verifier takes verbatim; a declared hash of real content cannot be checked here and is refused.
			verified(request, response, chain, request, SigV4Verifier.EMPTY_PAYLOAD_SHA256, path);
			return;
		}
		byte[] body = ServletRequests.readBody(request, maxBody);
		if (body == null) {
			KvsErrorHandler.write(KvsError.of(HttpStatus.PAYLOAD_TOO_LARGE, "InvalidArgumentException",
					"The request body exceeds " + maxBody + " bytes."), response);
			return;
		}
		verified(request, response, chain, ServletRequests.withBody(request, body), SigV4Verifier.sha256Hex(body), path);
	}

	/** Verifies the signature over the given payload hash and passes {@code forward} on, or answers the error. */
	private void verified(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			HttpServletRequest forward, String payloadSha256, String path) throws ServletException, IOException {
		SigV4Verifier.Result result = verifier.verify(new SigV4Verifier.Request(request.getMethod(),
				request.getRequestURI(), request.getQueryString(), ServletRequests.headers(request), payloadSha256));
		switch (result) {
			case SigV4Verifier.Verified verified -> chain.doFilter(forward, response);
			case SigV4Verifier.Rejected rejected -> {
				log.debug("Rejected SigV4 on {}: {}", KvsRequest.printable(path), rejected.reason());
				KvsErrorHandler.write(KvsError.authentication(rejected.reason().errorType(), rejected.message()),
						response);
			}
		}
	}

}
