package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Mp4Probe;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * {@code GET /v1/streams/{streamName}/clip} end to end: a camera uploads a fixture through the gateway's
 * {@code /putMedia}, the embedded KVS stores it, and a viewer downloads the range as one MP4 that ffprobe and ffmpeg
 * judge (every video and audio frame there, decodable); plus the refusals a viewer can meet.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClipIntegrationTests {

	static final TestJwks JWKS = TestJwks.start();

	@LocalServerPort
	int port;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

	@ParameterizedTest
	@CsvSource({ "h264-aac.mkv, true", "h265.mkv, false", "h264-kvs.mkv, false" })
	void aViewerDownloadsEveryFrameOfAnUploadedRangeAsOneMp4(String fixture, boolean audio) throws Exception {
		String stream = upload(fixture);
		String viewer = JWKS.token("viewer-1", "playback", List.of(stream));
		Instant asked = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.SECONDS);

		HttpResponse<byte[]> clip = get("/v1/streams/" + stream + "/clip?start=" + asked + "&end=" + Instant.now(),
				viewer);

		assertThat(clip.statusCode()).as(new String(clip.body())).isEqualTo(200);
		assertThat(clip.headers().firstValue("Content-Type")).hasValue("video/mp4");
		assertThat(clip.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"" + stream
				+ "-" + asked.toString().replace("-", "").replace(":", "") + ".mp4\"");
		byte[] source = Files.readAllBytes(Path.of("src/test/resources/media", fixture));
		assertThat(Mp4Probe.streams(clip.body())).isEqualTo(audio ? List.of("video", "audio") : List.of("video"));
		assertThat(Mp4Probe.frames(clip.body(), "v:0")).isEqualTo(Mp4Probe.frames(source, "v:0")).isEqualTo(180);
		if (audio) {
			assertThat(Mp4Probe.frames(clip.body(), "a:0")).isEqualTo(Mp4Probe.frames(source, "a:0"));
		}
		assertThat(Mp4Probe.decodeErrors(clip.body())).isEmpty();
	}

	@Test
	void aBadRangeIsAProblemNamingTheParameterAndAStreamTheViewerMayNotWatchIsForbidden() throws Exception {
		String stream = upload("h264.mkv");
		String viewer = JWKS.token("viewer-1", "playback", List.of(stream));
		Instant now = Instant.now();
		String clip = "/v1/streams/" + stream + "/clip";

		HttpResponse<byte[]> backwards = get(clip + "?start=" + now + "&end=" + now.minusSeconds(60), viewer);
		assertThat(backwards.statusCode()).isEqualTo(400);
		assertThat(backwards.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(new String(backwards.body())).contains("\"field\":\"end\"").contains("must be after start");

		HttpResponse<byte[]> future = get(clip + "?start=" + now.minusSeconds(60) + "&end=" + now.plusSeconds(600),
				viewer);
		assertThat(future.statusCode()).isEqualTo(400);
		assertThat(new String(future.body())).contains("must be in the past when selector is SERVER_TIMESTAMP");

		HttpResponse<byte[]> missing = get(clip + "?end=" + now + "&selector=NEWEST", viewer);
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(new String(missing.body())).contains("\"field\":\"start\"").contains("\"field\":\"selector\"");

		String range = "?start=" + now.minusSeconds(600) + "&end=" + now;
		String otherStreams = JWKS.token("viewer-2", "playback", List.of("elsewhere-*"));
		HttpResponse<byte[]> forbidden = get(clip + range, otherStreams);
		assertThat(forbidden.statusCode()).isEqualTo(403);
		assertThat(new String(forbidden.body())).contains("stream-forbidden");

		HttpResponse<byte[]> empty = get(clip + "?start=" + now.minusSeconds(7200) + "&end=" + now.minusSeconds(3600),
				viewer);
		assertThat(empty.statusCode()).isEqualTo(404);
		assertThat(new String(empty.body())).contains("No fragments found");

		String anyStream = JWKS.token("viewer-3", "playback", List.of("*"));
		assertThat(get("/v1/streams/clip-missing-" + UUID.randomUUID().toString().substring(0, 8) + "/clip" + range,
				anyStream).statusCode()).isEqualTo(404);
		assertThat(get(clip + range, null).statusCode()).isEqualTo(401);
	}

	/** Creates a stream and uploads a fixture to it through the gateway's camera API; returns the stream name. */
	private String upload(String fixture) throws Exception {
		String stream = "clip-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24));
		}
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/putMedia"))
			.header("Authorization", "Bearer " + JWKS.token("camera-1", "ingest", List.of(stream)))
			.header("x-amzn-stream-name", stream)
			.header("x-amzn-fragment-timecode-type", "RELATIVE")
			.header("x-amzn-producer-start-timestamp", Long.toString(Instant.now().minusSeconds(10).getEpochSecond()))
			.POST(HttpRequest.BodyPublishers.ofInputStream(
					() -> ClipIntegrationTests.class.getResourceAsStream("/media/" + fixture)))
			.build();
		HttpResponse<String> acks = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(acks.statusCode()).isEqualTo(200);
		assertThat(acks.body()).as(acks.body()).doesNotContain("\"ERROR\"").contains("PERSISTED");
		return stream;
	}

	private HttpResponse<byte[]> get(String path, @Nullable String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

}
