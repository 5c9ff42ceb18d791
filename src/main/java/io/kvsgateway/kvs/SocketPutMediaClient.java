package io.kvsgateway.kvs;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.kvsgateway.putmedia.Ack;
import io.kvsgateway.putmedia.AckError;
import io.kvsgateway.putmedia.ProducerTimestamps.TimecodeType;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * PutMedia on a plain HTTP/1.1 socket: the body goes out as chunks on the caller's thread while a virtual thread reads
 * the ACK lines of the same connection. {@code java.net.http} is not used because it does not hand out the response
 * before the request body has been sent, and a PutMedia response must be read while the body is still open.
 * <p>
 * Signing follows producer-c: SigV4 with service {@code kinesisvideo} and the SHA-256 of the empty string as payload
 * hash, no chunk signatures. {@code Transfer-Encoding} and {@code Connection} are added after signing, because they
 * describe the hop, not the request, and a proxy may rewrite them.
 */
@Component
class SocketPutMediaClient implements PutMediaClient {

	static final String USER_AGENT = "kvs-gateway/0.1";

	private static final Logger log = LoggerFactory.getLogger(SocketPutMediaClient.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final byte[] CRLF = { '\r', '\n' };

	private final DataEndpoints endpoints;

	private final KvsClients clients;

	private final KvsProperties properties;

	private final KvsErrors errors;

	private final Clock clock;

	SocketPutMediaClient(DataEndpoints endpoints, KvsClients clients, KvsProperties properties, Clock clock) {
		this.endpoints = endpoints;
		this.clients = clients;
		this.properties = properties;
		this.errors = new KvsErrors(properties);
		this.clock = clock;
	}

	@Override
	public PutMediaUpload open(String streamName, TimecodeType type, @Nullable Instant producerStart,
			AckListener listener) {
		URI endpoint;
		try {
			endpoint = endpoints.get(streamName, APIName.PUT_MEDIA);
		}
		catch (SdkException e) {
			throw errors.translate(e, streamName);
		}
		URI uri = putMediaUri(endpoint);
		SignedRequest signed = sign(uri, streamName, type, producerStart);
		Socket socket = connect(uri);
		try {
			SocketUpload upload = new SocketUpload(streamName, socket, listener);
			upload.sendHead(signed.request());
			Thread.ofVirtual().name("putmedia-acks-" + streamName).start(upload::readResponse);
			return upload;
		}
		catch (IOException e) {
			close(socket);
			// The stream's endpoint may have moved; ask again next time.
			endpoints.invalidate(streamName, APIName.PUT_MEDIA);
			throw new PutMediaException.ConnectionFailed("could not send the PutMedia request to " + uri.getHost(), e);
		}
	}

	static URI putMediaUri(URI endpoint) {
		String base = endpoint.toString();
		return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/putMedia");
	}

	private SignedRequest sign(URI uri, String streamName, TimecodeType type, @Nullable Instant producerStart) {
		SdkHttpRequest.Builder request = SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(uri)
			.putHeader("Host", hostHeader(uri))
			.putHeader("Content-Type", "application/json")
			.putHeader("User-Agent", USER_AGENT)
			.putHeader("x-amzn-stream-name", streamName)
			.putHeader("x-amzn-fragment-timecode-type", type.name())
			.putHeader("x-amzn-fragment-acknowledgment-required", "1");
		if (producerStart != null) {
			request.putHeader("x-amzn-producer-start-timestamp", producerStartHeader(producerStart));
		}
		return AwsV4HttpSigner.create()
			.sign(r -> r.identity(clients.credentials().resolveCredentials())
				.request(request.build())
				// The body is streamed after signing; like producer-c, sign it as empty.
				.payload(ContentStreamProvider.fromByteArray(new byte[0]))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
				.putProperty(AwsV4HttpSigner.REGION_NAME, properties.region())
				.putProperty(HttpSigner.SIGNING_CLOCK, clock));
	}

	/** Seconds since the epoch with three-digit milliseconds, which every KVS parser reads the same way. */
	static String producerStartHeader(Instant start) {
		long millis = start.toEpochMilli();
		return String.format(Locale.ROOT, "%d.%03d", Math.floorDiv(millis, 1000), Math.floorMod(millis, 1000));
	}

	private static String hostHeader(URI uri) {
		int port = uri.getPort();
		boolean standard = port == -1 || ("https".equalsIgnoreCase(uri.getScheme()) && port == 443)
				|| ("http".equalsIgnoreCase(uri.getScheme()) && port == 80);
		return standard ? uri.getHost() : uri.getHost() + ":" + port;
	}

	private Socket connect(URI uri) {
		boolean https = "https".equalsIgnoreCase(uri.getScheme());
		int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(uri.getHost(), port), (int) properties.connectTimeout().toMillis());
			socket.setSoTimeout((int) properties.putMediaReadTimeout().toMillis());
			if (!https) {
				return socket;
			}
			SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket,
					uri.getHost(), port, true);
			SSLParameters parameters = tls.getSSLParameters();
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			tls.setSSLParameters(parameters);
			tls.startHandshake();
			return tls;
		}
		catch (IOException e) {
			close(socket);
			throw new PutMediaException.ConnectionFailed("could not connect to the PutMedia endpoint " + uri.getHost(),
					e);
		}
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ignored) {
			// closing is all that is left to do
		}
	}

	/** One upload: writes under a lock, reads on its own thread. */
	private final class SocketUpload implements PutMediaUpload {

		private final String streamName;

		private final Socket socket;

		private final OutputStream out;

		private final AckListener listener;

		private final CountDownLatch ended = new CountDownLatch(1);

		private final AtomicBoolean reported = new AtomicBoolean();

		private volatile boolean bodyFinished;

		private volatile boolean aborted;

		private volatile @Nullable PutMediaException failure;

		SocketUpload(String streamName, Socket socket, AckListener listener) throws IOException {
			this.streamName = streamName;
			this.socket = socket;
			this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
			this.listener = listener;
		}

		void sendHead(SdkHttpRequest request) throws IOException {
			StringBuilder head = new StringBuilder(1024).append("POST ")
				.append(request.encodedPath().isEmpty() ? "/" : request.encodedPath())
				.append(" HTTP/1.1\r\n");
			request.forEachHeader((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v)
				.append("\r\n")));
			head.append("Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n");
			synchronized (this) {
				out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
			}
		}

		@Override
		public void write(ByteBuffer bytes) {
			if (!bytes.hasRemaining()) {
				return;
			}
			synchronized (this) {
				failIfEnded();
				try {
					out.write(Integer.toHexString(bytes.remaining()).getBytes(StandardCharsets.US_ASCII));
					out.write(CRLF);
					Channels.newChannel(out).write(bytes.duplicate());
					out.write(CRLF);
					out.flush();
				}
				catch (IOException e) {
					PutMediaException known = failure;
					throw known != null ? known : fail(new PutMediaException.ConnectionFailed(
							"PutMedia connection of " + streamName + " failed while sending", e));
				}
			}
		}

		private void failIfEnded() {
			PutMediaException known = failure;
			if (known != null) {
				throw known;
			}
			if (bodyFinished) {
				throw new IllegalStateException("the upload is finished");
			}
		}

		@Override
		public void finish() {
			synchronized (this) {
				failIfEnded();
				// Set before the last chunk goes out: KVS may end its response the moment it arrives, and the reader
				// must then take that end as the normal one, not as an upload cut short.
				bodyFinished = true;
				try {
					out.write(new byte[] { '0', '\r', '\n', '\r', '\n' });
					out.flush();
				}
				catch (IOException e) {
					PutMediaException known = failure;
					throw known != null ? known : fail(new PutMediaException.ConnectionFailed(
							"PutMedia connection of " + streamName + " failed while finishing", e));
				}
			}
			try {
				if (!ended.await(properties.putMediaReadTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
					fail(new PutMediaException.ConnectionFailed("KVS did not end the PutMedia response of "
							+ streamName + " within " + properties.putMediaReadTimeout(), null));
					ended.await();
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				abort();
			}
		}

		@Override
		public void abort() {
			aborted = true;
			close(socket);
		}

		/** Records the first failure and drops the connection; the reader thread then reports it. */
		private PutMediaException fail(PutMediaException e) {
			if (failure == null) {
				failure = e;
			}
			close(socket);
			return e;
		}

		void readResponse() {
			PutMediaException outcome = null;
			try {
				InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
				String statusLine = HttpHead.readLine(in);
				if (statusLine == null) {
					throw new EOFException("the connection closed before a status line");
				}
				int status = HttpHead.status(statusLine);
				Map<String, String> headers = HttpHead.readHeaders(in);
				InputStream body = HttpHead.body(in, headers);
				if (status != 200) {
					outcome = refusal(status, headers, body);
				}
				else {
					outcome = readAcks(body);
				}
			}
			catch (IOException | RuntimeException e) {
				PutMediaException known = failure;
				outcome = known != null ? known : new PutMediaException.ConnectionFailed(aborted
						? "PutMedia upload of " + streamName + " was aborted"
						: "PutMedia connection of " + streamName + " failed: " + e.getMessage(), e);
			}
			finally {
				close(socket);
			}
			if (outcome != null && failure == null) {
				failure = outcome;
			}
			report(outcome);
		}

		private PutMediaException.Refused refusal(int status, Map<String, String> headers, InputStream body)
				throws IOException {
			String type = headers.getOrDefault("x-amzn-errortype", "");
			int colon = type.indexOf(':');
			type = colon < 0 ? type.trim() : type.substring(0, colon).trim();
			byte[] bytes = body.readNBytes(64 * 1024);
			String message = "KVS refused PutMedia";
			try {
				JsonNode json = JSON.readTree(bytes);
				JsonNode text = json.has("Message") ? json.get("Message") : json.get("message");
				if (text != null && text.isString()) {
					message = text.asString();
				}
			}
			catch (RuntimeException notJson) {
				// a proxy's HTML page: keep the status and type
			}
			// The endpoint may be stale (a moved stream, a retired cell): resolve it afresh next time.
			endpoints.invalidate(streamName, APIName.PUT_MEDIA);
			return new PutMediaException.Refused(status, type, message);
		}

		private @Nullable PutMediaException readAcks(InputStream body) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream(256);
			for (int b; (b = body.read()) != -1;) {
				if (b != '\n') {
					if (line.size() > 64 * 1024) {
						throw new IOException("an ACK line longer than 64 KiB");
					}
					line.write(b);
					continue;
				}
				PutMediaException refused = acknowledge(line.toString(StandardCharsets.UTF_8).trim());
				line.reset();
				if (refused != null) {
					return refused;
				}
			}
			String rest = line.toString(StandardCharsets.UTF_8).trim();
			if (!rest.isEmpty()) {
				PutMediaException refused = acknowledge(rest);
				if (refused != null) {
					return refused;
				}
			}
			return bodyFinished ? null : new PutMediaException.ConnectionFailed(
					"KVS ended the PutMedia response of " + streamName + " before the upload finished", null);
		}

		private PutMediaException.@Nullable Refused acknowledge(String line) {
			if (line.isEmpty()) {
				return null;
			}
			JsonNode json = JSON.readTree(line);
			JsonNode output = json.path("Output").path("__type");
			if (output.isString()) {
				// A wrong path has been seen to come back as 200 with this body (kvs-wire-protocol.md).
				String type = output.asString();
				return new PutMediaException.Refused(200, type.substring(type.lastIndexOf('#') + 1),
						"KVS answered PutMedia with " + type);
			}
			Ack ack = parseAck(json);
			if (ack != null) {
				listener.acknowledged(ack);
			}
			return null;
		}

		private void report(@Nullable PutMediaException outcome) {
			if (reported.compareAndSet(false, true)) {
				try {
					listener.ended(outcome);
				}
				finally {
					ended.countDown();
				}
			}
		}

	}

	/**
	 * @return the ACK, or {@literal null} for a line that is not one (logged: KVS may add event types)
	 */
	static @Nullable Ack parseAck(JsonNode json) {
		String type = json.path("EventType").asString("");
		Long timecode = json.path("FragmentTimecode").isNumber() ? json.get("FragmentTimecode").asLong() : null;
		String number = json.path("FragmentNumber").isString() ? json.get("FragmentNumber").asString() : null;
		return switch (type) {
			case "BUFFERING" -> new Ack(Ack.Type.BUFFERING, timecode, number, null);
			case "RECEIVED" -> new Ack(Ack.Type.RECEIVED, timecode, number, null);
			case "PERSISTED" -> new Ack(Ack.Type.PERSISTED, timecode, number, null);
			case "IDLE" -> new Ack(Ack.Type.IDLE, timecode, number, null);
			case "ERROR" -> Ack.error(timecode, number, error(json.path("ErrorId").asInt(5000)));
			default -> {
				log.debug("Ignoring a PutMedia event of type '{}'", type);
				yield null;
			}
		};
	}

	private static AckError error(int id) {
		for (AckError error : AckError.values()) {
			if (error.id() == id && error != AckError.MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY) {
				return error;
			}
		}
		return id == 4005 ? AckError.MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY : AckError.INTERNAL_ERROR;
	}

	/** The small part of HTTP/1.1 response parsing PutMedia needs. */
	static final class HttpHead {

		private HttpHead() {
		}

		static @Nullable String readLine(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			for (int b; (b = in.read()) != -1;) {
				if (b == '\n') {
					int end = line.length();
					return (end > 0 && line.charAt(end - 1) == '\r') ? line.substring(0, end - 1) : line.toString();
				}
				if (line.length() > 16 * 1024) {
					throw new IOException("an HTTP header line longer than 16 KiB");
				}
				line.append((char) b);
			}
			return line.isEmpty() ? null : line.toString();
		}

		static int status(String statusLine) throws IOException {
			String[] parts = statusLine.split(" ", 3);
			if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
				throw new IOException("not an HTTP/1.1 status line");
			}
			try {
				return Integer.parseInt(parts[1]);
			}
			catch (NumberFormatException e) {
				throw new IOException("not an HTTP status: " + parts[1]);
			}
		}

		/** @return headers by lower-case name; repeated headers are joined with a comma */
		static Map<String, String> readHeaders(InputStream in) throws IOException {
			Map<String, String> headers = new TreeMap<>();
			for (String line; (line = readLine(in)) != null && !line.isEmpty();) {
				int colon = line.indexOf(':');
				if (colon > 0) {
					headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
							line.substring(colon + 1).trim(), (a, b) -> a + "," + b);
				}
			}
			return headers;
		}

		static InputStream body(InputStream in, Map<String, String> headers) {
			if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
				return new ChunkedInputStream(in);
			}
			String length = headers.get("content-length");
			if (length != null) {
				try {
					return new BoundedInputStream(in, Long.parseLong(length.trim()));
				}
				catch (NumberFormatException e) {
					// fall through: read to the end of the connection
				}
			}
			return in;
		}

	}

	/** Decodes a chunked body; ends at the last chunk. */
	static final class ChunkedInputStream extends InputStream {

		private final InputStream in;

		private long remaining;

		private boolean done;

		ChunkedInputStream(InputStream in) {
			this.in = in;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			if (done) {
				return -1;
			}
			if (remaining == 0) {
				String size = HttpHead.readLine(in);
				if (size == null) {
					throw new EOFException("the connection closed inside a chunked response");
				}
				int semicolon = size.indexOf(';');
				try {
					remaining = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
				}
				catch (NumberFormatException e) {
					throw new IOException("a malformed chunk size");
				}
				if (remaining == 0) {
					// trailers, then the blank line
					while (true) {
						String trailer = HttpHead.readLine(in);
						if (trailer == null || trailer.isEmpty()) {
							break;
						}
					}
					done = true;
					return -1;
				}
			}
			int n = in.read(b, off, (int) Math.min(len, remaining));
			if (n == -1) {
				throw new EOFException("the connection closed inside a chunk");
			}
			remaining -= n;
			if (remaining == 0) {
				String crlf = HttpHead.readLine(in);
				if (crlf == null || !crlf.isEmpty()) {
					throw new IOException("a chunk not followed by CRLF");
				}
			}
			return n;
		}

	}

	/** Reads at most a declared Content-Length. */
	static final class BoundedInputStream extends InputStream {

		private final InputStream in;

		private long remaining;

		BoundedInputStream(InputStream in, long length) {
			this.in = in;
			this.remaining = length;
		}

		@Override
		public int read() throws IOException {
			if (remaining <= 0) {
				return -1;
			}
			int b = in.read();
			if (b != -1) {
				remaining--;
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			if (remaining <= 0) {
				return -1;
			}
			int n = in.read(b, off, (int) Math.min(len, remaining));
			if (n > 0) {
				remaining -= n;
			}
			return n;
		}

	}

}
