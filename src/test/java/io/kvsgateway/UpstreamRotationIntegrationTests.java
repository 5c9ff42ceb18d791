package io.kvsgateway;

import static io.kvsgateway.support.CameraConnection.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.kvs.PutMediaClient;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.MediaFixtures;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;

/**
 * The gateway rotating its upstream PutMedia into the embedded KVS, which, like KVS, allows one PutMedia connection
 * per stream: with a one-second rotation the camera keeps one connection and hears every fragment PERSISTED once, in
 * order, while the store received them over several uploads.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "gateway.ingest.upstream-rotation=1s")
class UpstreamRotationIntegrationTests {

	static final TestJwks JWKS = TestJwks.start();

	/** Upstream uploads opened, by stream. */
	static final Map<String, AtomicInteger> OPENED = new ConcurrentHashMap<>();

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

	@TestConfiguration
	static class CountUpstreamUploads {

		@Bean
		static BeanPostProcessor countingPutMediaClient() {
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					if (!(bean instanceof PutMediaClient client)) {
						return bean;
					}
					return (PutMediaClient) (stream, type, start, listener) -> {
						OPENED.computeIfAbsent(stream, any -> new AtomicInteger()).incrementAndGet();
						return client.open(stream, type, start, listener);
					};
				}
			};
		}

	}

	@Test
	void theCameraKeepsOneConnectionWhileTheGatewayRotatesItsUpstreamUploads() throws Exception {
		String stream = "rot-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24));
		}
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + JWKS.token("camera-1", "ingest", List.of(stream)));
		headers.put("x-amzn-stream-name", stream);
		headers.put("x-amzn-fragment-timecode-type", "RELATIVE");
		headers.put("x-amzn-producer-start-timestamp", String.valueOf(Instant.now().minusSeconds(10).getEpochSecond()));

		// When a real-time-ish camera sends six fragments over about two seconds
		List<Map<String, Object>> acks;
		try (CameraConnection camera = CameraConnection.open(port, "/putMedia", headers)) {
			assertThat(camera.status()).isEqualTo(200);
			camera.write(media.header());
			for (byte[] fragment : media.fragments()) {
				camera.write(fragment);
				Thread.sleep(400);
			}
			acks = camera.finish().awaitEnd();
		}

		// Then the gateway opened more than one upstream upload, each accepted by the one-connection store
		assertThat(OPENED.get(stream)).hasValueGreaterThanOrEqualTo(2);
		// and the camera heard every fragment once, in order, with no ERROR
		assertThat(ofType(acks, "ERROR")).as(acks.toString()).isEmpty();
		List<Long> persistedTimecodes = ofType(acks, "PERSISTED").stream()
			.map(a -> ((Number) a.get("FragmentTimecode")).longValue())
			.toList();
		assertThat(persistedTimecodes).containsExactlyElementsOf(media.timecodes());
		List<String> numbers = ofType(acks, "PERSISTED").stream().map(a -> (String) a.get("FragmentNumber")).toList();
		assertThat(numbers).doesNotHaveDuplicates();
		// and the store holds exactly those fragments
		try (KinesisVideoArchivedMediaClient archived = EmbeddedKvsClients.archivedMedia(port)) {
			var listed = archived.listFragments(r -> r.streamName(stream)
				.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.SERVER_TIMESTAMP)
					.timestampRange(t -> t.startTimestamp(Instant.now().minusSeconds(3600))
						.endTimestamp(Instant.now().plusSeconds(60)))))
				.fragments();
			assertThat(listed).extracting(f -> f.fragmentNumber()).containsExactlyInAnyOrderElementsOf(numbers);
		}
	}

}
