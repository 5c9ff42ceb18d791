package io.kvsgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scripted KVS over real HTTP for failure cases the embedded service does not produce on demand yet (throttling,
 * endpoints that stop answering). Answers use the exact KVS error envelope, so the real SDK parses them.
 */
public final class FakeKvs implements AutoCloseable {

	private static final Pattern API_NAME = Pattern.compile("\"APIName\"\\s*:\\s*\"([A-Z_]+)\"");

	private final HttpServer server;

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Deque<String> dataEndpoints = new ConcurrentLinkedDeque<>();

	private volatile String hlsError = "";

	private FakeKvs(HttpServer server) {
		this.server = server;
	}

	public static FakeKvs start() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		FakeKvs fake = new FakeKvs(server);
		server.createContext("/", fake::handle);
		server.start();
		return fake;
	}

	public String endpoint() {
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	/**
	 * Next GetDataEndpoint answers for the session-URL API, in order; when none are queued, and for other APIs (the
	 * gateway's own ListFragments, which prices sessions), the fake answers its own address.
	 */
	public FakeKvs answerDataEndpoints(String... endpoints) {
		dataEndpoints.addAll(java.util.List.of(endpoints));
		return this;
	}

	/** Makes GetHLSStreamingSessionURL fail with this KVS error type (empty: succeed). */
	public FakeKvs failHlsWith(String errorType) {
		this.hlsError = errorType;
		return this;
	}

	/**
	 * @param operation the path, such as {@code getDataEndpoint}, or {@code getDataEndpoint/<APIName>} for the
	 * lookups of one API
	 */
	public int calls(String operation) {
		return calls.getOrDefault(operation, new AtomicInteger()).get();
	}

	private void handle(HttpExchange exchange) throws IOException {
		String request;
		try (InputStream body = exchange.getRequestBody()) {
			request = new String(body.readAllBytes(), StandardCharsets.UTF_8);
		}
		String operation = exchange.getRequestURI().getPath().substring(1);
		calls.computeIfAbsent(operation, any -> new AtomicInteger()).incrementAndGet();
		switch (operation) {
			case "getDataEndpoint" -> {
				Matcher api = API_NAME.matcher(request);
				String apiName = api.find() ? api.group(1) : "";
				calls.computeIfAbsent(operation + "/" + apiName, any -> new AtomicInteger()).incrementAndGet();
				String next = apiName.equals("GET_HLS_STREAMING_SESSION_URL") ? dataEndpoints.poll() : null;
				respond(exchange, 200, "", "{\"DataEndpoint\":\"" + (next == null ? endpoint() : next) + "\"}");
			}
			case "getHLSStreamingSessionURL" -> {
				if (hlsError.isEmpty()) {
					respond(exchange, 200, "", "{\"HLSStreamingSessionURL\":\"" + endpoint()
							+ "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=fake-" + calls(operation) + "\"}");
				}
				else {
					respond(exchange, 400, hlsError, "{\"Message\":\"scripted " + hlsError + "\"}");
				}
			}
			case "listFragments" -> respond(exchange, 200, "", "{\"Fragments\":[]}");
			case "listStreams" -> respond(exchange, 200, "", "{\"StreamInfoList\":[]}");
			default -> respond(exchange, 404, "UnknownOperationException", "{\"Message\":\"unknown\"}");
		}
	}

	private static void respond(HttpExchange exchange, int status, String errorType, String json) throws IOException {
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.getResponseHeaders().set("x-amzn-RequestId", "fake");
		if (!errorType.isEmpty()) {
			exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
		}
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	@Override
	public void close() {
		server.stop(0);
	}

}
