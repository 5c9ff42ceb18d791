package io.kvsgateway.sigv4;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * What a servlet filter needs to verify a signed JSON request: its headers as received, its body read once within a
 * bound (the signature covers the body's hash), and the same body replayed to the controller afterwards.
 */
public final class ServletRequests {

	private ServletRequests() {
	}

	/**
	 * @param request the request
	 * @return every value of a header, by name, as received
	 */
	public static Function<String, List<String>> headers(HttpServletRequest request) {
		return name -> Collections.list(request.getHeaders(name));
	}

	/**
	 * Reads the whole body, refusing to hold more than {@code maxBytes}.
	 *
	 * @param request the request, whose body is consumed
	 * @param maxBytes the bound
	 * @return the body, or {@literal null} when it is larger than the bound
	 * @throws IOException when reading fails
	 */
	public static byte @Nullable [] readBody(HttpServletRequest request, long maxBytes) throws IOException {
		if (request.getContentLengthLong() > maxBytes) {
			return null;
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
			return body.length > maxBytes ? null : body;
		}
	}

	/**
	 * @param request the request whose body was read
	 * @param body the body that was read
	 * @return the request with its body readable again
	 */
	public static HttpServletRequest withBody(HttpServletRequest request, byte[] body) {
		return new BufferedRequest(request, body);
	}

	/** Replays a buffered body. */
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
					throw new UnsupportedOperationException("synchronous replay only");
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
