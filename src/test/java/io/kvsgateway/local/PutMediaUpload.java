package io.kvsgateway.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PutMedia producer over a raw socket, as producer-c behaves: the headers are signed with SigV4 over the empty
 * payload ({@link AwsV4HttpSigner}), then the body is streamed with chunked transfer encoding while a reader thread
 * collects the acknowledgement lines as they arrive, so a test can wait for an ACK before sending more.
 */
final class PutMediaUpload implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** End of the ACK stream in {@link #acks}. */
	private static final String END = "\u0000end";

	private final Socket socket;

	private final OutputStream out;

	private final InputStream in;

	private final int status;

	private final Map<String, String> headers;

	private final String errorBody;

	private final BlockingQueue<String> acks = new LinkedBlockingQueue<>();

	private final List<JsonNode> received = new ArrayList<>();

	private boolean ended;

	private PutMediaUpload(Socket socket, OutputStream out, InputStream in, int status, Map<String, String> headers,
			String errorBody) {
		this.socket = socket;
		this.out = out;
		this.in = in;
		this.status = status;
		this.headers = headers;
		this.errorBody = errorBody;
	}

	/**
	 * Sends the signed request head and reads the response head; on 200 a reader thread starts collecting ACKs.
	 * @param kvsHeaders the {@code x-amzn-*} headers
	 */
	static PutMediaUpload open(int port, Map<String, String> kvsHeaders, String secret) {
		SdkHttpRequest.Builder builder = SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:" + port + "/kvs/putMedia"))
			.putHeader("User-Agent", "AWS-PRODUCER-SDK-KVS/test")
			.putHeader("Connection", "keep-alive");
		kvsHeaders.forEach(builder::putHeader);
		SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
			.identity(AwsCredentialsIdentity.create(LocalKvsTestSupport.ACCESS_KEY_ID, secret))
			.request(builder.build())
			.payload(ContentStreamProvider.fromByteArray(new byte[0]))
			.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
			.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
		try {
			Socket socket = new Socket("localhost", port);
			socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
			OutputStream out = socket.getOutputStream();
			StringBuilder head = new StringBuilder("POST /kvs/putMedia HTTP/1.1\r\n");
			signed.request().forEachHeader((name, values) -> values
				.forEach(value -> head.append(name).append(": ").append(value).append("\r\n")));
			if (signed.request().firstMatchingHeader("Host").isEmpty()) {
				head.append("Host: localhost:").append(port).append("\r\n");
			}
			head.append("Transfer-Encoding: chunked\r\n\r\n");
			out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			int status = Integer.parseInt(line(in).split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (String header; !(header = line(in)).isEmpty();) {
				int colon = header.indexOf(':');
				headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
						header.substring(colon + 1).trim());
			}
			String errorBody = "";
			if (status != 200) {
				errorBody = new String(body(in, headers), StandardCharsets.UTF_8);
			}
			PutMediaUpload upload = new PutMediaUpload(socket, out, in, status, headers, errorBody);
			if (status == 200) {
				Thread.ofVirtual().start(upload::readAcks);
			}
			return upload;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	int status() {
		return status;
	}

	@Nullable String header(String name) {
		return headers.get(name.toLowerCase(Locale.ROOT));
	}

	String errorBody() {
		return errorBody;
	}

	/** Sends bytes as one chunk. */
	PutMediaUpload send(byte[] bytes, int from, int to) {
		try {
			if (to > from) {
				out.write((Integer.toHexString(to - from) + "\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(bytes, from, to - from);
				out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends bytes in chunks of at most {@code chunkSize}, as a camera trickles its output. */
	PutMediaUpload sendInChunks(byte[] bytes, int from, int to, int chunkSize) {
		for (int at = from; at < to; at += chunkSize) {
			send(bytes, at, Math.min(to, at + chunkSize));
		}
		return this;
	}

	/** Ends the body properly (the last, empty chunk). */
	PutMediaUpload finish() {
		try {
			out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Drops the connection without ending the body, as a camera that loses power. */
	void disconnect() {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** @return the next ACK, waiting for it; {@literal null} once the response has ended */
	@Nullable JsonNode nextAck(Duration timeout) {
		if (ended) {
			return null;
		}
		try {
			String line = acks.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (line == null) {
				throw new AssertionError("no acknowledgement within " + timeout + "; so far " + received);
			}
			if (END.equals(line)) {
				ended = true;
				return null;
			}
			JsonNode ack = JSON.readTree(line);
			received.add(ack);
			return ack;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Reads ACKs until one of the given type arrives and returns it. */
	JsonNode awaitAck(String eventType, Duration timeout) {
		for (JsonNode ack; (ack = nextAck(timeout)) != null;) {
			if (eventType.equals(ack.get("EventType").stringValue())) {
				return ack;
			}
		}
		throw new AssertionError("the response ended without " + eventType + "; got " + received);
	}

	/** Every ACK until the response ends, including those read before. */
	List<JsonNode> allAcks(Duration timeout) {
		while (nextAck(timeout) != null) {
			// collect
		}
		return List.copyOf(received);
	}

	@Override
	public void close() {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	private void readAcks() {
		try {
			ByteArrayOutputStream pending = new ByteArrayOutputStream();
			while (true) {
				int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
				if (size == 0) {
					break;
				}
				byte[] data = in.readNBytes(size);
				line(in);
				for (byte b : data) {
					if (b == '\n') {
						acks.add(pending.toString(StandardCharsets.UTF_8));
						pending.reset();
					}
					else {
						pending.write(b);
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// the connection ended
		}
		finally {
			acks.add(END);
		}
	}

	private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
		String length = headers.get("content-length");
		if (length != null) {
			return in.readNBytes(Integer.parseInt(length));
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
			if (size == 0) {
				line(in);
				return body.toByteArray();
			}
			body.write(in.readNBytes(size));
			line(in);
		}
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b; (b = in.read()) != '\n';) {
			if (b < 0) {
				throw new IOException("connection closed");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.US_ASCII);
	}

}
