package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import io.kvsgateway.local.LocalFragmentStore;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.LiveCamera;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * Keeps {@code openapi.yaml} and the running gateway in agreement: every documented operation is called over real
 * HTTP with real tokens against streams of the embedded KVS, each request and answer is checked against the file,
 * and every handler the application maps, outside the embedded KVS and actuator, is one the file documents: the
 * viewer API under {@code /v1/} and the camera's KVS producer calls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiContractTests {

	private static final TestJwks JWKS = TestJwks.start();

	private static final OpenApiDocument CONTRACT = OpenApiDocument.load();

	private static final OpenApiInteractionValidator VALIDATOR = CONTRACT.validator();

	private static final String OPEN = "POST /v1/streams/{streamName}/playback-sessions";

	private static final String END = "DELETE /v1/playback-sessions/{sessionId}";

	private static final String LIST = "GET /v1/streams";

	private static final String TIMELINE = "GET /v1/streams/{streamName}/fragments";

	private static final String CLIP = "GET /v1/streams/{streamName}/clip";

	private static final String QUOTAS = "GET /actuator/quotas";

	private static final String STREAM_QUOTA = "GET /actuator/quotas/{streamName}";

	private static final String ACTIVE_SESSIONS = "GET /actuator/sessions";

	private static final String CAMERA_CONNECTIONS = "GET /actuator/ingest";

	private static final String CLOSE_CAMERA_CONNECTION = "DELETE /actuator/ingest/{streamName}";

	private static final String END_ACTIVE_SESSION = "DELETE /actuator/sessions/{sessionId}";

	private static final String DESCRIBE = "POST /describeStream";

	private static final String CREATE = "POST /createStream";

	private static final String TAG = "POST /tagStream";

	private static final String DATA_ENDPOINT = "POST /getDataEndpoint";

	private static final String PUT_MEDIA = "POST /putMedia";

	private static final String PUT_MEDIA_WITH_PUT = "PUT /putMedia";

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore fragments;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	@DynamicPropertySource
	static void trustTestTokens(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", JWKS::jwkSetUri);
		// A small fragment-metadata budget (950 points per second after the safety margin) for the stream whose
		// timeline pages run it out, so that the scheduler's 429 is checked against the contract too.
		registry.add("gateway.quota.streams[contract-busy-*].fragment-metadata", () -> "1000");
	}

	@AfterAll
	static void stopIssuer() {
		JWKS.close();
	}

	@Test
	void everyDocumentedOperationAnswersAsDocumented() throws Exception {
		assertThat(CONTRACT.version()).isEqualTo("3.1.0");
		String suffix = UUID.randomUUID().toString().substring(0, 8);
		String live = "contract-live-" + suffix;
		String idle = "contract-idle-" + suffix;
		createStream(live);
		createStream(idle);
		Instant now = Instant.now();
		for (int i = 3; i > 0; i--) {
			fragments.append(live, now.minusSeconds(2L * i), Duration.ofSeconds(2));
		}

		String viewer = JWKS.token("contract-viewer", "playback", List.of("*"));
		String otherStreams = JWKS.token("contract-viewer", "playback", List.of("elsewhere-*"));
		String operator = JWKS.token("contract-operator", "ops", List.of("*"));
		Set<String> exercised = new TreeSet<>();

		HttpResponse<String> hls = exchange(exercised, OPEN, "POST", sessions(live), viewer, null, null, 201, true);
		String sessionPath = hls.headers().firstValue("Location").orElseThrow();
		exchange(exercised, OPEN, "POST", sessions(live), viewer, "application/json",
				"{\"protocol\":\"DASH\",\"playbackMode\":\"LIVE\",\"displayFragmentNumber\":\"ALWAYS\"}", 201, true);
		exchange(exercised, END, "DELETE", sessionPath, viewer, null, null, 204, true);
		exchange(exercised, END, "DELETE", sessionPath, viewer, null, null, 404, true);
		exchange(exercised, LIST, "GET", "/v1/streams", viewer, null, null, 200, true);
		String range = "?start=" + now.minusSeconds(3600) + "&end=" + Instant.now();
		exchange(exercised, TIMELINE, "GET", timeline(live) + range, viewer, null, null, 200, true);
		exchange(exercised, TIMELINE, "GET", timeline(live) + range + "&maxResults=2", viewer, null, null, 200, true);
		exchange(exercised, TIMELINE, "GET", timeline(live) + "?start=" + now, viewer, null, null, 400, false);
		exchange(exercised, TIMELINE, "GET", timeline(live) + range, otherStreams, null, null, 403, true);
		exchange(exercised, TIMELINE, "GET", timeline("contract-missing-" + suffix) + range, viewer, null, null, 404,
				true);
		String busy = timeline("contract-busy-" + suffix) + range + "&maxResults=600";
		createStream("contract-busy-" + suffix);
		exchange(exercised, TIMELINE, "GET", busy, viewer, null, null, 200, true);
		HttpResponse<String> spent = exchange(exercised, TIMELINE, "GET", busy, viewer, null, null, 429, true);
		assertThat(spent.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(spent.body()).contains("urn:kvs-gateway:problem:quota-exhausted", "FRAGMENT_METADATA");

		// Requests the contract rules out: the server must refuse them, and say so as the contract documents.
		exchange(exercised, OPEN, "POST", sessions(live), viewer, "application/json",
				"{\"playbackMode\":\"ON_DEMAND\",\"expiresInSeconds\":10,\"colour\":\"red\"}", 400, false);
		exchange(exercised, OPEN, "POST", sessions("not!a-stream-name"), viewer, null, null, 400, false);
		exchange(exercised, OPEN, "POST", sessions(live), viewer, "application/json", "[1, 2]", 400, false);
		exchange(exercised, OPEN, "POST", sessions(live), viewer, "text/plain", "LIVE please", 415, false);
		exchange(exercised, OPEN, "POST", sessions(live), null, null, null, 401, false);
		exchange(exercised, END, "DELETE", sessionPath, null, null, null, 401, false);
		exchange(exercised, LIST, "GET", "/v1/streams", "not-a-jwt", null, null, 401, true);

		// Well-formed requests the server refuses for who asks or what is asked of.
		exchange(exercised, OPEN, "POST", sessions(live), operator, null, null, 403, true);
		exchange(exercised, OPEN, "POST", sessions(live), otherStreams, null, null, 403, true);
		exchange(exercised, END, "DELETE", "/v1/playback-sessions/unknown", operator, null, null, 403, true);
		exchange(exercised, LIST, "GET", "/v1/streams", operator, null, null, 403, true);
		exchange(exercised, OPEN, "POST", sessions("contract-missing-" + suffix), viewer, null, null, 404, true);
		exchange(exercised, OPEN, "POST", sessions(idle), viewer, null, null, 404, true);

		// The operators' view of the quota scheduler, which the requests above have made track the live stream.
		exchange(exercised, QUOTAS, "GET", "/actuator/quotas", operator, null, null, 200, true);
		exchange(exercised, STREAM_QUOTA, "GET", "/actuator/quotas/" + live, operator, null, null, 200, true);
		exchange(exercised, STREAM_QUOTA, "GET", "/actuator/quotas/contract-untracked-" + suffix, operator, null,
				null, 404, true);
		exchange(exercised, QUOTAS, "GET", "/actuator/quotas", viewer, null, null, 403, true);
		exchange(exercised, STREAM_QUOTA, "GET", "/actuator/quotas/" + live, null, null, null, 401, false);

		// The open sessions, and an operator ending one (the DASH session above is still open).
		HttpResponse<String> active = exchange(exercised, ACTIVE_SESSIONS, "GET", "/actuator/sessions", operator,
				null, null, 200, true);
		assertThat(active.body()).contains(live, "contract-viewer");
		HttpResponse<String> another = exchange(exercised, OPEN, "POST", sessions(live), viewer, null, null, 201,
				true);
		String anotherPath = another.headers().firstValue("Location").orElseThrow();
		String anotherId = anotherPath.substring(anotherPath.lastIndexOf('/') + 1);
		exchange(exercised, END_ACTIVE_SESSION, "DELETE", "/actuator/sessions/" + anotherId, viewer, null, null, 403,
				true);
		exchange(exercised, END_ACTIVE_SESSION, "DELETE", "/actuator/sessions/" + anotherId, operator, null, null, 204,
				true);
		exchange(exercised, END_ACTIVE_SESSION, "DELETE", "/actuator/sessions/" + anotherId, operator, null, null, 404,
				true);
		exchange(exercised, END_ACTIVE_SESSION, "DELETE", "/actuator/sessions/" + anotherId, null, null, null, 401,
				false);
		exchange(exercised, ACTIVE_SESSIONS, "GET", "/actuator/sessions", viewer, null, null, 403, true);

		exerciseCameraApi(exercised, suffix);
		exerciseClip(exercised, "contract-camera-" + suffix, viewer, otherStreams, suffix);

		assertThat(exercised).as("operations the test called").isEqualTo(CONTRACT.operations());
	}

	/** Clips of the stream the camera calls uploaded {@code h264.mkv} to, and the ways a clip is refused. */
	private void exerciseClip(Set<String> exercised, String streamName, String viewer, String otherStreams,
			String suffix) throws Exception {
		Instant now = Instant.now();
		String range = "?start=" + now.minusSeconds(3600) + "&end=" + now.plusSeconds(60)
				+ "&selector=PRODUCER_TIMESTAMP";
		HttpResponse<String> clip = exchange(exercised, CLIP, "GET", clip(streamName) + range, viewer, null, null,
				200, true);
		assertThat(clip.headers().firstValue("Content-Type")).hasValue("video/mp4");
		assertThat(clip.headers().firstValue("Content-Disposition")).hasValueSatisfying(
				disposition -> assertThat(disposition).startsWith("attachment;").contains(streamName));
		exchange(exercised, CLIP, "GET", clip(streamName) + "?start=" + now + "&end=" + now.minusSeconds(60), viewer,
				null, null, 400, true);
		exchange(exercised, CLIP, "GET", clip(streamName) + "?start=" + now, viewer, null, null, 400, false);
		exchange(exercised, CLIP, "GET", clip(streamName) + range, otherStreams, null, null, 403, true);
		exchange(exercised, CLIP, "GET", clip("contract-missing-" + suffix) + range, viewer, null, null, 404, true);
		exchange(exercised, CLIP, "GET", clip(streamName) + range, null, null, null, 401, false);
	}

	private static String clip(String stream) {
		return "/v1/streams/" + stream + "/clip";
	}

	/** The producer calls, in producer-c's order, then the ways they are refused. */
	private void exerciseCameraApi(Set<String> exercised, String suffix) throws Exception {
		String streamName = "contract-camera-" + suffix;
		String camera = JWKS.token("contract-camera", "ingest", List.of("contract-camera-*"));
		String otherStreams = JWKS.token("contract-camera", "ingest", List.of("elsewhere-*"));
		String named = "{\"StreamName\":\"" + streamName + "\"}";
		String json = "application/json";

		exchange(exercised, DESCRIBE, "POST", "/describeStream", camera, json, named, 404, true);
		String create = "{\"DeviceName\":\"contract-device\",\"StreamName\":\"" + streamName
				+ "\",\"MediaType\":\"video/h264\",\"DataRetentionInHours\":24}";
		exchange(exercised, CREATE, "POST", "/createStream", camera, json, create, 200, true);
		exchange(exercised, CREATE, "POST", "/createStream", camera, json, create, 400, true);
		exchange(exercised, DESCRIBE, "POST", "/describeStream", camera, json, named, 200, true);
		String tags = "{\"StreamName\":\"" + streamName + "\",\"Tags\":{\"site\":\"contract\"}}";
		exchange(exercised, TAG, "POST", "/tagStream", camera, json, tags, 200, true);
		exchange(exercised, DATA_ENDPOINT, "POST", "/getDataEndpoint", camera, json,
				"{\"StreamName\":\"" + streamName + "\",\"APIName\":\"PUT_MEDIA\"}", 200, true);
		putMedia(exercised, PUT_MEDIA, streamName, camera);
		String second = streamName + "-put";
		exchange(exercised, CREATE, "POST", "/createStream", camera, json,
				"{\"StreamName\":\"" + second + "\",\"DataRetentionInHours\":24}", 200, true);
		putMedia(exercised, PUT_MEDIA_WITH_PUT, second, camera);
		exerciseIngestEndpoint(exercised, streamName + "-live", camera);

		// Well-formed requests refused for who asks or what is asked of
		exchange(exercised, DATA_ENDPOINT, "POST", "/getDataEndpoint", camera, json,
				"{\"StreamName\":\"" + streamName + "\",\"APIName\":\"GET_MEDIA\"}", 400, true);
		String missing = "contract-camera-missing-" + suffix;
		exchange(exercised, TAG, "POST", "/tagStream", camera, json,
				"{\"StreamName\":\"" + missing + "\",\"Tags\":{\"a\":\"b\"}}", 404, true);
		exchange(exercised, CREATE, "POST", "/createStream", otherStreams, json, named, 403, true);
		exchange(exercised, DESCRIBE, "POST", "/describeStream", otherStreams, json, named, 403, true);

		// Requests the contract rules out
		exchange(exercised, DESCRIBE, "POST", "/describeStream", null, json, named, 401, false);
		exchange(exercised, DESCRIBE, "POST", "/describeStream", camera, json, "{\"StreamName\":\"contract-camera-no/slash\"}",
				400, false);
		exchange(exercised, TAG, "POST", "/tagStream", camera, json, named, 400, false);
	}

	/** The operators' view of an open camera connection, and an operator closing it. */
	private void exerciseIngestEndpoint(Set<String> exercised, String streamName, String camera) throws Exception {
		String operator = JWKS.token("contract-operator", "ops", List.of("*"));
		exchange(exercised, CREATE, "POST", "/createStream", camera, "application/json",
				"{\"StreamName\":\"" + streamName + "\",\"DataRetentionInHours\":24}", 200, true);
		try (LiveCamera live = LiveCamera.start(port, camera, streamName, "h264.mkv")) {
			live.awaitPersisted(1, Duration.ofSeconds(20));
			HttpResponse<String> open = exchange(exercised, CAMERA_CONNECTIONS, "GET", "/actuator/ingest", operator,
					null, null, 200, true);
			assertThat(open.body()).contains(streamName, "contract-camera");
			exchange(exercised, CAMERA_CONNECTIONS, "GET", "/actuator/ingest", camera, null, null, 403, true);
			exchange(exercised, CAMERA_CONNECTIONS, "GET", "/actuator/ingest", null, null, null, 401, false);
			String path = "/actuator/ingest/" + streamName;
			exchange(exercised, CLOSE_CAMERA_CONNECTION, "DELETE", path, camera, null, null, 403, true);
			exchange(exercised, CLOSE_CAMERA_CONNECTION, "DELETE", path, operator, null, null, 204, true);
			// Closing frees the stream at once.
			exchange(exercised, CLOSE_CAMERA_CONNECTION, "DELETE", path, operator, null, null, 404, true);
		}
	}

	/**
	 * A short real upload of {@code h264.mkv}: the answer is checked against the contract with its first ACK line as
	 * the body, because the body is a sequence of ACK objects, one per line, which no JSON schema describes whole.
	 */
	private void putMedia(Set<String> exercised, String operation, String streamName, String token) throws Exception {
		String method = operation.substring(0, operation.indexOf(' '));
		String start = Long.toString(Instant.now().minusSeconds(10).getEpochSecond());
		HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/putMedia"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/octet-stream")
			.header("x-amzn-stream-name", streamName)
			.header("x-amzn-fragment-timecode-type", "RELATIVE")
			.header("x-amzn-producer-start-timestamp", start)
			// An unknown length: sent chunked, as cameras send it
			.method(method, HttpRequest.BodyPublishers
				.ofInputStream(() -> OpenApiContractTests.class.getResourceAsStream("/media/h264.mkv")))
			.build();
		HttpResponse<String> response = http11.send(request, HttpResponse.BodyHandlers.ofString());
		String described = method + " /putMedia answered " + response.statusCode() + " " + response.body();
		assertThat(response.statusCode()).as(described).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).as(described).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/json"));
		List<String> lines = response.body().lines().toList();
		assertThat(lines).as(described).isNotEmpty();
		assertThat(lines).as(described).noneMatch(line -> line.contains("\"ERROR\""));

		SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.statusCode());
		response.headers().map().forEach(actual::withHeader);
		response.headers().firstValue("Content-Type").ifPresent(actual::withContentType);
		actual.withBody(lines.getFirst());
		ValidationReport answer = VALIDATOR.validateResponse("/putMedia", Request.Method.valueOf(method),
				actual.build());
		assertThat(answer.getMessages()).as("the first ACK of " + described + " against the contract").isEmpty();

		ValidationReport asked = VALIDATOR.validateRequest(new SimpleRequest.Builder(method, "/putMedia")
			.withAuthorization("Bearer " + token)
			.withContentType("application/octet-stream")
			.withHeader("x-amzn-stream-name", streamName)
			.withHeader("x-amzn-fragment-timecode-type", "RELATIVE")
			.withHeader("x-amzn-producer-start-timestamp", start)
			// The validator only needs to see that there is a body: binary bodies are not checked against a schema
			.withBody(new String(Files.readAllBytes(Path.of("src/test/resources/media/h264.mkv")),
					StandardCharsets.ISO_8859_1))
			.build());
		assertThat(asked.getMessages()).as(method + " /putMedia against the contract").isEmpty();
		exercised.add(operation);
	}

	/**
	 * Every handler the application maps is documented, except the embedded KVS ({@code /kvs/**}, KVS's own API),
	 * actuator endpoints and Spring Boot's {@code /error} page, which are not the gateway's API.
	 */
	@Test
	void noUndocumentedOperationExists() {
		Set<String> mapped = OpenApiDocument.gatewayHandlers(mappings);
		// Documented actuator endpoints are exercised by the test above; actuator maps them outside MVC's handlers.
		Set<String> documented = new TreeSet<>(CONTRACT.operations());
		documented.removeIf(operation -> operation.contains(" /actuator/"));
		assertThat(mapped).as("handlers mapped outside /kvs/** and /actuator/**").isEqualTo(documented);
	}

	private static String sessions(String streamName) {
		return "/v1/streams/" + streamName + "/playback-sessions";
	}

	/**
	 * Sends one request and checks the answer against the contract.
	 * @param conforming whether the request itself keeps the contract; requests that break it are sent to see that
	 * the server refuses them as documented, and the validator must find them broken too
	 */
	private HttpResponse<String> exchange(Set<String> exercised, String operation, String method, String path,
			@Nullable String token, @Nullable String contentType, @Nullable String body, int expectedStatus,
			boolean conforming) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		// The validator matches paths without their query, which it takes parameter by parameter.
		String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
		SimpleRequest.Builder expected = new SimpleRequest.Builder(method, bare);
		if (path.contains("?")) {
			for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
				int eq = pair.indexOf('=');
				expected.withQueryParam(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
			}
		}
		if (path.startsWith("/actuator/") && method.equals("GET")) {
			// Actuator's own media type by default, which the validator does not read as JSON: ask for plain JSON,
			// which the contract documents too, so that the body is checked against its schema. (A DELETE answers
			// no body.)
			request.header("Accept", "application/json");
			expected.withAccept("application/json");
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
			expected.withAuthorization("Bearer " + token);
		}
		if (contentType != null) {
			request.header("Content-Type", contentType);
			expected.withContentType(contentType);
		}
		if (body != null) {
			expected.withBody(body);
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		String described = method + " " + path + " answered " + response.statusCode() + " " + response.body();

		assertThat(response.statusCode()).as(described).isEqualTo(expectedStatus);
		assertThat(CONTRACT.statuses(operation)).as("statuses documented for " + operation)
			.contains(Integer.toString(response.statusCode()));

		SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.statusCode());
		response.headers().map().forEach((name, values) -> actual.withHeader(name, values));
		response.headers().firstValue("Content-Type").ifPresent(actual::withContentType);
		if (!response.body().isEmpty()) {
			actual.withBody(response.body());
		}
		ValidationReport answer = VALIDATOR.validateResponse(bare, Request.Method.valueOf(method), actual.build());
		assertThat(answer.getMessages()).as("the answer to " + described + " against the contract").isEmpty();

		ValidationReport asked = VALIDATOR.validateRequest(expected.build());
		if (conforming) {
			assertThat(asked.getMessages()).as(method + " " + path + " against the contract").isEmpty();
		}
		else if (!path.contains("!")) {
			// The validator (2.44.1) does not check path parameter patterns, so a bad stream name passes it.
			assertThat(asked.hasErrors()).as(method + " " + path + " breaks the contract").isTrue();
		}
		exercised.add(operation);
		return response;
	}

	private static String timeline(String stream) {
		return "/v1/streams/" + stream + "/fragments";
	}

	private void createStream(String name) {
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
		}
	}

}
