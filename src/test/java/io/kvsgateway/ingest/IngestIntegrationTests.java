package io.kvsgateway.ingest;

import static io.kvsgateway.support.CameraConnection.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.FakePutMedia;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import io.kvsgateway.support.MediaFixtures;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Cameras through the gateway over real HTTP: chunked MKV into {@code /putMedia} with a camera JWT or a SigV4 camera
 * key, ACKs read while uploading, and a scripted upstream PutMedia that records every byte it was forwarded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IngestIntegrationTests {

	static final String CAMERA_KEY = "AKIDCAMERAA";

	static final String CAMERA_SECRET = "camera-a-secret";

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
		registry.add("gateway.local.data-dir", () -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("gateway.kvs.endpoint", () -> upstream.endpoint());
		registry.add("gateway.kvs.max-attempts", () -> "1");
		registry.add("gateway.security.cameras[0].access-key-id", () -> CAMERA_KEY);
		registry.add("gateway.security.cameras[0].secret-access-key", () -> CAMERA_SECRET);
		registry.add("gateway.security.cameras[0].streams[0]", () -> "cam-a-*");
	}

	@BeforeEach
	void resetUpstream() {
		upstream.reset();
	}

	private String camera(String... streams) {
		return jwks.token("camera-1", "ingest", List.of(streams));
	}

	private static String stream(String prefix) {
		return prefix + UUID.randomUUID().toString().substring(0, 8);
	}

	private CameraConnection putMedia(String streamName, String token) throws Exception {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token);
		headers.put("x-amzn-stream-name", streamName);
		headers.put("x-amzn-fragment-timecode-type", "ABSOLUTE");
		headers.put("x-amzn-producer-start-timestamp", "1700000000.5");
		headers.put("Content-Type", "application/json");
		return CameraConnection.open(port, "/putMedia", headers);
	}

	@ParameterizedTest
	@ValueSource(strings = { "h264.mkv", "h264-aac.mkv", "h264-kvs.mkv" })
	void relaysEveryFragmentAndItsKvsAcks(String fixture) throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split(fixture);

		// When the camera uploads the file in chunks that cut across elements
		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName, camera("cam-a-*"))) {
			assertThat(camera.status()).isEqualTo(200);
			acks = camera.writeInChunks(MediaFixtures.bytes(fixture), 8 * 1024).finish().awaitEnd();
		}

		// Then every fragment was answered BUFFERING, RECEIVED, PERSISTED, with the fragment number upstream gave it
		FakePutMedia.Upload forwarded = upstream.uploads(streamName).getFirst();
		assertThat(ofType(acks, "ERROR")).isEmpty();
		assertThat(acks).hasSize(3 * media.timecodes().size());
		for (long timecode : media.timecodes()) {
			List<Map<String, Object>> ofFragment = acks.stream()
				.filter(ack -> ((Number) ack.get("FragmentTimecode")).longValue() == timecode)
				.toList();
			assertThat(ofFragment).extracting(ack -> ack.get("EventType"))
				.containsExactly("BUFFERING", "RECEIVED", "PERSISTED");
			assertThat(ofFragment.get(0)).doesNotContainKey("FragmentNumber");
			assertThat(ofFragment.subList(1, 3)).extracting(ack -> ack.get("FragmentNumber"))
				.containsOnly(forwarded.fragmentNumber(timecode));
		}
		// and upstream received the header once (its Segment size made unknown, as live producers send it) and every
		// Cluster with its Tags byte for byte
		assertThat(forwarded.body()).isEqualTo(media.live());
		assertThat(forwarded.header("x-amzn-fragment-timecode-type")).isEqualTo("ABSOLUTE");
		assertThat(forwarded.header("x-amzn-producer-start-timestamp")).isEqualTo("1700000000.005");
	}

	@Test
	void answersMalformedMkvWith4006AndForwardsNothingOfThatFragment() throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		byte[] second = media.fragments().get(1);

		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName, camera("*"))) {
			// The second Cluster ends halfway: the body ends inside it.
			acks = camera.write(media.header())
				.write(media.fragments().get(0))
				.write(java.util.Arrays.copyOf(second, second.length / 2))
				.finish()
				.awaitEnd();
		}

		assertThat(ofType(acks, "PERSISTED")).extracting(ack -> ((Number) ack.get("FragmentTimecode")).longValue())
			.containsExactly(media.timecodes().get(0));
		assertThat(ofType(acks, "ERROR")).singleElement().satisfies(error -> {
			assertThat(error).containsEntry("ErrorId", 4006).containsEntry("ErrorCode", "INVALID_MKV_DATA");
			assertThat(((Number) error.get("FragmentTimecode")).longValue()).isEqualTo(media.timecodes().get(1));
		});
		byte[] expected = java.util.Arrays.copyOf(media.live(), media.header().length + media.fragments().get(0).length);
		assertThat(upstream.uploads(streamName).getFirst().body()).isEqualTo(expected);
	}

	@Test
	void refusesASecondConnectionToTheSameStream() throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		try (CameraConnection first = putMedia(streamName, camera("*"))) {
			assertThat(first.status()).isEqualTo(200);
			// As a live producer: the Segment's size unknown
			first.write(java.util.Arrays.copyOf(media.live(), media.header().length));

			try (CameraConnection second = putMedia(streamName, camera("*"))) {
				second.write(media.header());
				assertThat(second.status()).isEqualTo(400);
				assertThat(second.header("x-amzn-ErrorType")).isEqualTo("ConnectionLimitExceededException");
				assertThat(second.errorBody()).contains("\"Message\"");
			}

			List<Map<String, Object>> acks = first.writeInChunks(media.fragmentBytes(), 16 * 1024).finish().awaitEnd();
			assertThat(ofType(acks, "PERSISTED")).hasSize(media.timecodes().size());
		}
		assertThat(upstream.uploads(streamName)).hasSize(1);
	}

	@Test
	void refusesCamerasOnStreamsTheyDoNotOwn() throws Exception {
		String streamName = stream("cam-b-");
		byte[] media = MediaFixtures.bytes("h264.mkv");

		try (CameraConnection otherStream = putMedia(streamName, camera("cam-a-*"))) {
			otherStream.writeInChunks(media, 16 * 1024).finish();
			assertThat(otherStream.status()).isEqualTo(403);
			assertThat(otherStream.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");
		}
		try (CameraConnection viewerToken = putMedia(streamName, jwks.token("viewer", "playback", List.of("*")))) {
			assertThat(viewerToken.status()).isEqualTo(403);
		}
		try (CameraConnection signed = signedPutMedia(streamName, CAMERA_SECRET)) {
			signed.writeInChunks(media, 16 * 1024).finish();
			assertThat(signed.status()).isEqualTo(403);
			assertThat(signed.header("x-amzn-ErrorType")).isEqualTo("NotAuthorizedException");
		}
		Map<String, String> anonymous = Map.of("x-amzn-stream-name", streamName);
		try (CameraConnection noToken = CameraConnection.open(port, "/putMedia", anonymous)) {
			assertThat(noToken.status()).isEqualTo(401);
			assertThat(noToken.header("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");
		}
		Reply describe = new Http(port).post("/describeStream", camera("cam-a-*"),
				"{\"StreamName\":\"" + streamName + "\"}");
		assertThat(describe.status()).isEqualTo(403);
		assertThat(upstream.uploads(streamName)).isEmpty();
	}

	@Test
	void acceptsASigV4SignedUploadAndRefusesAWrongSecret() throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");

		try (CameraConnection wrong = signedPutMedia(streamName, "not-the-secret")) {
			wrong.write(media.header());
			assertThat(wrong.status()).isEqualTo(403);
			assertThat(wrong.header("x-amzn-ErrorType")).isEqualTo("InvalidSignatureException");
		}
		assertThat(upstream.uploads(streamName)).isEmpty();

		try (CameraConnection signed = signedPutMedia(streamName, CAMERA_SECRET)) {
			assertThat(signed.status()).isEqualTo(200);
			List<Map<String, Object>> acks = signed.writeInChunks(media.all(), 4096).finish().awaitEnd();
			assertThat(ofType(acks, "PERSISTED")).hasSize(media.timecodes().size());
		}
		assertThat(upstream.uploads(streamName).getFirst().body()).isEqualTo(media.live());
	}

	@Test
	void answersEveryUnpersistedFragmentWithAnErrorWhenUpstreamFails() throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");
		upstream.dropAfterPersisted(2);

		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName, camera("*"))) {
			acks = camera.writeInChunks(media.all(), 8 * 1024).finish().awaitEnd();
		}

		// Only what upstream persisted is reported persisted
		Set<Long> persisted = timecodes(ofType(acks, "PERSISTED"));
		assertThat(persisted).containsExactlyElementsOf(media.timecodes().subList(0, 2));
		// and every other fragment the camera started is answered with an ERROR, the third with upstream's number
		Set<Long> started = timecodes(ofType(acks, "BUFFERING"));
		Set<Long> failed = timecodes(ofType(acks, "ERROR"));
		Set<Long> unpersisted = new TreeSet<>(started);
		unpersisted.removeAll(persisted);
		assertThat(failed).isEqualTo(unpersisted).contains(media.timecodes().get(2));
		assertThat(ofType(acks, "ERROR")).allSatisfy(error -> assertThat(error).containsEntry("ErrorId", 5000)
			.containsEntry("ErrorCode", "INTERNAL_ERROR"));
		assertThat(ofType(acks, "ERROR")).filteredOn(error -> ((Number) error.get("FragmentTimecode")).longValue()
				== media.timecodes().get(2))
			.singleElement()
			.satisfies(error -> assertThat(error.get("FragmentNumber"))
				.isEqualTo(upstream.uploads(streamName).getFirst().fragmentNumber(media.timecodes().get(2))));
	}

	@Test
	void marksAStreamWhoseVideoHasNoCodecPrivateDataNotPlayable() throws Exception {
		String streamName = stream("cam-a-");
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		byte[] header = withoutCodecPrivate(java.util.Arrays.copyOf(media.live(), media.header().length));

		List<Map<String, Object>> acks;
		try (CameraConnection camera = putMedia(streamName, camera("*"))) {
			camera.write(header);
			media.fragments().forEach(camera::write);
			acks = camera.finish().awaitEnd();
		}

		// Accepted and forwarded, as KVS would
		assertThat(ofType(acks, "PERSISTED")).hasSize(media.timecodes().size());
		// but viewers are told it will not play
		Reply list = new Http(port).get("/v1/streams", jwks.token("viewer", "playback", List.of("*")));
		assertThat(list.status()).as(list.toString()).isEqualTo(200);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> streams = (List<Map<String, Object>>) list.json().get("streams");
		assertThat(streams).filteredOn(s -> streamName.equals(s.get("streamName"))).singleElement().satisfies(s -> {
			assertThat(s).containsEntry("playable", false);
			assertThat((String) s.get("notPlayableReason")).startsWith("MissingCodecPrivateDataException");
		});
		assertThat(streams).filteredOn(s -> !streamName.equals(s.get("streamName")))
			.allSatisfy(s -> assertThat(s).containsEntry("playable", true).doesNotContainKey("notPlayableReason"));
	}

	@Test
	void answersDescribeStreamAndGetDataEndpointAsKvsDoes() {
		Http http = new Http(port);
		String token = camera("cam-a-*");

		Reply described = http.post("/describeStream", token, "{\"StreamName\":\"cam-a-lobby\"}");
		assertThat(described.status()).as(described.toString()).isEqualTo(200);
		@SuppressWarnings("unchecked")
		Map<String, Object> info = (Map<String, Object>) described.json().get("StreamInfo");
		assertThat(info).containsEntry("StreamName", "cam-a-lobby")
			.containsEntry("Status", "ACTIVE")
			.containsEntry("DataRetentionInHours", 24)
			.containsKey("StreamARN");

		Reply missing = http.post("/describeStream", token, "{\"StreamName\":\"cam-a-missing\"}");
		assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
		assertThat(missing.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");
		assertThat(missing.json()).containsKey("Message");

		Reply endpoint = http.post("/getDataEndpoint", token, "{\"StreamName\":\"cam-a-lobby\",\"APIName\":\"PUT_MEDIA\"}");
		assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(200);
		assertThat(endpoint.json()).containsEntry("DataEndpoint", "http://localhost:" + port);

		Reply invalid = http.post("/getDataEndpoint", token, "{\"StreamName\":\"cam-a-lobby\",\"APIName\":\"GET_MEDIA\"}");
		assertThat(invalid.status()).isEqualTo(400);
		assertThat(invalid.header("x-amzn-ErrorType")).isEqualTo("InvalidArgumentException");
	}

	private static Set<Long> timecodes(List<Map<String, Object>> acks) {
		Set<Long> timecodes = new TreeSet<>();
		acks.forEach(ack -> timecodes.add(((Number) ack.get("FragmentTimecode")).longValue()));
		return timecodes;
	}

	/** Renames the CodecPrivate element (0x63A2) of the header to an ID Matroska does not define. */
	private static byte[] withoutCodecPrivate(byte[] header) {
		byte[] copy = header.clone();
		for (int i = 0; i + 1 < copy.length; i++) {
			if ((copy[i] & 0xff) == 0x63 && (copy[i + 1] & 0xff) == 0xA2) {
				copy[i + 1] = (byte) 0xA3;
				return copy;
			}
		}
		throw new IllegalArgumentException("no CodecPrivate in the header");
	}

	/** A PutMedia signed as producer-c signs it: headers only, the empty-string payload hash. */
	private CameraConnection signedPutMedia(String streamName, String secret) throws Exception {
		SdkHttpRequest request = SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:" + port + "/putMedia"))
			.putHeader("Host", "localhost:" + port)
			.putHeader("x-amzn-stream-name", streamName)
			.putHeader("x-amzn-fragment-timecode-type", "ABSOLUTE")
			.putHeader("user-agent", "AWS-PRODUCER-SDK-KVS/test")
			.build();
		SdkHttpRequest signed = AwsV4HttpSigner.create()
			.sign(r -> r.identity(AwsCredentialsIdentity.create(CAMERA_KEY, secret))
				.request(request)
				.payload(ContentStreamProvider.fromByteArray(new byte[0]))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
				.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"))
			.request();
		Map<String, String> headers = new LinkedHashMap<>();
		signed.forEachHeader((name, values) -> headers.put(name, String.join(",", values)));
		return CameraConnection.open(port, "/putMedia", headers);
	}

	static List<String> names(List<Map<String, Object>> acks) {
		List<String> names = new ArrayList<>();
		acks.forEach(ack -> names.add((String) ack.get("EventType")));
		return names;
	}

}
