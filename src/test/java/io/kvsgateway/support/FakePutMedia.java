package io.kvsgateway.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.MalformedMkvException;
import io.kvsgateway.sigv4.SigV4Verifier;

/**
 * A scripted upstream KVS for PutMedia over a raw socket: answers {@code /getDataEndpoint} with its own address and
 * {@code /putMedia} with a 200 and ACK lines written while the upload is still open (BUFFERING at a Cluster's start,
 * RECEIVED and PERSISTED once the fragment is complete), numbering fragments as KVS does. Every upload is recorded:
 * its request line, headers, decoded body and chunk sizes. Failures can be scripted: a refusal with a KVS error type,
 * or a dropped connection after some fragments were persisted. It also answers DescribeStream (every name is an ACTIVE
 * stream, except names containing {@code missing}) and ListStreams (the streams that had an upload).
 */
public final class FakePutMedia implements AutoCloseable {

	/** Fragment numbers start here, KVS-long decimal strings. */
	public static final String NUMBER_PREFIX = "9134385233318148191523539420314955";

	private final ServerSocket server;

	private final List<Upload> uploads = new CopyOnWriteArrayList<>();

	/** Streams that had an upload: what ListStreams answers. */
	private final java.util.Set<String> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private final AtomicLong numbers = new AtomicLong(1000);

	private volatile int refuseStatus;

	private volatile String refuseType = "";

	private volatile int dropAfterPersisted = -1;

	private FakePutMedia(ServerSocket server) {
		this.server = server;
	}

