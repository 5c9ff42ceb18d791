package io.kvsgateway.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

/**
 * A camera's PutMedia on a raw socket, full duplex like a producer: the body is sent as chunks whenever the test
 * says, while a virtual thread reads the status, headers and ACK lines as they come.
 */
public final class CameraConnection implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Socket socket;

	private final OutputStream out;

	private final CompletableFuture<Integer> status = new CompletableFuture<>();

	private final Map<String, String> headers = new TreeMap<>();

	private final BlockingQueue<Map<String, Object>> acks = new LinkedBlockingQueue<>();

	private final List<Map<String, Object>> all = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final CompletableFuture<String> ended = new CompletableFuture<>();

	private CameraConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
	}

	/**
	 * Sends {@code POST path} with these headers and {@code Transfer-Encoding: chunked}.
	 * @param headers the request headers, {@code Host} included when the test signs it
	 */
	public static CameraConnection open(int port, String path, Map<String, String> headers) throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
		socket.setSoTimeout(30_000);
		// As producers do (curl, producer-c): without it the tail of a chunk waits for the server's delayed ACK.
		socket.setTcpNoDelay(true);
		CameraConnection camera = new CameraConnection(socket);
		StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\n");
		if (headers.keySet().stream().noneMatch("host"::equalsIgnoreCase)) {
			head.append("Host: localhost:").append(port).append("\r\n");
		}
		headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
		head.append("Transfer-Encoding: chunked\r\n\r\n");
		camera.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
		camera.out.flush();
		Thread.ofVirtual().name("camera-acks").start(camera::read);
		return camera;
	}

	/** Sends one chunk; a connection the server has already closed is ignored, as a producer would find out later. */
	public CameraConnection write(byte[] bytes) {
		if (bytes.length == 0) {
			return this;
		}
		byte[] size = (Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
		byte[] chunk = new byte[size.length + bytes.length + 2];
		System.arraycopy(size, 0, chunk, 0, size.length);
		System.arraycopy(bytes, 0, chunk, size.length, bytes.length);
		chunk[chunk.length - 2] = '\r';
		chunk[chunk.length - 1] = '\n';
		try {
			// One write per chunk, so the chunk leaves in as few segments as its size allows.
			out.write(chunk);
			out.flush();
		}
		catch (IOException closed) {
			// the server refused or ended the upload
		}
		return this;
	}

	/** Sends {@code bytes} in chunks of at most {@code size} bytes, cutting across element boundaries. */
	public CameraConnection writeInChunks(byte[] bytes, int size) {
		for (int i = 0; i < bytes.length; i += size) {
			write(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
		}
		return this;
	}

	/** Ends the body. */
	public CameraConnection finish() {
		try {
			out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		catch (IOException closed) {
			// the server refused or ended the upload
		}
		return this;
	}

	public int status() throws Exception {
		return status.get(10, TimeUnit.SECONDS);
	}

	public @Nullable String header(String name) {
		return headers.get(name.toLowerCase(Locale.ROOT));
	}

	/** @return the next ACK, waiting up to ten seconds */
	public Map<String, Object> nextAck() throws InterruptedException {
		Map<String, Object> ack = acks.poll(10, TimeUnit.SECONDS);
		if (ack == null) {
			throw new AssertionError("no ACK within 10 s; so far " + all);
		}
		return ack;
	}

	/** @return every ACK, once the server has ended the response (within thirty seconds) */
	public List<Map<String, Object>> awaitEnd() throws Exception {
		ended.get(30, TimeUnit.SECONDS);
		return List.copyOf(all);
	}

	/** @return the ACKs received so far */
	public List<Map<String, Object>> acksSoFar() {
		return List.copyOf(all);
	}

	/** @return whether the server has ended the response */
	public boolean ended() {
		return ended.isDone();
	}

	/** @return the body of a non-200 answer, once it has ended */
	public String errorBody() throws Exception {
		return ended.get(10, TimeUnit.SECONDS);
	}

	@SuppressWarnings("unchecked")
	private void read() {
		try {
			InputStream in = new BufferedInputStream(socket.getInputStream());
			String statusLine = line(in);
			while (statusLine != null && statusLine.startsWith("HTTP/1.1 100")) {
				line(in);
				statusLine = line(in);
			}
			if (statusLine == null) {
				throw new IOException("closed before a status line");
			}
			for (String header; (header = line(in)) != null && !header.isEmpty();) {
				int colon = header.indexOf(':');
				headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
			}
			status.complete(Integer.parseInt(statusLine.split(" ")[1]));
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				ByteArrayOutputStream pending = new ByteArrayOutputStream();
				while (true) {
					String size = line(in);
					if (size == null) {
						break;
					}
					int length = Integer.parseInt(size.trim(), 16);
					if (length == 0) {
						line(in);
						break;
					}
					byte[] chunk = in.readNBytes(length);
					line(in);
					body.write(chunk);
					for (byte b : chunk) {
						if (b == '\n') {
							Map<String, Object> ack = JSON.readValue(pending.toByteArray(), Map.class);
							all.add(ack);
							acks.add(ack);
							pending.reset();
						}
						else {
							pending.write(b);
						}
					}
				}
			}
			else if (headers.containsKey("content-length")) {
				body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
			}
			ended.complete(body.toString(StandardCharsets.UTF_8));
		}
		catch (IOException | RuntimeException e) {
			status.completeExceptionally(e);
			ended.complete("(connection ended: " + e + ")");
		}
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

	@Override
	public void close() throws IOException {
		socket.close();
	}

	/** @return the ACKs of one type among {@code acks} */
	public static List<Map<String, Object>> ofType(List<Map<String, Object>> acks, String type) {
		List<Map<String, Object>> matching = new ArrayList<>();
		for (Map<String, Object> ack : acks) {
			if (type.equals(ack.get("EventType"))) {
				matching.add(ack);
			}
		}
		return matching;
	}

}
