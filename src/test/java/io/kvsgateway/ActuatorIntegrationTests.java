package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalFragmentStore;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import io.kvsgateway.support.LiveCamera;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * The operators' actuator surface in embedded mode, over real HTTP: the probes Kubernetes calls without a token, and
 * the details only a token with scope {@code ops} sees.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorIntegrationTests {

	static TestJwks jwks;

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore fragments;

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
		registry.add("gateway.ops.metrics-refresh", () -> "100ms");
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

	@Test
	void infoShowsTheBuildAndTheCommitWithoutAToken() throws IOException {
		Reply reply = http.get("/actuator/info", null);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		Map<String, Object> build = component(reply.json(), "build");
		assertThat(build).containsEntry("artifact", "kvs-gateway").containsKey("version").containsKey("time");
		assertThat((String) build.get("version")).isNotBlank();
		ClassPathResource git = new ClassPathResource("git.properties");
		if (git.exists()) {
			// Built from a clone: the commit it was built from (git-commit-id-maven-plugin).
			Properties properties = new Properties();
			try (InputStream in = git.getInputStream()) {
				properties.load(in);
			}
			Map<String, Object> commit = component(component(reply.json(), "git"), "commit");
			assertThat(properties.getProperty("git.commit.id")).startsWith((String) commit.get("id"));
		}
	}

	@Test
	void prometheusNeedsAnOperatorAndCarriesTheQuotaSeries() {
		assertThat(http.get("/actuator/prometheus", null).status()).isEqualTo(401);
		assertThat(http.get("/actuator/prometheus", viewer).status()).isEqualTo(403);

		Reply reply = http.get("/actuator/prometheus", operator);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		assertThat(reply.body()).contains("kvs_gateway_quota_rejections_total{budget=\"FRAGMENT_MEDIA\"");

		String stream = liveStream("prom");
		Reply session = openSession(stream);
		assertThat(session.status()).as(session.toString()).isEqualTo(201);

		// The gauges follow the scheduler every gateway.ops.metrics-refresh (100 ms here).
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			String scrape = http.get("/actuator/prometheus", operator).body();
			assertThat(scrape).containsPattern("kvs_gateway_quota_reserved\\{budget=\"FRAGMENT_MEDIA\",stream=\""
					+ stream + "\"\\} [1-9]")
				.contains("kvs_gateway_quota_capacity{budget=\"FRAGMENT_MEDIA\",stream=\"" + stream + "\"}");
		});
	}

	@Test
	void sessionsListsOpenSessionsAndEndingOneFreesItsLease() {
		String stream = liveStream("ops-sessions");
		Reply opened = openSession(stream);
		assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
		String sessionId = (String) opened.json().get("sessionId");

		assertThat(http.get("/actuator/sessions", null).status()).isEqualTo(401);
		assertThat(http.get("/actuator/sessions", viewer).status()).isEqualTo(403);
		assertThat(http.delete("/actuator/sessions/" + sessionId, viewer).status()).isEqualTo(403);
		Reply listed = http.get("/actuator/sessions", operator);

		assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
		assertThat(listed.body()).doesNotContain((String) opened.json().get("url"));
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> sessions = (List<Map<String, Object>>) listed.json().get("sessions");
		assertThat(sessions).filteredOn(session -> sessionId.equals(session.get("sessionId")))
			.singleElement()
			.satisfies(session -> assertThat(session).containsEntry("viewer", "actuator-viewer")
				.containsEntry("streamName", stream)
				.containsEntry("playbackMode", "LIVE")
				.containsEntry("protocol", "HLS")
				.containsEntry("expiresAt", opened.json().get("expiresAt")));
		assertThat(activeLeases(stream)).isEqualTo(1);

		Reply ended = http.delete("/actuator/sessions/" + sessionId, operator);

		assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
		// activeLeases counts a released lease while it drains, for a second (see QuotaStore).
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(activeLeases(stream)).isZero());
		assertThat((List<?>) http.get("/actuator/sessions", operator).json().get("sessions"))
			.noneMatch(session -> sessionId.equals(((Map<?, ?>) session).get("sessionId")));
		// Gone for the viewer too, and for a second DELETE.
		assertThat(http.delete("/v1/playback-sessions/" + sessionId, viewer).status()).isEqualTo(404);
		assertThat(http.delete("/actuator/sessions/" + sessionId, operator).status()).isEqualTo(404);
	}

	@Test
	void ingestListsACamerasConnectionAndClosingItFreesTheStream() throws Exception {
		String stream = "ops-ingest-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24).mediaType("video/h264"));
		}
		String cameraToken = jwks.token("ops-camera", "ingest", List.of(stream));
		try (LiveCamera camera = LiveCamera.start(port, cameraToken, stream, "h264.mkv")) {
			camera.awaitPersisted(2, Duration.ofSeconds(20));

			assertThat(http.get("/actuator/ingest", null).status()).isEqualTo(401);
			assertThat(http.get("/actuator/ingest", cameraToken).status()).isEqualTo(403);
			assertThat(http.delete("/actuator/ingest/" + stream, viewer).status()).isEqualTo(403);
			Reply listed = http.get("/actuator/ingest", operator);

			assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
			Map<String, Object> connection = connection(listed, stream);
			assertThat(connection).containsEntry("camera", "ops-camera").containsKey("openedAt");
			assertThat(((Number) connection.get("bytes")).longValue()).isGreaterThan(1000);
			assertThat(((Number) connection.get("fragments")).longValue()).isGreaterThanOrEqualTo(2);
			assertThat((String) connection.get("lastAck")).isNotBlank();

			Reply closed = http.delete("/actuator/ingest/" + stream, operator);

			assertThat(closed.status()).as(closed.toString()).isEqualTo(204);
			Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				@SuppressWarnings("unchecked")
				List<Map<String, Object>> open = (List<Map<String, Object>>) http.get("/actuator/ingest", operator)
					.json()
					.get("connections");
				assertThat(open).noneMatch(c -> stream.equals(c.get("streamName")));
			});
			assertThat(http.delete("/actuator/ingest/" + stream, operator).status()).isEqualTo(404);
			assertThat(CameraConnection.ofType(camera.acks(), "ERROR")).as("what was forwarded was persisted")
				.isEmpty();
		}
		// The stream is free: the camera's reconnection is accepted.
		try (LiveCamera again = LiveCamera.start(port, cameraToken, stream, "h264.mkv")) {
			again.awaitPersisted(1, Duration.ofSeconds(20));
		}
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> connection(Reply listed, String stream) {
		List<Map<String, Object>> connections = (List<Map<String, Object>>) listed.json().get("connections");
		return connections.stream()
			.filter(c -> stream.equals(c.get("streamName")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no connection of " + stream + " in " + listed));
	}

	int activeLeases(String stream) {
		Reply quota = http.get("/actuator/quotas/" + stream, operator);
		assertThat(quota.status()).as(quota.toString()).isEqualTo(200);
		return ((Number) quota.json().get("activeLeases")).intValue();
	}

	Reply openSession(String stream) {
		return http.post("/v1/streams/" + stream + "/playback-sessions", viewer,
				"{\"protocol\":\"HLS\",\"playbackMode\":\"LIVE\"}");
	}

	/** A stream with three 1-second fragments up to now, enough for a LIVE session. */
	String liveStream(String prefix) {
		String stream = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24).mediaType("video/h264"));
		}
		Instant producer = Instant.now().minusSeconds(3);
		for (int i = 0; i < 3; i++) {
			fragments.append(stream, producer.plusSeconds(i), Duration.ofSeconds(1));
		}
		return stream;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> component(Map<String, Object> map, String key) {
		Object value = map.get(key);
		assertThat(value).as(key + " in " + map).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

}