	public static FakePutMedia start() throws IOException {
		FakePutMedia fake = new FakePutMedia(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
		Thread.ofVirtual().name("fake-putmedia").start(fake::accept);
		return fake;
	}

	/** @return {@code http://127.0.0.1:port}, for {@code gateway.kvs.endpoint} */
	public String endpoint() {
		return "http://127.0.0.1:" + server.getLocalPort();
	}

	/** Refuses every following PutMedia with this status and {@code x-amzn-ErrorType}. */
	public FakePutMedia refuseWith(int status, String errorType) {
		this.refuseStatus = status;
		this.refuseType = errorType;
		return this;
	}

	/**
	 * Every following upload persists this many fragments, then acknowledges the next one as RECEIVED and drops the
	 * connection without persisting it.
	 */
	public FakePutMedia dropAfterPersisted(int fragments) {
		this.dropAfterPersisted = fragments;
		return this;
	}

	/** Back to accepting and persisting everything. */
	public FakePutMedia reset() {
		this.refuseStatus = 0;
		this.dropAfterPersisted = -1;
		this.uploads.clear();
		return this;
	}

	/** @return the PutMedia requests received so far, in arrival order */
	public List<Upload> uploads() {
		return List.copyOf(uploads);
	}

	/** @return the PutMedia requests received so far for one stream, in arrival order */
	public List<Upload> uploads(String streamName) {
		return uploads.stream().filter(u -> streamName.equals(u.header("x-amzn-stream-name"))).toList();
	}

	private void accept() {
		while (!server.isClosed()) {
			try {
				Socket socket = server.accept();
				Thread.ofVirtual().name("fake-putmedia-connection").start(() -> serve(socket));
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			InputStream in = new BufferedInputStream(socket.getInputStream());
			OutputStream out = socket.getOutputStream();
			while (true) {
				String requestLine = line(in);
				if (requestLine == null || requestLine.isEmpty()) {
					return;
				}
				Map<String, List<String>> headers = new TreeMap<>();
				for (String header; (header = line(in)) != null && !header.isEmpty();) {
					int colon = header.indexOf(':');
					headers.computeIfAbsent(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
							any -> new ArrayList<>()).add(header.substring(colon + 1).trim());
				}
				String path = requestLine.split(" ")[1];
				if (path.endsWith("/putMedia")) {
					Upload upload = new Upload(requestLine, path, headers);
					putMedia(upload, in, out);
					if (upload.dropped) {
						dropGracefully(socket, in);
					}
					return;
				}
				if ("100-continue".equalsIgnoreCase(first(headers, "expect").orElse(""))) {
					out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
					out.flush();
				}
				int length = Integer.parseInt(first(headers, "content-length").orElse("0"));
				String request = new String(in.readNBytes(length), StandardCharsets.UTF_8);
				String operation = path.substring(path.lastIndexOf('/') + 1);
				String json;
				String status = "200 OK";
				String errorType = null;
				switch (operation) {
					case "getDataEndpoint" -> json = "{\"DataEndpoint\":\"" + endpoint() + "\"}";
					case "describeStream" -> {
						String name = request.replaceAll("(?s).*\"StreamName\"\\s*:\\s*\"([^\"]*)\".*", "$1");
						if (name.contains("missing")) {
							status = "404 Not Found";
							errorType = "ResourceNotFoundException";
							json = "{\"Message\":\"The requested stream is not found or not active.\"}";
						}
						else {
							json = "{\"StreamInfo\":" + streamInfo(name) + "}";
						}
					}
					case "listStreams" -> json = "{\"StreamInfoList\":[" + String.join(",",
							streams.stream().sorted().map(FakePutMedia::streamInfo).toList()) + "]}";
					default -> {
						status = "404 Not Found";
						errorType = "UnknownOperationException";
						json = "{\"Message\":\"unknown\"}";
					}
				}
				byte[] body = json.getBytes(StandardCharsets.UTF_8);
				out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n"
						+ (errorType == null ? "" : "x-amzn-ErrorType: " + errorType + "\r\n") + "Content-Length: "
						+ body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
				out.write(body);
				out.flush();
			}
		}
		catch (IOException ignored) {
			// the client went away
		}
	}

	/**
	 * A KVS that fails still delivers the ACK lines it already sent. Closing a socket with unread input answers with
	 * a reset, which makes the peer discard data it has not read yet, ACKs included; so this side is half-closed and
	 * the rest of the upload is read and discarded until the gateway lets go (bounded by a timeout).
	 */
	private static void dropGracefully(Socket socket, InputStream in) {
		try {
			socket.shutdownOutput();
			socket.setSoTimeout(5_000);
			in.transferTo(OutputStream.nullOutputStream());
		}
		catch (IOException ignored) {
			// the gateway closed first, or the timeout passed: either way the drop is done
		}
	}

	private static String streamInfo(String name) {
		return "{\"CreationTime\":1.7E9,\"DataRetentionInHours\":24,\"MediaType\":\"video/h264\",\"Status\":\"ACTIVE\","
				+ "\"StreamARN\":\"arn:aws:kinesisvideo:us-east-1:123456789012:stream/" + name + "/1700000000000\","
				+ "\"StreamName\":\"" + name + "\",\"Version\":\"1\"}";
	}

	private void putMedia(Upload upload, InputStream in, OutputStream out) throws IOException {
		uploads.add(upload);
		String streamName = upload.header("x-amzn-stream-name");
		if (streamName != null) {
			streams.add(streamName);
		}
		if (refuseStatus != 0) {
			byte[] body = ("{\"Message\":\"scripted " + refuseType + "\"}").getBytes(StandardCharsets.UTF_8);
			out.write(("HTTP/1.1 " + refuseStatus + " Refused\r\nx-amzn-ErrorType: " + refuseType
					+ ":http://internal.amazon.com/coral/com.amazon.kinesis.video.v20170930/\r\n"
					+ "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			out.write(body);
			out.flush();
			upload.done = true;
			return;
		}
		out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
			.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
		int dropAfter = dropAfterPersisted;
		int persisted = 0;
		FragmentReader reader = FragmentReader.of(new RecordingChunkedBody(in, upload));
		try {
			for (FragmentReader.Event event; (event = reader.next()) != null;) {
				switch (event) {
					case FragmentReader.HeaderRead header -> {
					}
					case FragmentReader.FragmentStarted started -> ack(out, "BUFFERING", started.timecode(),
							number(upload, started.timecode()));
					case FragmentReader.FragmentRead read -> {
						long timecode = read.fragment().timecode();
						ack(out, "RECEIVED", timecode, number(upload, timecode));
						if (persisted == dropAfter) {
							upload.dropped = true;
							return;
						}
						ack(out, "PERSISTED", timecode, number(upload, timecode));
						upload.persisted.add(timecode);
						persisted++;
					}
				}
			}
			out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		catch (MalformedMkvException e) {
			upload.malformed = e;
			ack(out, "{\"EventType\":\"ERROR\",\"ErrorId\":4006,\"ErrorCode\":\"INVALID_MKV_DATA\"}");
			out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		finally {
			upload.done = true;
		}
	}

	private String number(Upload upload, long timecode) {
		return upload.numbers.computeIfAbsent(timecode, any -> NUMBER_PREFIX + numbers.incrementAndGet());
	}

	private static void ack(OutputStream out, String type, long timecode, String number) throws IOException {
		ack(out, "{\"EventType\":\"" + type + "\",\"FragmentTimecode\":" + timecode + ",\"FragmentNumber\":\""
				+ number + "\"}");
	}

	private static void ack(OutputStream out, String json) throws IOException {
		byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
		out.write((Integer.toHexString(line.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		out.write(line);
		out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	private static @Nullable String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int b; (b = in.read()) != -1;) {
			if (b == '\n') {
				return line.toString().stripTrailing();
			}
			line.append((char) b);
		}
		return line.isEmpty() ? null : line.toString();
	}

	private static Optional<String> first(Map<String, List<String>> headers, String name) {
		List<String> values = headers.get(name);
		return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
	}

	@Override
	public void close() throws IOException {
		server.close();
	}

	/** One PutMedia request as the fake received it. */
	public static final class Upload {

		private final String requestLine;

		private final String path;

		private final Map<String, List<String>> headers;

		private final ByteArrayOutputStream body = new ByteArrayOutputStream();

		private final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();

		private final Map<Long, String> numbers = new java.util.concurrent.ConcurrentHashMap<>();

		private final List<Long> persisted = new CopyOnWriteArrayList<>();

		private volatile boolean done;

		private volatile boolean dropped;

		private volatile @Nullable MalformedMkvException malformed;

		Upload(String requestLine, String path, Map<String, List<String>> headers) {
			this.requestLine = requestLine;
			this.path = path;
			this.headers = headers;
		}

		public String requestLine() {
			return requestLine;
		}

		public String path() {
			return path;
		}

		/** @return header values by lower-case name */
		public Map<String, List<String>> headers() {
			return headers;
		}

		public @Nullable String header(String name) {
			return first(headers, name.toLowerCase(Locale.ROOT)).orElse(null);
		}

		/** @return the decoded body received so far */
		public byte[] body() {
			synchronized (body) {
				return body.toByteArray();
			}
		}

		/** @return the sizes of the HTTP chunks received, in order */
		public List<Integer> chunkSizes() {
			return List.copyOf(chunkSizes);
		}

		/** @return the fragment number the fake gave the fragment with this timecode, if any */
		public @Nullable String fragmentNumber(long timecode) {
			return numbers.get(timecode);
		}

		/** @return the timecodes acknowledged as PERSISTED */
		public List<Long> persisted() {
			return List.copyOf(persisted);
		}

		/** @return whether the body or the connection has ended */
		public boolean done() {
			return done;
		}

		public boolean dropped() {
			return dropped;
		}

		/**
		 * Checks the signature as KVS would, headers only, against one access key.
		 * @return the verifier's answer
		 */
		public SigV4Verifier.Result verify(String accessKeyId, String secret) {
			SigV4Verifier verifier = new SigV4Verifier("kinesisvideo",
					key -> key.equals(accessKeyId) ? Optional.of(secret) : Optional.empty(),
					java.time.Clock.systemUTC());
			return verifier.verify(new SigV4Verifier.Request("POST", path, null, headers::get,
					SigV4Verifier.EMPTY_PAYLOAD_SHA256));
		}

	}

	/** Decodes the chunked request body, recording the decoded bytes and chunk sizes as they arrive. */
	private static final class RecordingChunkedBody extends InputStream {

		private final InputStream in;

		private final Upload upload;

		private long remaining;

		private boolean done;

		RecordingChunkedBody(InputStream in, Upload upload) {
			this.in = in;
			this.upload = upload;
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
				String size = line(in);
				if (size == null) {
					throw new EOFException("closed inside the chunked body");
				}
				remaining = Long.parseLong(size.trim(), 16);
				if (remaining == 0) {
					line(in);
					done = true;
					return -1;
				}
				upload.chunkSizes.add((int) remaining);
			}
			int n = in.read(b, off, (int) Math.min(len, remaining));
			if (n == -1) {
				throw new EOFException("closed inside a chunk");
			}
			synchronized (upload.body) {
				upload.body.write(b, off, n);
			}
			remaining -= n;
			if (remaining == 0) {
				line(in);
			}
			return n;
		}

	}

}
