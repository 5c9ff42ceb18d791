package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import io.kvsgateway.support.MediaFixtures;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * The metrics that mirror KVS's CloudWatch metrics (developer guide, "Monitor Amazon Kinesis Video Streams metrics with
 * CloudWatch": PutMedia.IncomingBytes, .IncomingFragments, .IncomingFrames, .PersistedAckLatency, .ErrorAckCount,
 * .ConnectionErrors, GetHLSStreamingSessionURL.Requests/.Latency/.Success, ListFragments.*, GetClip.*,
 * ArchivedFragmentsConsumed.*), as an operator scrapes them from {@code /actuator/prometheus} after a real camera
 * upload through {@code /putMedia} into the embedded KVS and real viewer requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KvsMetricsIntegrationTests {

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
		operator = jwks.token("metrics-operator", "ops", List.of("*"));
		viewer = jwks.token("metrics-viewer", "playback", List.of("*"));
	}

	@Test
	void aCameraUploadIsCountedAsKvsCountsPutMedia() throws Exception {
		String stream = createStream("metrics-ingest-");
		String camera = jwks.token("metrics-camera", "ingest", List.of(stream));
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		int fragments = media.fragments().size();
		// A live producer's header: the Segment's size unknown, so that a Cluster may follow the file's last one.
		byte[] header = MkvWriter.liveHeader(ByteBuffer.wrap(media.header()));
		long sent = header.length;

		List<Map<String, Object>> acks;
		try (CameraConnection connection = putMedia(stream, camera, "RELATIVE")) {
			assertThat(connection.status()).isEqualTo(200);
			connection.write(header);
			for (byte[] fragment : media.fragments()) {
				connection.write(fragment);
				sent += fragment.length;
			}
			// Without an end-of-fragment tag a fragment is complete only once the next begins: the gateway holds the
			// last one, and the embedded KVS the one before it, which the gateway forwards whole.
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(CameraConnection.ofType(connection.acksSoFar(), "PERSISTED"))
					.as(connection.acksSoFar().toString())
					.hasSize(fragments - 2));
			// While it is open, the replica counts the connection.
			assertThat(value(scrape(), "kvs_putmedia_active_connections", Map.of())).isGreaterThanOrEqualTo(1.0);
			// The first fragment again: its timecode is below the last one's, so the gateway refuses it with 4004.
			connection.write(media.fragments().getFirst());
			sent += media.fragments().getFirst().length;
			acks = connection.finish().awaitEnd();
		}
		assertThat(CameraConnection.ofType(acks, "PERSISTED")).as(acks.toString()).hasSize(fragments);
		assertThat(CameraConnection.ofType(acks, "ERROR")).singleElement()
			.satisfies(error -> assertThat(error).containsEntry("ErrorId", 4004));

		String scrape = scrape();
		Map<String, String> ofStream = Map.of("stream", stream);
		assertThat(value(scrape, "kvs_putmedia_requests_total", ofStream)).isEqualTo(1.0);
		assertThat(value(scrape, "kvs_putmedia_incoming_bytes_total", ofStream)).isEqualTo((double) sent);
		// Every complete fragment read, the refused one included.
		assertThat(value(scrape, "kvs_putmedia_incoming_fragments_total", ofStream)).isEqualTo(fragments + 1.0);
		// The fixture is 30 frames per second in 1-second fragments (src/test/resources/media/make-fixtures.sh).
		assertThat(value(scrape, "kvs_putmedia_incoming_frames_total", ofStream)).isEqualTo(30.0 * (fragments + 1));
		assertThat(value(scrape, "kvs_putmedia_buffering_ack_latency_seconds_count", ofStream))
			.isEqualTo(fragments + 1.0);
		assertThat(value(scrape, "kvs_putmedia_received_ack_latency_seconds_count", ofStream)).isEqualTo(fragments);
		assertThat(value(scrape, "kvs_putmedia_persisted_ack_latency_seconds_count", ofStream)).isEqualTo(fragments);
		assertThat(value(scrape, "kvs_putmedia_persisted_ack_latency_seconds_sum", ofStream)).isPositive();
		assertThat(value(scrape, "kvs_putmedia_persisted_ack_latency_seconds_bucket",
				Map.of("stream", stream, "le", "+Inf")))
			.isEqualTo(fragments);
		assertThat(value(scrape, "kvs_putmedia_error_acks_total",
				Map.of("stream", stream, "error_id", "4004", "error_code", "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS")))
			.isEqualTo(1.0);
		assertThat(scrape.lines()
			.filter(line -> line.startsWith("kvs_putmedia_error_acks_total{")
					&& line.contains("stream=\"" + stream + "\"")))
			.as("no other error of the stream").hasSize(1);

		// A connection refused before it is established: PutMedia.ConnectionErrors, by the error type answered.
		try (CameraConnection refused = putMedia(stream, camera, "SIDEWAYS")) {
			assertThat(refused.status()).isEqualTo(400);
		}
		assertThat(value(scrape(), "kvs_putmedia_connection_errors_total",
				Map.of("stream", stream, "error", "InvalidArgumentException")))
			.isEqualTo(1.0);
	}

	@Test
	void viewersRequestsAreCountedAndTimedPerKvsApiWithTheirOutcomeAndTheirQuotaPoints() throws Exception {
		String stream = createStream("metrics-playback-");
		String camera = jwks.token("metrics-camera", "ingest", List.of(stream));
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		try (CameraConnection connection = putMedia(stream, camera, "RELATIVE")) {
			connection.write(MkvWriter.liveHeader(ByteBuffer.wrap(media.header()))).write(media.fragmentBytes());
			assertThat(CameraConnection.ofType(connection.finish().awaitEnd(), "PERSISTED")).hasSize(6);
		}

		Reply session = http.post("/v1/streams/" + stream + "/playback-sessions", viewer,
				"{\"protocol\":\"HLS\",\"playbackMode\":\"LIVE\"}");
		assertThat(session.status()).as(session.toString()).isEqualTo(201);
		String missing = "metrics-missing-" + UUID.randomUUID().toString().substring(0, 8);
		Reply notFound = http.post("/v1/streams/" + missing + "/playback-sessions", viewer,
				"{\"protocol\":\"DASH\",\"playbackMode\":\"LIVE\"}");
		assertThat(notFound.status()).as(notFound.toString()).isEqualTo(404);
		Instant now = Instant.now();
		Reply timeline = http.get("/v1/streams/" + stream + "/fragments?maxResults=10&start=" + now.minusSeconds(600)
				+ "&end=" + now.plusSeconds(60), viewer);
		assertThat(timeline.status()).as(timeline.toString()).isEqualTo(200);
		HttpResponse<byte[]> clip = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/streams/" + stream
					+ "/clip?start=" + now.minusSeconds(60) + "&end=" + now.minusMillis(1)))
				.header("Authorization", "Bearer " + viewer)
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(clip.statusCode()).as(new String(clip.body())).isEqualTo(200);

		String scrape = scrape();
		assertThat(requests(scrape, "GetHLSStreamingSessionURL", "success", stream)).isEqualTo(1.0);
		assertThat(value(scrape, "kvs_api_requests_seconds_sum",
				Map.of("api", "GetHLSStreamingSessionURL", "outcome", "success", "stream", stream)))
			.isPositive();
		assertThat(requests(scrape, "GetDASHStreamingSessionURL", "client_error", missing)).isEqualTo(1.0);
		assertThat(requests(scrape, "ListFragments", "success", stream)).isEqualTo(1.0);
		assertThat(requests(scrape, "GetClip", "success", stream)).isEqualTo(1.0);
		assertThat(value(scrape, "kvs_getclip_outgoing_bytes_total", Map.of("stream", stream)))
			.isEqualTo((double) clip.body().length);
		// A timeline page costs its maxResults in metadata points; a clip the same estimate in both quotas.
		double metadata = value(scrape, "kvs_archived_fragments_consumed_total",
				Map.of("stream", stream, "quota", "metadata"));
		double mediaPoints = value(scrape, "kvs_archived_fragments_consumed_total",
				Map.of("stream", stream, "quota", "media"));
		assertThat(mediaPoints).isPositive();
		assertThat(metadata).isEqualTo(10 + mediaPoints);
	}

	private double requests(String scrape, String api, String outcome, String stream) {
		return value(scrape, "kvs_api_requests_seconds_count",
				Map.of("api", api, "outcome", outcome, "stream", stream));
	}

	private String createStream(String prefix) {
		String stream = prefix + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24).mediaType("video/h264"));
		}
		return stream;
	}

	private CameraConnection putMedia(String stream, String token, String timecodeType) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token);
		headers.put("x-amzn-stream-name", stream);
		headers.put("x-amzn-fragment-timecode-type", timecodeType);
		headers.put("x-amzn-producer-start-timestamp", Long.toString(Instant.now().minusSeconds(10).getEpochSecond()));
		return CameraConnection.open(port, "/putMedia", headers);
	}

	private String scrape() {
		Reply reply = http.get("/actuator/prometheus", operator);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.body();
	}

	/** @return the value of the one sample of {@code name} whose labels include {@code labels} */
	static double value(String scrape, String name, Map<String, String> labels) {
		Double found = null;
		for (String line : scrape.split("\n")) {
			if (line.startsWith("#") || !line.startsWith(name) || (line.length() > name.length()
					&& line.charAt(name.length()) != '{' && line.charAt(name.length()) != ' ')) {
				continue;
			}
			Map<String, String> sample = labels(line.substring(name.length()));
			if (sample.entrySet().containsAll(labels.entrySet())) {
				assertThat(found).as("more than one sample of " + name + labels + " in\n" + scrape).isNull();
				found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		assertThat(found).as("no sample of " + name + labels + " in\n" + scrape).isNotNull();
		return found;
	}

	private static Map<String, String> labels(String rest) {
		Map<String, String> labels = new HashMap<>();
		if (!rest.startsWith("{")) {
			return labels;
		}
		String body = rest.substring(1, rest.lastIndexOf('}'));
		for (String pair : body.split("\",")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				labels.put(pair.substring(0, equals), unquote(pair.substring(equals + 1)));
			}
		}
		return labels;
	}

	private static String unquote(String value) {
		String v = value.startsWith("\"") ? value.substring(1) : value;
		return v.endsWith("\"") ? v.substring(0, v.length() - 1) : v;
	}
}
