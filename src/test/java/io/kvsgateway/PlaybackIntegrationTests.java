package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalFragmentStore;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;

/**
 * The viewer path end to end over real HTTP: JWTs signed by a test JWKS, streams created with the AWS SDK in the
 * embedded KVS, session URLs issued by the gateway through the SDK's archived-media client.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class PlaybackIntegrationTests {

	static TestJwks jwks;

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore fragments;

	Http http;

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
	void streams() {
		http = new Http(port);
		viewer = jwks.token("viewer-1", "playback", List.of("*"));
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			create(kvs, "lobby", 24);
			create(kvs, "garage-1", 24);
			create(kvs, "idle-cam", 24);
			create(kvs, "no-retention", 0);
		}
		// What ingest will do: fragments that arrived just now (server timestamps from the clock).
		Instant producer = Instant.now().minusSeconds(3);
		for (int i = 0; i < 3; i++) {
			fragments.append("lobby", producer.plusSeconds(i), Duration.ofSeconds(1));
		}
	}

	private static void create(KinesisVideoClient kvs, String name, int retentionHours) {
		try {
			kvs.createStream(r -> r.streamName(name).dataRetentionInHours(retentionHours).mediaType("video/h264"));
		}
		catch (ResourceInUseException alreadyThere) {
			// created by an earlier test of this class: same context, same data dir
		}
	}

	@Test
	void grantsALiveHlsSessionWithEveryEffectiveParameter() {
		Reply reply = http.post("/v1/streams/lobby/playback-sessions", viewer, "{\"protocol\":\"HLS\"}");

		assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
		Map<String, Object> session = reply.json();
		assertThat(session).containsEntry("streamName", "lobby")
			.containsEntry("protocol", "HLS")
			.containsEntry("playbackMode", "LIVE")
			.containsEntry("fragmentSelectorType", "SERVER_TIMESTAMP")
			.containsEntry("containerFormat", "FRAGMENTED_MP4")
			.containsEntry("discontinuityMode", "ALWAYS")
			.containsEntry("displayFragmentTimestamp", "NEVER")
			.containsEntry("expiresInSeconds", 300)
			.containsEntry("maxFragmentResults", 5)
			.doesNotContainKeys("startTimestamp", "endTimestamp", "displayFragmentNumber");
		assertThat((String) session.get("url"))
			.startsWith("http://localhost:" + port + "/kvs/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=");
		assertThat(Instant.parse((String) session.get("expiresAt")))
			.isBetween(Instant.now().plusSeconds(290), Instant.now().plusSeconds(301));
		assertThat(reply.header("Location")).isEqualTo("/v1/playback-sessions/" + session.get("sessionId"));
	}

	@Test
	void grantsDashSessionsInAllThreePlaybackModes() {
		String start = Instant.now().minusSeconds(3600).toString();
		String end = Instant.now().minusMillis(1).toString();
		for (String body : List.of("{\"protocol\":\"DASH\",\"playbackMode\":\"LIVE\"}",
				"{\"protocol\":\"DASH\",\"playbackMode\":\"LIVE_REPLAY\",\"startTimestamp\":\"" + start + "\"}",
				"{\"protocol\":\"DASH\",\"playbackMode\":\"ON_DEMAND\",\"startTimestamp\":\"" + start
						+ "\",\"endTimestamp\":\"" + end + "\",\"displayFragmentNumber\":\"ALWAYS\"}")) {
			Reply reply = http.post("/v1/streams/lobby/playback-sessions", viewer, body);
			assertThat(reply.status()).as(body + " -> " + reply).isEqualTo(201);
			assertThat((String) reply.json().get("url"))
				.startsWith("http://localhost:" + port + "/kvs/dash/v1/getDASHManifest.mpd?SessionToken=");
		}
	}

	@Test
	void grantsHlsSessionsInReplayAndOnDemandModes() {
		String start = Instant.now().minusSeconds(3600).toString();
		String end = Instant.now().minusMillis(1).toString();
		Reply replay = http.post("/v1/streams/lobby/playback-sessions", viewer,
				"{\"playbackMode\":\"LIVE_REPLAY\",\"startTimestamp\":\"" + start + "\",\"containerFormat\":\"MPEG_TS\"}");
		Reply onDemand = http.post("/v1/streams/lobby/playback-sessions", viewer,
				"{\"playbackMode\":\"ON_DEMAND\",\"fragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"startTimestamp\":\""
						+ start + "\",\"endTimestamp\":\"" + end + "\",\"expiresInSeconds\":43200}");

		assertThat(replay.status()).as(replay.toString()).isEqualTo(201);
		assertThat(replay.json()).containsEntry("containerFormat", "MPEG_TS").containsEntry("startTimestamp", start);
		assertThat(onDemand.status()).as(onDemand.toString()).isEqualTo(201);
		assertThat(onDemand.json()).containsEntry("maxFragmentResults", 1000)
			.containsEntry("discontinuityMode", "NEVER")
			.containsEntry("expiresInSeconds", 43200);
	}

	@Test
	void handsEveryRequestItsOwnUrl() {
		Reply first = http.post("/v1/streams/lobby/playback-sessions", viewer, null);
		Reply second = http.post("/v1/streams/lobby/playback-sessions", viewer, null);

		assertThat(first.status()).isEqualTo(201);
		assertThat(second.status()).isEqualTo(201);
		assertThat(first.json().get("url")).isNotEqualTo(second.json().get("url"));
		assertThat(first.json().get("sessionId")).isNotEqualTo(second.json().get("sessionId"));
	}

	@Test
	void endsOnlyTheViewersOwnSession() {
		String sessionId = (String) http.post("/v1/streams/lobby/playback-sessions", viewer, null).json().get("sessionId");
		String otherViewer = jwks.token("viewer-2", "playback", List.of("*"));

		assertThat(http.delete("/v1/playback-sessions/" + sessionId, otherViewer).status()).isEqualTo(404);
		assertThat(http.delete("/v1/playback-sessions/" + sessionId, viewer).status()).isEqualTo(204);
		Reply again = http.delete("/v1/playback-sessions/" + sessionId, viewer);
		assertThat(again.status()).isEqualTo(404);
		assertThat(again.header("Content-Type")).startsWith("application/problem+json");
	}

	@Test
	void listsOnlyTheStreamsTheTokenCovers() {
		String garageViewer = jwks.token("viewer-3", "playback", List.of("garage-*"));

		Reply all = http.get("/v1/streams", viewer);
		Reply garage = http.get("/v1/streams", garageViewer);

		assertThat(all.status()).isEqualTo(200);
		assertThat(names(all)).contains("lobby", "garage-1", "idle-cam", "no-retention");
		assertThat(names(garage)).containsExactly("garage-1");
	}

	@SuppressWarnings("unchecked")
	private static List<String> names(Reply reply) {
		return ((List<Map<String, Object>>) reply.json().get("streams")).stream()
			.map(s -> (String) s.get("streamName"))
			.toList();
	}

	@Test
	void refusesARequestWithoutAValidToken() {
		Reply none = http.post("/v1/streams/lobby/playback-sessions", null, null);
		TestJwks otherIssuer = TestJwks.start();
		Reply forged = http.post("/v1/streams/lobby/playback-sessions", otherIssuer.token("x", "playback",
				List.of("*")), null);
		otherIssuer.close();

		for (Reply reply : List.of(none, forged)) {
			assertThat(reply.status()).isEqualTo(401);
			assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
			assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
			assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:unauthenticated");
		}
	}

	@Test
	void refusesATokenWithoutThePlaybackScope() {
		Reply reply = http.post("/v1/streams/lobby/playback-sessions", jwks.token("cam", "ingest", List.of("*")), null);

		assertThat(reply.status()).isEqualTo(403);
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:insufficient-scope");
	}

	@Test
	void refusesAStreamOutsideTheTokensClaim() {
		Reply reply = http.post("/v1/streams/lobby/playback-sessions",
				jwks.token("viewer-3", "playback", List.of("garage-*")), null);

		assertThat(reply.status()).isEqualTo(403);
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:stream-forbidden");
	}

	@Test
	void namesTheFieldAndTheRuleOfEveryInvalidParameter() {
		Map<String, String> cases = Map.of(
				"{\"startTimestamp\":\"2026-01-01T00:00:00Z\"}", "startTimestamp",
				"{\"playbackMode\":\"ON_DEMAND\",\"startTimestamp\":\"2026-01-01T00:00:00Z\"}", "endTimestamp",
				"{\"expiresInSeconds\":10}", "expiresInSeconds",
				"{\"maxFragmentResults\":5001}", "maxFragmentResults",
				"{\"protocol\":\"DASH\",\"containerFormat\":\"MPEG_TS\"}", "containerFormat",
				"{\"protocol\":\"SMOOTH\"}", "protocol",
				"[1,2]", "body");
		cases.forEach((body, field) -> {
			Reply reply = http.post("/v1/streams/lobby/playback-sessions", viewer, body);
			assertThat(reply.status()).as(body).isEqualTo(400);
			assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
			assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:invalid-request");
			assertThat(reply.body()).as(body).contains("\"field\":\"" + field + "\"");
		});
	}

	@Test
	void refusesAStreamNameThatBreaksTheKvsRule() {
		Reply reply = http.post("/v1/streams/" + "x".repeat(257) + "/playback-sessions", viewer, null);

		assertThat(reply.status()).isEqualTo(400);
		assertThat(reply.body()).contains("\"field\":\"streamName\"");
	}

	@Test
	void answersNotFoundForAnUnknownStream() {
		Reply reply = http.post("/v1/streams/no-such-stream/playback-sessions", viewer, null);

		assertThat(reply.status()).isEqualTo(404);
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:stream-not-found");
	}

	@Test
	void tellsAnIdleStreamFromAnUnknownOneForLive() {
		Reply reply = http.post("/v1/streams/idle-cam/playback-sessions", viewer, null);

		assertThat(reply.status()).isEqualTo(404);
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:stream-idle")
			.containsEntry("streamName", "idle-cam");
	}

	@Test
	void answersConflictForAStreamWithoutDataRetention() {
		Reply reply = http.post("/v1/streams/no-retention/playback-sessions", viewer, null);

		assertThat(reply.status()).isEqualTo(409);
		assertThat(reply.json()).containsEntry("kvsError", "NoDataRetentionException");
	}

	@Test
	void keepsActuatorHealthPublicAndEverythingElseClosed() {
		assertThat(http.get("/actuator/health", null).status()).isEqualTo(200);
		assertThat(http.get("/actuator/health/liveness", null).status()).isEqualTo(200);
		assertThat(http.get("/actuator/info", null).status()).isEqualTo(200);
		assertThat(http.get("/actuator/beans", viewer).status()).isEqualTo(403);
		assertThat(http.get("/actuator/beans", null).status()).isEqualTo(401);
		assertThat(http.get("/anything-else", viewer).status()).isEqualTo(403);
		assertThat(http.get("/anything-else", null).status()).isEqualTo(401);
	}

	@Test
	@SuppressWarnings("unchecked")
	void pagesThroughTheFragmentTimelineWithListFragments() {
		String range = "?start=" + Instant.now().minusSeconds(3600) + "&end=" + Instant.now();

		Reply all = http.get("/v1/streams/lobby/fragments" + range, viewer);
		Reply first = http.get("/v1/streams/lobby/fragments" + range + "&maxResults=2", viewer);

		assertThat(all.status()).as(all.toString()).isEqualTo(200);
		List<Map<String, Object>> fragments = (List<Map<String, Object>>) all.json().get("fragments");
		assertThat(fragments).hasSizeGreaterThanOrEqualTo(3)
			.allSatisfy(f -> assertThat(f).containsKeys("fragmentNumber", "producerTimestamp", "serverTimestamp")
				.containsEntry("durationMillis", 1000));
		assertThat((List<?>) first.json().get("fragments")).hasSize(2);
		String next = (String) first.json().get("nextToken");
		assertThat(next).isNotBlank();
		Reply second = http.get("/v1/streams/lobby/fragments" + range + "&maxResults=2&nextToken="
				+ java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8), viewer);
		assertThat(second.status()).as(second.toString()).isEqualTo(200);
		assertThat((List<Map<String, Object>>) second.json().get("fragments"))
			.extracting(f -> f.get("fragmentNumber"))
			.doesNotContainAnyElementsOf(((List<Map<String, Object>>) first.json().get("fragments")).stream()
				.map(f -> f.get("fragmentNumber"))
				.toList());
	}

	@Test
	void checksTheTimelineQueryBeforeAskingKvs() {
		Reply missing = http.get("/v1/streams/lobby/fragments", viewer);
		Reply backwards = http.get("/v1/streams/lobby/fragments?start=2026-11-22T10:00:00Z&end=2026-11-22T09:00:00Z"
				+ "&maxResults=0&selector=NOW", viewer);
		Reply outside = http.get("/v1/streams/lobby/fragments?start=2026-11-22T10:00:00Z&end=2026-11-22T11:00:00Z",
				jwks.token("viewer-3", "playback", List.of("garage-*")));

		assertThat(missing.status()).isEqualTo(400);
		assertThat(missing.body()).contains("\"field\":\"start\"", "\"field\":\"end\"");
		assertThat(backwards.status()).isEqualTo(400);
		assertThat(backwards.body()).contains("\"field\":\"end\"", "\"field\":\"maxResults\"",
				"\"field\":\"selector\"");
		assertThat(outside.status()).isEqualTo(403);
	}

	@Test
	void printsNoDevelopmentTokensWhenAnIssuerIsConfigured(CapturedOutput output) {
		assertThat(output.getOut()).doesNotContain("development tokens");
	}

}
