package io.kvsgateway.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.amazonaws.kinesisvideo.parser.utilities.FragmentMetadata;

import io.kvsgateway.local.MediaFixtures.Range;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GetMedia over real HTTP, signed with SigV4 as an SDK would (the SDK v2 media client is not a dependency), judged by
 * the AWS KVS parser library: every StartSelector type, live continuation, and the connection limit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "gateway.local.get-media-idle-timeout=1s")
class GetMediaIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "get-media-tests", UUID.randomUUID().toString());

	static final Duration WAIT = Duration.ofSeconds(20);

	static final AtomicInteger names = new AtomicInteger();

	static final Instant PRODUCER_START = Instant.parse("2026-01-02T03:04:05Z");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	final HttpClient http = HttpClient.newHttpClient();

	KinesisVideoClient kvs;

	String name;

	byte[] fixture = MediaFixtures.bytes("h264-kvs.mkv");

	List<Range> ranges = MediaFixtures.fragments(fixture);

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		name = "get-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		kvs.close();
	}

	@Test
	void sendsEveryStoredFragmentFromTheEarliestThenEndsWhenIdle() throws IOException {
		List<String> numbers = upload(0, ranges.size());

		HttpResponse<InputStream> response = getMedia("{\"StartSelectorType\":\"EARLIEST\"}");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("video/webm");
		byte[] output = response.body().readAllBytes();

		List<FragmentMetadata> judged = KvsParserJudge.fragments(output);
		assertThat(judged).extracting(FragmentMetadata::getFragmentNumberString).containsExactlyElementsOf(numbers);
		assertThat(judged).allSatisfy(f -> {
			assertThat(f.isCompleteFragment()).isTrue();
			assertThat(f.getContinuationToken()).hasValue(f.getFragmentNumberString());
		});
		assertThat(judged.getLast().getMillisBehindNow()).hasValue(0);
		assertThat(judged.getFirst().getProducerSideTimestampMillis())
			.isBetween(PRODUCER_START.toEpochMilli() + ranges.get(0).timecode(),
					PRODUCER_START.toEpochMilli() + ranges.get(0).timecode() + 1);
		assertThat(MediaFixtures.framesByTrack(MediaFixtures.read(output)))
			.isEqualTo(MediaFixtures.framesByTrack(ranges.stream().map(Range::fragment).toList()));
		assertThat(MediaFixtures.ffprobeVideoFrames(output)).isEqualTo(MediaFixtures.ffprobeVideoFrames(fixture))
			.isEqualTo(180);
	}

	@Test
	void startsAfterAFragmentNumberOrAContinuationToken() throws IOException {
		List<String> numbers = upload(0, ranges.size());

		assertThat(numbersOf(getMedia(
				"{\"StartSelectorType\":\"FRAGMENT_NUMBER\",\"AfterFragmentNumber\":\"" + numbers.get(1) + "\"}")))
			.containsExactlyElementsOf(numbers.subList(2, numbers.size()));
		assertThat(numbersOf(getMedia(
				"{\"StartSelectorType\":\"CONTINUATION_TOKEN\",\"ContinuationToken\":\"" + numbers.get(3) + "\"}")))
			.containsExactlyElementsOf(numbers.subList(4, numbers.size()));
	}

	@Test
	void startsWithTheFragmentContainingATimestamp() throws IOException {
		List<String> numbers = upload(0, ranges.size());
		Instant insideThird = PRODUCER_START.plusMillis(ranges.get(2).timecode() + 500);

		assertThat(numbersOf(getMedia("{\"StartSelectorType\":\"PRODUCER_TIMESTAMP\",\"StartTimestamp\":"
				+ insideThird.toEpochMilli() / 1000.0 + "}")))
			.containsExactlyElementsOf(numbers.subList(2, numbers.size()));
		assertThat(numbersOf(getMedia("{\"StartSelectorType\":\"SERVER_TIMESTAMP\",\"StartTimestamp\":"
				+ Instant.now().minusSeconds(600).getEpochSecond() + "}")))
			.containsExactlyElementsOf(numbers);
	}

	@Test
	void continuesLiveWithFragmentsPersistedAfterTheRequest() throws IOException {
		List<String> before = upload(0, 1);

		// NOW: the response is accepted (headers in) before the next fragments are uploaded
		HttpResponse<InputStream> live = getMedia("{\"StartSelectorType\":\"NOW\"}");
		assertThat(live.statusCode()).isEqualTo(200);
		List<String> after = upload(1, ranges.size());

		List<String> received = numbersOf(live);
		assertThat(received).containsExactlyElementsOf(after).doesNotContainAnyElementsOf(before);
	}

	@Test
	void refusesAFourthConcurrentConnection() throws IOException {
		List<HttpResponse<InputStream>> open = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			open.add(getMedia("{\"StartSelectorType\":\"NOW\"}"));
		}
		assertThat(open).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));

		HttpResponse<InputStream> fourth = getMedia("{\"StartSelectorType\":\"NOW\"}");

		assertThat(fourth.statusCode()).isEqualTo(400);
		assertThat(fourth.headers().firstValue("x-amzn-ErrorType")).hasValue("ConnectionLimitExceededException");
		for (HttpResponse<InputStream> response : open) {
			response.body().close();
		}
	}

	@Test
	void refusesBadRequestsWithTheKvsErrors() throws IOException {
		HttpResponse<InputStream> noSelector = post("{\"StreamName\":\"" + name + "\"}");
		assertThat(noSelector.statusCode()).isEqualTo(400);
		assertThat(noSelector.headers().firstValue("x-amzn-ErrorType")).hasValue("InvalidArgumentException");

		HttpResponse<InputStream> noNumber = getMedia("{\"StartSelectorType\":\"FRAGMENT_NUMBER\"}");
		assertThat(noNumber.statusCode()).isEqualTo(400);
		assertThat(noNumber.headers().firstValue("x-amzn-ErrorType")).hasValue("InvalidArgumentException");

		HttpResponse<InputStream> unknown = post(
				"{\"StreamName\":\"nowhere\",\"StartSelector\":{\"StartSelectorType\":\"EARLIEST\"}}");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
		for (HttpResponse<InputStream> response : List.of(noSelector, noNumber, unknown)) {
			response.body().close();
		}
	}

	/** Uploads fragments [from, to) of the fixture (with its header) and returns their PERSISTED numbers. */
	List<String> upload(int from, int to) {
		Map<String, String> headers = Map.of("x-amzn-stream-name", name, "x-amzn-fragment-timecode-type", "RELATIVE",
				"x-amzn-producer-start-timestamp", Long.toString(PRODUCER_START.getEpochSecond()));
		try (PutMediaUpload upload = PutMediaUpload.open(port, headers, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(200);
			upload.send(fixture, 0, ranges.get(0).start());
			upload.send(fixture, ranges.get(from).start(), ranges.get(to - 1).end());
			return upload.finish()
				.allAcks(WAIT)
				.stream()
				.filter(a -> a.required("EventType").stringValue().equals("PERSISTED"))
				.map(a -> a.required("FragmentNumber").stringValue())
				.toList();
		}
	}

	List<String> numbersOf(HttpResponse<InputStream> response) throws IOException {
		assertThat(response.statusCode()).isEqualTo(200);
		try (InputStream body = response.body()) {
			return KvsParserJudge.fragments(body.readAllBytes())
				.stream()
				.map(FragmentMetadata::getFragmentNumberString)
				.toList();
		}
	}

	HttpResponse<InputStream> getMedia(String startSelector) {
		return post("{\"StreamName\":\"" + name + "\",\"StartSelector\":" + startSelector + "}");
	}

	/** A GetMedia call signed with SigV4 over its JSON body; returns once the response headers are in. */
	HttpResponse<InputStream> post(String json) {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		URI uri = URI.create("http://localhost:" + port + "/kvs/getMedia");
		SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
			.identity(AwsCredentialsIdentity.create(LocalKvsTestSupport.ACCESS_KEY_ID,
					LocalKvsTestSupport.SECRET_ACCESS_KEY))
			.request(SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
				.putHeader("Content-Type", "application/json").build())
			.payload(ContentStreamProvider.fromByteArray(body))
			.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
			.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(WAIT)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		Set<String> restricted = Set.of("host", "content-length", "connection", "expect", "upgrade");
		signed.request().forEachHeader((header, values) -> {
			if (!restricted.contains(header.toLowerCase(java.util.Locale.ROOT))) {
				values.forEach(value -> request.header(header, value));
			}
		});
		try {
			return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
