package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;

/**
 * The operators' actuator surface in embedded mode, over real HTTP: the probes Kubernetes calls without a token, and
 * the details only a token with scope {@code ops} sees.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorIntegrationTests {

	static TestJwks jwks;

	@LocalServerPort
	int port;

	Http http;

	String operator;

	String viewer;

	@BeforeAll
	static void startJwks() {
		jwks = TestJwks.start();
	}

	@AfterAll
	static void stopJwks() {
		jwks.close();
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> jwks.jwkSetUri());
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@BeforeEach
	void tokens() {
		http = new Http(port);
		operator = jwks.token("actuator-operator", "ops", List.of("*"));
		viewer = jwks.token("actuator-viewer", "playback", List.of("*"));
	}

	@Test
	void livezAndReadyzAnswerUpWithoutAToken() {
		for (String path : List.of("/livez", "/readyz", "/actuator/health/liveness", "/actuator/health/readiness")) {
			Reply reply = http.get(path, null);
			assertThat(reply.status()).as(path + ": " + reply).isEqualTo(200);
			Map<String, Object> body = reply.json();
			assertThat(body).as(path).containsEntry("status", "UP").doesNotContainKey("components");
		}
	}

	@Test
	void readinessShowsTheEmbeddedStoreQuotaStoreAndDiskOnlyToOperators() {
		Reply reply = http.get("/readyz", operator);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		Map<String, Object> components = component(reply.json(), "components");
		assertThat(components).containsOnlyKeys("readinessState", "embeddedStore", "quotaStore", "diskSpace");
		Map<String, Object> disk = component(component(components, "diskSpace"), "details");
		// The embedded store's data directory, not the working directory.
		assertThat((String) disk.get("path")).contains("test-data");
		assertThat(component(components, "embeddedStore")).containsEntry("status", "UP");

		Reply asViewer = http.get("/readyz", viewer);
		assertThat(asViewer.status()).isEqualTo(200);
		assertThat((Map<String, Object>) asViewer.json()).doesNotContainKey("components");
	}

	@Test
	void livenessDependsOnNothingButTheProcess() {
		Reply reply = http.get("/livez", operator);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		assertThat(component(reply.json(), "components")).containsOnlyKeys("livenessState");
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> component(Map<String, Object> map, String key) {
		Object value = map.get(key);
		assertThat(value).as(key + " in " + map).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

}
