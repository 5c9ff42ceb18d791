package io.kvsgateway.ingest;

import static io.kvsgateway.support.CameraConnection.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import io.kvsgateway.support.MediaFixtures;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException;

/**
 * The camera's control-plane calls against the embedded KVS, nothing faked: a producer that finds no stream creates
 * it and uploads to it, in the order producer-c makes its calls; a camera cannot create a stream it does not cover.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CameraApiIntegrationTests {

	static final TestJwks JWKS = TestJwks.start();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", JWKS::jwkSetUri);
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("gateway.security.cameras[0].access-key-id", () -> CAMERA_KEY);
		registry.add("gateway.security.cameras[0].secret-access-key", () -> CAMERA_SECRET);
		registry.add("gateway.security.cameras[0].streams[0]", () -> "porch-*");
	}

	static final String CAMERA_KEY = "AKIDPORCHCAMERA";

	static final String CAMERA_SECRET = "porch-camera-secret";

	@AfterAll
	static void stop() {
		JWKS.close();
	}

	static String stream(String prefix) {
		return prefix + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aProducerThatFindsNoStreamCreatesItAndUploadsToIt() throws Exception {
		String streamName = stream("porch-");
		String camera = JWKS.token("camera-1", "ingest", List.of("porch-*"));
		Http http = new Http(port);
		String named = "{\"StreamName\":\"" + streamName + "\"}";

		// describeStream: 404, so producer-c creates the stream
		Reply missing = http.post("/describeStream", camera, named);
		assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
		assertThat(missing.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");

		String create = "{\"DeviceName\":\"porch-camera\",\"StreamName\":\"" + streamName
				+ "\",\"MediaType\":\"video/h264\",\"DataRetentionInHours\":2}";
		Reply created = http.post("/createStream", camera, create);
		assertThat(created.status()).as(created.toString()).isEqualTo(200);
		String arn = (String) created.json().get("StreamARN");
		assertThat(arn).startsWith("arn:aws:kinesisvideo:").contains(":stream/" + streamName + "/");

		// A second create is what KVS answers for an existing stream, in its envelope
		Reply again = http.post("/createStream", camera, create);
		assertThat(again.status()).as(again.toString()).isEqualTo(400);
		assertThat(again.header("x-amzn-ErrorType")).isEqualTo("ResourceInUseException");
		assertThat(again.json()).containsKey("Message");

		Reply described = http.post("/describeStream", camera, named);
		assertThat(described.status()).as(described.toString()).isEqualTo(200);
		assertThat((Map<String, Object>) described.json().get("StreamInfo")).containsEntry("StreamARN", arn)
			.containsEntry("Status", "ACTIVE")
			.containsEntry("MediaType", "video/h264")
			.containsEntry("DataRetentionInHours", 2);

		Reply tagged = http.post("/tagStream", camera,
				"{\"StreamName\":\"" + streamName + "\",\"Tags\":{\"site\":\"porch\"}}");
		assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);
		assertThat(tagged.json()).isEmpty();

		Reply endpoint = http.post("/getDataEndpoint", camera,
				"{\"StreamName\":\"" + streamName + "\",\"APIName\":\"PUT_MEDIA\"}");
		assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(200);
		assertThat(endpoint.json()).containsEntry("DataEndpoint", "http://localhost:" + port);

		// putMedia on the new stream: every fragment persisted by the embedded KVS
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		List<Map<String, Object>> acks;
		try (CameraConnection upload = putMedia(streamName, camera)) {
			assertThat(upload.status()).isEqualTo(200);
			acks = upload.writeInChunks(MediaFixtures.bytes("h264.mkv"), 16 * 1024).finish().awaitEnd();
		}
		assertThat(ofType(acks, "ERROR")).isEmpty();
		assertThat(ofType(acks, "PERSISTED")).hasSize(media.timecodes().size());
	}

	@Test
	void refusesToCreateOrTagAStreamTheCameraDoesNotCover() {
		String streamName = stream("garage-");
		Http http = new Http(port);
		String camera = JWKS.token("camera-1", "ingest", List.of("porch-*"));

		Reply refused = http.post("/createStream", camera,
				"{\"StreamName\":\"" + streamName + "\",\"DataRetentionInHours\":2}");
		assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
		assertThat(refused.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");

		// Neither a viewer's token nor no token at all creates it either
		Reply viewer = http.post("/createStream", JWKS.token("viewer", "playback", List.of("*")),
				"{\"StreamName\":\"" + streamName + "\"}");
		assertThat(viewer.status()).as(viewer.toString()).isEqualTo(403);
		Reply anonymous = http.post("/createStream", null, "{\"StreamName\":\"" + streamName + "\"}");
		assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
		assertThat(anonymous.header("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");

		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			assertThatExceptionOfType(ResourceNotFoundException.class)
				.isThrownBy(() -> kvs.describeStream(r -> r.streamName(streamName)));
			kvs.createStream(r -> r.streamName(streamName).dataRetentionInHours(1));
		}
		Reply tag = http.post("/tagStream", camera, "{\"StreamName\":\"" + streamName + "\",\"Tags\":{\"a\":\"b\"}}");
		assertThat(tag.status()).as(tag.toString()).isEqualTo(403);
		assertThat(tag.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");
	}

	@Test
	void aSigV4CameraKeyCreatesOnlyTheStreamsItsPatternsCover() throws Exception {
		String covered = stream("porch-");
		String other = stream("garage-");

		HttpResponse<String> created = signedPost("/createStream",
				"{\"StreamName\":\"" + covered + "\",\"DataRetentionInHours\":1}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
		assertThat(created.body()).contains("\"StreamARN\"");

		HttpResponse<String> refused = signedPost("/createStream",
				"{\"StreamName\":\"" + other + "\",\"DataRetentionInHours\":1}");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
		assertThat(refused.headers().firstValue("x-amzn-ErrorType")).hasValue("NotAuthorizedException");

		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			assertThat(kvs.describeStream(r -> r.streamName(covered)).streamInfo().status().toString())
				.isEqualTo("ACTIVE");
			assertThatExceptionOfType(ResourceNotFoundException.class)
				.isThrownBy(() -> kvs.describeStream(r -> r.streamName(other)));
		}
	}

	/** A JSON call signed as a producer signs it: SigV4 over the body's hash, service {@code kinesisvideo}. */
	private HttpResponse<String> signedPost(String path, String json) throws Exception {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		SdkHttpRequest request = SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:" + port + path))
			.putHeader("Host", "localhost:" + port)
			.putHeader("user-agent", "AWS-PRODUCER-SDK-KVS/test")
			.build();
		SdkHttpRequest signed = AwsV4HttpSigner.create()
			.sign(r -> r.identity(AwsCredentialsIdentity.create(CAMERA_KEY, CAMERA_SECRET))
				.request(request)
				.payload(ContentStreamProvider.fromByteArray(body))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
				.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"))
			.request();
		HttpRequest.Builder send = HttpRequest.newBuilder(signed.getUri())
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.header("Content-Type", "application/json");
		// The JDK client sets Host itself, to the same value that was signed
		signed.forEachHeader((name, values) -> {
			if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("user-agent")) {
				send.header(name, String.join(",", values));
			}
		});
		send.setHeader("User-Agent", "AWS-PRODUCER-SDK-KVS/test");
		return HttpClient.newHttpClient().send(send.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void answersMalformedCreateAndTagRequestsAsKvsDoes() {
		String streamName = stream("porch-");
		Http http = new Http(port);
		String camera = JWKS.token("camera-1", "ingest", List.of("porch-*"));

		for (String retention : List.of("\"two\"", "2.5", "99999999999")) {
			Reply refused = http.post("/createStream", camera,
					"{\"StreamName\":\"" + streamName + "\",\"DataRetentionInHours\":" + retention + "}");
			assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
			assertThat(refused.header("x-amzn-ErrorType")).isEqualTo("InvalidArgumentException");
		}

		Reply notThere = http.post("/tagStream", camera,
				"{\"StreamName\":\"" + streamName + "\",\"Tags\":{\"a\":\"b\"}}");
		assertThat(notThere.status()).as(notThere.toString()).isEqualTo(404);
		assertThat(notThere.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");

		Reply noTags = http.post("/tagStream", camera, "{\"StreamName\":\"" + streamName + "\"}");
		assertThat(noTags.status()).as(noTags.toString()).isEqualTo(400);
		assertThat(noTags.header("x-amzn-ErrorType")).isEqualTo("InvalidArgumentException");
	}

	private CameraConnection putMedia(String streamName, String token) throws Exception {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token);
		headers.put("x-amzn-stream-name", streamName);
		headers.put("x-amzn-fragment-timecode-type", "RELATIVE");
		headers.put("x-amzn-producer-start-timestamp", Long.toString(Instant.now().minusSeconds(10).getEpochSecond()));
		return CameraConnection.open(port, "/putMedia", headers);
	}

}
