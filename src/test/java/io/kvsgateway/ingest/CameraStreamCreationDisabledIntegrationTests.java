package io.kvsgateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException;

/** With {@code gateway.ingest.allow-create-stream=false}, no camera creates or tags a stream, however covered. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "gateway.ingest.allow-create-stream=false")
class CameraStreamCreationDisabledIntegrationTests {

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

	@Test
	void refusesCreateAndTagAsKvsRefusesAPrincipalWithoutPermission() {
		String streamName = "porch-" + UUID.randomUUID().toString().substring(0, 8);
		Http http = new Http(port);
		String camera = JWKS.token("camera-1", "ingest", List.of("*"));

		Reply created = http.post("/createStream", camera,
				"{\"StreamName\":\"" + streamName + "\",\"MediaType\":\"video/h264\",\"DataRetentionInHours\":2}");
		assertThat(created.status()).as(created.toString()).isEqualTo(401);
		assertThat(created.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");
		assertThat(created.json()).containsKey("Message");

		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			assertThatExceptionOfType(ResourceNotFoundException.class)
				.isThrownBy(() -> kvs.describeStream(r -> r.streamName(streamName)));
			kvs.createStream(r -> r.streamName(streamName).dataRetentionInHours(1));
		}
		Reply tagged = http.post("/tagStream", camera, "{\"StreamName\":\"" + streamName + "\",\"Tags\":{\"a\":\"b\"}}");
		assertThat(tagged.status()).as(tagged.toString()).isEqualTo(401);
		assertThat(tagged.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");

		// The calls a producer makes on a provisioned stream still work
		Reply described = http.post("/describeStream", camera, "{\"StreamName\":\"" + streamName + "\"}");
		assertThat(described.status()).as(described.toString()).isEqualTo(200);
	}

}
