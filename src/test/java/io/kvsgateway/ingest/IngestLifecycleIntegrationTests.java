package io.kvsgateway.ingest;

import static io.kvsgateway.support.CameraConnection.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.FakePutMedia;
import io.kvsgateway.support.MediaFixtures;

/**
 * The camera connection's lifecycle through the gateway, with the KVS durations shortened: IDLE and the idle close,
 * ERROR 4003 after the maximum connection duration, the upstream upload rotated under one camera connection, and
 * KVS's per-stream rate enforced by slowing the camera down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IngestLifecycleIntegrationTests {

	static final long IDLE_TIMEOUT_MS = 1500;

	static final int FRAGMENTS_PER_SECOND = 3;

	static TestJwks jwks;

	static FakePutMedia upstream;

	@LocalServerPort
	int port;

	@BeforeAll
	static void start() throws Exception {
		jwks = TestJwks.start();
		upstream = FakePutMedia.start();
	}

	@AfterAll
	static void stop() throws Exception {
		jwks.close();
		upstream.close();
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> jwks.jwkSetUri());
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("gateway.kvs.endpoint", () -> upstream.endpoint());
		registry.add("gateway.kvs.max-attempts", () -> "1");
		registry.add("gateway.ingest.idle-ack-interval", () -> "200ms");
		registry.add("gateway.ingest.idle-timeout", () -> IDLE_TIMEOUT_MS + "ms");
		registry.add("gateway.ingest.max-connection-duration", () -> "3s");
		registry.add("gateway.ingest.upstream-rotation", () -> "1s");
		registry.add("gateway.ingest.max-fragments-per-second", () -> String.valueOf(FRAGMENTS_PER_SECOND));
	}

	private CameraConnection putMedia(String streamName) throws Exception {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + jwks.token("camera-1", "ingest", List.of(streamName)));
		headers.put("x-amzn-stream-name", streamName);
		headers.put("x-amzn-fragment-timecode-type", "ABSOLUTE");
		headers.put("x-amzn-producer-start-timestamp", "1700000000.5");
		headers.put("Content-Type", "application/json");
		CameraConnection camera = CameraConnection.open(port, "/putMedia", headers);
		assertThat(camera.status()).isEqualTo(200);
		return camera;
	}

	private static String stream() {
		return "life-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private static List<Long> timecodes(List<Map<String, Object>> acks, String type) {
		return ofType(acks, type).stream().map(ack -> ((Number) ack.get("FragmentTimecode")).longValue()).toList();
	}

	private static List<Long> persistedUpstream(String streamName) {
		List<Long> persisted = new ArrayList<>();
		upstream.uploads(streamName).forEach(upload -> persisted.addAll(upload.persisted()));
		return persisted;
	}

	@Test
	void sendsIdleWhileTheCameraPausesAndClosesAfterTheIdleTimeout() throws Exception {
		String streamName = stream();
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		try (CameraConnection camera = putMedia(streamName)) {
			camera.write(media.header()).write(media.fragments().get(0)).write(media.fragments().get(1));
			await().atMost(Duration.ofSeconds(5)).until(() -> ofType(camera.acksSoFar(), "PERSISTED").size() == 2);
			long paused = System.nanoTime();

			// When the camera sends nothing more (and does not hang up)
			List<Map<String, Object>> acks = camera.awaitEnd();
			long closedAfter = (System.nanoTime() - paused) / 1_000_000;

			// Then it heard IDLE while silent, and the gateway ended the connection after the idle timeout
			assertThat(timecodes(acks, "PERSISTED")).containsExactly(media.timecodes().get(0),
					media.timecodes().get(1));
			assertThat(ofType(acks, "IDLE")).hasSizeGreaterThanOrEqualTo(3)
				.allSatisfy(idle -> assertThat(idle).containsOnlyKeys("EventType"));
			assertThat(acks.getLast()).containsEntry("EventType", "IDLE");
			assertThat(ofType(acks, "ERROR")).isEmpty();
			assertThat(closedAfter).isBetween(IDLE_TIMEOUT_MS - 300, IDLE_TIMEOUT_MS + 5_000);
			// and upstream was finished with both fragments persisted
			await().atMost(Duration.ofSeconds(5)).until(() -> upstream.uploads(streamName).getFirst().done());
			assertThat(persistedUpstream(streamName)).containsExactlyElementsOf(media.timecodes().subList(0, 2));

			// and the stream is free for the producer's reconnect at once, though the old socket is still open
			try (CameraConnection again = putMedia(streamName)) {
				again.write(media.header()).write(media.fragments().get(2)).finish();
				assertThat(timecodes(again.awaitEnd(), "PERSISTED")).containsExactly(media.timecodes().get(2));
			}
		}
	}

	@Test
	void endsWith4003AfterTheMaximumDurationAndLosesNoFragment() throws Exception {
		String streamName = stream();
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		List<Map<String, Object>> first;
		try (CameraConnection camera = putMedia(streamName)) {
			camera.write(media.header());
			// A real-time camera: one fragment every 800 ms (the 3 s maximum falls before the last one), until the gateway ends the connection
			for (int sent = 0; sent < media.fragments().size() && !camera.ended(); sent++) {
				camera.write(media.fragments().get(sent));
				Thread.sleep(800);
			}
			first = camera.awaitEnd();
		}
		Map<String, Object> last = first.getLast();
		assertThat(last).containsEntry("EventType", "ERROR").containsEntry("ErrorId", 4003)
			.containsEntry("ErrorCode", "MAX_CONNECTION_DURATION_REACHED");
		List<Long> persistedFirst = timecodes(first, "PERSISTED");
		assertThat(persistedFirst).isNotEmpty();
		// Every ERROR before it is none: what was forwarded was persisted before 4003 came
		assertThat(ofType(first, "ERROR")).hasSize(1);
		assertThat(persistedFirst).containsExactlyElementsOf(media.timecodes().subList(0, persistedFirst.size()));

		// When the producer reconnects and re-sends everything not PERSISTED
		List<Map<String, Object>> second;
		try (CameraConnection camera = putMedia(streamName)) {
			camera.write(media.header());
			media.fragments().subList(persistedFirst.size(), media.fragments().size()).forEach(camera::write);
			second = camera.finish().awaitEnd();
		}

		// Then every fragment was PERSISTED exactly once, in order, on the camera's side and upstream
		List<Long> persisted = new ArrayList<>(persistedFirst);
		persisted.addAll(timecodes(second, "PERSISTED"));
		assertThat(persisted).containsExactlyElementsOf(media.timecodes());
		assertThat(persistedUpstream(streamName)).containsExactlyElementsOf(media.timecodes());
	}

	@Test
	void rotatesTheUpstreamUploadWithoutTheCameraNoticing() throws Exception {
		String streamName = stream();
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName)) {
			camera.write(media.header());
			for (byte[] fragment : media.fragments()) {
				camera.write(fragment);
				Thread.sleep(300);
			}
			acks = camera.finish().awaitEnd();
		}

		// Then the camera had one connection with every fragment BUFFERING, RECEIVED, PERSISTED once, in order
		assertThat(ofType(acks, "ERROR")).isEmpty();
		assertThat(timecodes(acks, "BUFFERING")).containsExactlyElementsOf(media.timecodes());
		assertThat(timecodes(acks, "RECEIVED")).containsExactlyElementsOf(media.timecodes());
		assertThat(timecodes(acks, "PERSISTED")).containsExactlyElementsOf(media.timecodes());
		// while upstream saw at least two uploads, each starting with the stream header, and every fragment once
		List<FakePutMedia.Upload> uploads = upstream.uploads(streamName);
		assertThat(uploads).hasSizeGreaterThanOrEqualTo(2);
		byte[] header = java.util.Arrays.copyOf(media.live(), media.header().length);
		for (FakePutMedia.Upload upload : uploads) {
			assertThat(java.util.Arrays.copyOf(upload.body(), header.length)).isEqualTo(header);
			assertThat(upload.persisted()).isNotEmpty();
		}
		assertThat(persistedUpstream(streamName)).containsExactlyElementsOf(media.timecodes());
		// and each PERSISTED carries the fragment number of the upload that persisted it
		for (Map<String, Object> persisted : ofType(acks, "PERSISTED")) {
			long timecode = ((Number) persisted.get("FragmentTimecode")).longValue();
			assertThat(uploads.stream().map(u -> u.fragmentNumber(timecode)).filter(java.util.Objects::nonNull))
				.containsExactly((String) persisted.get("FragmentNumber"));
		}
	}

	@Test
	void slowsAFastCameraToTheFragmentRateAndLosesNothing() throws Exception {
		String streamName = stream();
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		int n = media.fragments().size();
		long start = System.nanoTime();
		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName)) {
			// When the camera sends the whole file at once
			acks = camera.write(media.live()).finish().awaitEnd();
		}
		long took = (System.nanoTime() - start) / 1_000_000;

		// Then it took at least the time the rate allows beyond one second's burst, and every fragment was PERSISTED
		long expected = 1000L * (n - FRAGMENTS_PER_SECOND) / FRAGMENTS_PER_SECOND;
		assertThat(n).isGreaterThan(FRAGMENTS_PER_SECOND);
		assertThat(took).isGreaterThanOrEqualTo(expected - 50);
		assertThat(ofType(acks, "ERROR")).isEmpty();
		assertThat(timecodes(acks, "PERSISTED")).containsExactlyElementsOf(media.timecodes());
		assertThat(persistedUpstream(streamName)).containsExactlyElementsOf(media.timecodes());
	}

}
