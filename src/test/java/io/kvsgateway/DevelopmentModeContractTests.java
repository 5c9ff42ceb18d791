package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

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
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import io.kvsgateway.support.Http;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract's development-only operations ({@code x-development-only}, see {@link OpenApiDocument#operations()}),
 * checked where they exist: an embedded-mode gateway with no token issuer. {@link OpenApiContractTests} checks the
 * rest against a gateway with an issuer, where they do not.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DevelopmentModeContractTests {

	private static final OpenApiDocument CONTRACT = OpenApiDocument.load();

	private static final OpenApiInteractionValidator VALIDATOR = CONTRACT.validator();

	private static final String TOKEN = "GET /v1/development-token";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	int port;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@Test
	void theContractMarksTheDevelopmentTokenAsDevelopmentOnly() {
		assertThat(CONTRACT.developmentOperations()).containsExactly(TOKEN);
		assertThat(CONTRACT.operations()).doesNotContain(TOKEN);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aClientOnThisMachineGetsAViewerTokenAsDocumented() throws Exception {
		HttpResponse<String> answer = get("/v1/development-token", Map.of());

		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertConforms(answer);
		Map<String, Object> body = JsonMapper.builder().build().readValue(answer.body(), Map.class);
		assertThat(Instant.parse((String) body.get("expiresAt"))).isAfter(Instant.now().plus(Duration.ofHours(1)));
		// the token is a viewer token that covers every stream
		Http.Reply streams = new Http(port).get("/v1/streams", (String) body.get("token"));
		assertThat(streams.status()).as(streams.toString()).isEqualTo(200);
	}

	@Test
	void aRequestAProxyForwardedOrAddressedByAnotherNameIsToldNotFound() throws Exception {
		for (Map<String, String> headers : java.util.List.of(Map.of("X-Forwarded-For", "203.0.113.7"),
				Map.of("Forwarded", "for=203.0.113.7"), Map.of("X-Real-IP", "203.0.113.7"))) {
			HttpResponse<String> answer = get("/v1/development-token", headers);
			assertThat(answer.statusCode()).as(headers + " " + answer.body()).isEqualTo(404);
			assertThat(answer.body()).doesNotContain("\"token\"");
			assertConforms(answer);
		}
	}

	/** In development mode every mapped handler outside /kvs and /actuator is documented, development ones included. */
	@Test
	void noUndocumentedOperationExistsInDevelopmentMode() {
		Set<String> mapped = OpenApiDocument.gatewayHandlers(mappings);
		Set<String> documented = new TreeSet<>(CONTRACT.operations());
		documented.addAll(CONTRACT.developmentOperations());
		// Actuator maps its endpoints outside MVC's handlers; OpenApiContractTests exercises the documented ones.
		documented.removeIf(operation -> operation.contains(" /actuator/"));
		assertThat(mapped).isEqualTo(documented);
	}

	private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
		headers.forEach(request::header);
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static void assertConforms(HttpResponse<String> response) {
		SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.statusCode());
		response.headers().map().forEach(actual::withHeader);
		response.headers().firstValue("Content-Type").ifPresent(actual::withContentType);
		if (!response.body().isEmpty()) {
			actual.withBody(response.body());
		}
		ValidationReport report = VALIDATOR.validateResponse("/v1/development-token", Request.Method.GET,
				actual.build());
		assertThat(report.getMessages()).as(response.statusCode() + " " + response.body()).isEmpty();
	}

}
