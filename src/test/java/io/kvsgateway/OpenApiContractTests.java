package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import io.kvsgateway.local.LocalFragmentStore;
import io.kvsgateway.support.EmbeddedKvsClients;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * Keeps {@code openapi.yaml} and the running gateway in agreement: every documented operation is called over real
 * HTTP with real tokens against streams of the embedded KVS, each request and answer is checked against the file,
 * and every {@code /v1/} handler the application maps is one the file documents.
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

		assertThat(exercised).as("operations the test called").isEqualTo(CONTRACT.operations());
	}

	@Test
	void noUndocumentedViewerOperationExists() {
		Set<String> mapped = new TreeSet<>();
		for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
			if (info.getPathPatternsCondition() == null) {
				continue;
			}
			for (String path : info.getPathPatternsCondition().getPatternValues()) {
				if (!path.startsWith("/v1/")) {
					continue;
				}
				var methods = info.getMethodsCondition().getMethods();
				if (methods.isEmpty()) {
					mapped.add("ANY " + path);
				}
				methods.forEach(method -> mapped.add(method.name() + " " + path));
			}
		}
		assertThat(mapped).as("handlers mapped under /v1/").isEqualTo(CONTRACT.operations());
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
