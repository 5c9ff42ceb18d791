package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.ExternalTools;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole path with nothing faked: plain {@code curl -T} uploads a camera's MKV to the gateway's {@code /putMedia}
 * (camera JWT), the gateway forwards it with its signed PutMedia client to the embedded KVS, which stores it; then a
 * viewer sees the fragments on the timeline, gets a LIVE session, and KVS's GetMediaForFragmentList returns every
 * frame.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CameraToViewerIntegrationTests {

	static final TestJwks JWKS = TestJwks.start();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", JWKS::jwkSetUri);
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@AfterAll
	static void stop() {
		JWKS.close();
	}

	/** Fixture, its fragments, and its video frames as ffprobe counts them (see make-fixtures.sh). */
	@ParameterizedTest
	@CsvSource({ "h264.mkv, 6, 180", "h264-aac.mkv, 7, 180", "h264-kvs.mkv, 6, 180", "h265.mkv, 6, 180" })
	@SuppressWarnings("unchecked")
	void aCurlUploadThroughTheGatewayIsStoredListedPlayableAndReadBackWhole(String file, int fragmentCount,
			int videoFrames) throws Exception {
		String curl = ExternalTools.require("curl");
		String stream = "door-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24));
		}
		Path fixture = Path.of("src/test/resources/media", file);

		// When: a camera uploads the way the README shows (curl -T sends PUT, chunked)
		Process upload = new ProcessBuilder(curl, "-sS", "-T", fixture.toString(), "-H", "Transfer-Encoding: chunked",
				"-H", "Authorization: Bearer " + JWKS.token("camera-1", "ingest", List.of(stream)), "-H",
				"x-amzn-stream-name: " + stream, "-H", "x-amzn-fragment-timecode-type: RELATIVE", "-H",
				"x-amzn-producer-start-timestamp: " + Instant.now().minusSeconds(10).getEpochSecond(),
				"http://localhost:" + port + "/putMedia")
			.redirectErrorStream(true)
			.start();
		String acks = new String(upload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(upload.waitFor(60, TimeUnit.SECONDS)).isTrue();

		// Then: each of the fixture's fragments is buffered, received and persisted
		JsonMapper json = JsonMapper.builder().build();
		List<Map<String, Object>> events = acks.lines().map(line -> (Map<String, Object>) json.readValue(line, Map.class))
			.toList();
		assertThat(events).as(acks).extracting(e -> e.get("EventType")).doesNotContain("ERROR");
		List<String> persisted = events.stream()
			.filter(e -> "PERSISTED".equals(e.get("EventType")))
			.map(e -> (String) e.get("FragmentNumber"))
			.toList();
		assertThat(persisted).as(acks).hasSize(fragmentCount);

		// and a viewer sees them on the timeline, in the same order, and may watch LIVE
		Http http = new Http(port);
		String viewer = JWKS.token("viewer-1", "playback", List.of(stream));
		Reply timeline = http.get("/v1/streams/" + stream + "/fragments?start=" + Instant.now().minusSeconds(600)
				+ "&end=" + Instant.now(), viewer);
		assertThat(((List<Map<String, Object>>) timeline.json().get("fragments")).stream()
			.map(f -> (String) f.get("fragmentNumber"))).containsExactlyElementsOf(persisted);
		assertThat(http.post("/v1/streams/" + stream + "/playback-sessions", viewer, null).status()).isEqualTo(201);

		// and KVS hands back every video frame (ffprobe's count)
		int frames = 0;
		try (KinesisVideoArchivedMediaClient media = EmbeddedKvsClients.archivedMedia(port);
				ResponseInputStream<?> body = media
					.getMediaForFragmentList(r -> r.streamName(stream).fragments(persisted))) {
			FragmentReader reader = FragmentReader.of(body);
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.FragmentRead read) {
					frames += (int) read.fragment().frames().stream().filter(f -> f.trackNumber() == 1).count();
				}
			}
		}
		assertThat(frames).isEqualTo(videoFrames);
	}

}
