package io.kvsgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalKvsTestSupport.MovableClock;
import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ClientLimitExceededException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;

/**
 * The developer guide's per-stream quotas, met through the real AWS SDK v2 clients and plain HTTP: 25 session URLs per
 * second, 10,000 fragment-metadata and 500 fragment-media points per second, 5 GetDataEndpoint per second. Each burst
 * happens on a frozen clock, so that "within one second" does not depend on how fast this machine is.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(LocalKvsTestSupport.MovableClockConfiguration.class)
class LocalQuotasIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "local-quotas-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	static final Instant PRODUCER_START = Instant.parse("2026-02-03T04:05:06Z");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	MovableClock clock;

	@Autowired
	LocalQuotaUsage usage;

	@Autowired
	MeterRegistry meters;

	final HttpClient http = HttpClient.newHttpClient();

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "quota-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		clock.reset();
		kvs.close();
		media.close();
	}

	@Test
	void refusesTheTwentySixthSessionUrlOfAStreamWithinOneSecond() {
		StreamingSessionIntegrationTests.upload(port, name, "h264.mkv", PRODUCER_START);

		clock.freeze();
		for (int i = 0; i < 25; i++) {
			assertThat(onDemandHls()).as("session URL %d", i + 1).contains("SessionToken=");
		}

		assertThatExceptionOfType(ClientLimitExceededException.class).isThrownBy(this::onDemandHls)
			.satisfies(e -> assertThat(e.statusCode()).isEqualTo(400));
		assertThat(usage.of(name).throttled()).containsExactly(Map.entry("GetHLSStreamingSessionURL", 1L));

		// A second later the stream has its 25 again.
		clock.reset();
		clock.moveBy(Duration.ofSeconds(1));
		assertThat(onDemandHls()).contains("SessionToken=");
	}

	@Test
	void refusesTheEleventhThousandResultListFragmentsWithinOneSecond() {
		StreamingSessionIntegrationTests.upload(port, name, "h264.mkv", PRODUCER_START);

		clock.freeze();
		for (int i = 0; i < 10; i++) {
			assertThat(listFragments(1000)).isEqualTo(6);
		}

		// "ListFragments: Value of the MaxResults parameter" — however few fragments the stream has.
		assertThatExceptionOfType(ClientLimitExceededException.class).isThrownBy(() -> listFragments(1000));
		assertThat(usage.of(name).metadataPoints()).isEqualTo(10_000);
		assertThat(meters.get("kvs.local.throttled").tag("api", "ListFragments").counter().count()).isPositive();
		// Other streams keep their own quota.
		String other = name + "-other";
		kvs.createStream(r -> r.streamName(other).dataRetentionInHours(24));
		assertThat(media.listFragments(r -> r.streamName(other).maxResults(1000L)
			.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(Instant.now().minusSeconds(600)).endTimestamp(Instant.now()))))
			.fragments()).isEmpty();
	}

	@Test
	void refusesTheFiveHundredFirstMediaFragmentOfAStreamAcrossSessionsWithinOneSecond() throws Exception {
		List<String> numbers = StreamingSessionIntegrationTests.upload(port, name, "h264.mkv", PRODUCER_START);
		// A session alone may fetch 20 fragments per second (playback table): 26 sessions can ask for 520. Made 20 per
		// clock second, below the 25 session URLs per second.
		List<String> sessions = new ArrayList<>();
		for (int i = 0; i < 26; i++) {
			if (i % 20 == 0) {
				clock.moveBy(Duration.ofSeconds(1));
			}
			sessions.add(onDemandHls());
		}
		clock.moveBy(Duration.ofSeconds(1));
		long mediaBefore = usage.of(name).mediaPoints();

		clock.freeze();
		int accepted = 0;
		HttpResponse<byte[]> refused = null;
		for (int request = 0; request < 501; request++) {
			String url = sessions.get(request / 20);
			HttpResponse<byte[]> response = get(URI.create(url)
				.resolve("getMP4MediaFragment.mp4?SessionToken=" + StreamingSessionIntegrationTests.token(url)
						+ "&FragmentNumber=" + numbers.get(request % numbers.size()) + "&TrackNumber=1")
				.toString());
			if (response.statusCode() == 200) {
				accepted++;
			}
			else {
				refused = response;
			}
		}

		assertThat(accepted).isEqualTo(500);
		assertThat(refused).isNotNull();
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("x-amzn-ErrorType")).hasValue("ClientLimitExceededException");
		assertThat(new String(refused.body())).contains("fragment-media");
		assertThat(usage.of(name).mediaPoints() - mediaBefore).isEqualTo(500);
		assertThat(usage.of(name).throttled()).containsExactly(Map.entry("GetMP4MediaFragment", 1L));
	}

	@Test
	void refusesTheSixthGetDataEndpointOfAStreamWithinOneSecond() {
		clock.freeze();
		for (int i = 0; i < 5; i++) {
			kvs.getDataEndpoint(r -> r.streamName(name).apiName(APIName.GET_HLS_STREAMING_SESSION_URL));
		}

		assertThatExceptionOfType(
				software.amazon.awssdk.services.kinesisvideo.model.ClientLimitExceededException.class)
			.isThrownBy(() -> kvs.getDataEndpoint(r -> r.streamName(name).apiName(APIName.GET_MEDIA)));
	}

	String onDemandHls() {
		return media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.maxMediaPlaylistFragmentResults(10L)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.hlsStreamingSessionURL();
	}

	int listFragments(long maxResults) {
		return media
			.listFragments(r -> r.streamName(name)
				.maxResults(maxResults)
				.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.PRODUCER_TIMESTAMP)
					.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.fragments()
			.size();
	}

	HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
	}

}
