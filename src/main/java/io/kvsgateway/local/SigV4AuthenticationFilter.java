package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

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
		byte[] body = readBounded(request);
		if (body == null) {
			KvsErrorHandler.write(KvsError.of(HttpStatus.PAYLOAD_TOO_LARGE, "InvalidArgumentException",
					"The request body exceeds " + maxBody + " bytes."), response);
			return;
		}
		verified(request, response, chain, new BufferedRequest(request, body), SigV4Verifier.sha256Hex(body), path);
	}

	/** Verifies the signature over the given payload hash and passes {@code forward} on, or answers the error. */
	private void verified(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			HttpServletRequest forward, String payloadSha256, String path) throws ServletException, IOException {
		SigV4Verifier.Result result = verifier.verify(new SigV4Verifier.Request(request.getMethod(),
				request.getRequestURI(), request.getQueryString(), name -> headers(request, name), payloadSha256));
		switch (result) {
			case SigV4Verifier.Verified verified -> chain.doFilter(forward, response);
			case SigV4Verifier.Rejected rejected -> {
				log.debug("Rejected SigV4 on {}: {}", KvsRequest.printable(path), rejected.reason());
				KvsErrorHandler.write(KvsError.authentication(rejected.reason().errorType(), rejected.message()),
						response);
			}
		}
	}

	private static List<String> headers(HttpServletRequest request, String name) {
		return Collections.list(request.getHeaders(name));
	}

	/** Reads at most maxBody bytes; {@literal null} when the body is larger. */
	private byte @Nullable [] readBounded(HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > maxBody) {
			return null;
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
			return (body.length > maxBody) ? null : body;
		}
	}

	/** Replays the buffered body to the controller. */
	private static final class BufferedRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		BufferedRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {

				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("Synchronous replay only");
				}

			};
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}

	}

}
