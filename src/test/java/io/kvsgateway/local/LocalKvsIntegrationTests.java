package io.kvsgateway.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideo.model.ComparisonOperator;
import software.amazon.awssdk.services.kinesisvideo.model.KinesisVideoException;
import software.amazon.awssdk.services.kinesisvideo.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesisvideo.model.StreamInfo;
import software.amazon.awssdk.services.kinesisvideo.model.Status;
import software.amazon.awssdk.services.kinesisvideo.model.UpdateDataRetentionOperation;
import software.amazon.awssdk.services.kinesisvideo.model.VersionMismatchException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ContainerFormat;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHDisplayFragmentNumber;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetDashStreamingSessionUrlRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetHlsStreamingSessionUrlRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.NoDataRetentionException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalKvsTestSupport.MovableClock;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Drives the embedded KVS with the real AWS SDK v2 clients over HTTP, as any application pointed at
 * {@code http://host:port/kvs} would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(LocalKvsTestSupport.MovableClockConfiguration.class)
class LocalKvsIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "local-kvs-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore fragments;

	@Autowired
	SessionTokens sessionTokens;

	@Autowired
	MovableClock clock;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	@BeforeEach
	void clients() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
	}

	@AfterEach
	void close() {
		clock.reset();
		kvs.close();
		media.close();
	}

	// Control plane

	@Test
	void tagsAStreamWithinKvsLimits() {
		String name = newName();
		String arn = kvs.createStream(r -> r.streamName(name).tags(Map.of("site", "lab"))).streamARN();

		kvs.tagStream(r -> r.streamName(name).tags(Map.of("floor", "2")));
		java.util.Map<String, String> many = new java.util.HashMap<>();
		for (int i = 0; i < 48; i++) {
			many.put("key-" + i, "value");
		}
		// The stream's two tags plus 48 is KVS's 50; replacing an existing key adds none
		kvs.tagStream(r -> r.streamARN(arn).tags(many));
		kvs.tagStream(r -> r.streamName(name).tags(Map.of("site", "office")));

		assertThatExceptionOfType(
				software.amazon.awssdk.services.kinesisvideo.model.TagsPerResourceExceededLimitException.class)
			.isThrownBy(() -> kvs.tagStream(r -> r.streamName(name).tags(Map.of("one-too-many", "x"))));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.tagStream(r -> r.streamName(name).tags(Map.of("k".repeat(129), "x"))));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException.class)
			.isThrownBy(() -> kvs.tagStream(r -> r.streamName(newName()).tags(Map.of("a", "b"))));
	}

	@Test
	void createsDescribesAndDeletesStream() {
		String name = newName();
		Instant before = clock.instant().minusMillis(1);

		String arn = kvs.createStream(r -> r.streamName(name)
			.deviceName("door-cam")
			.mediaType("video/h264")
			.dataRetentionInHours(24)
			.tags(Map.of("site", "lab"))).streamARN();

		assertThat(arn).matches("arn:aws:kinesisvideo:us-east-1:000000000000:stream/" + name + "/\\d+");
		StreamInfo info = kvs.describeStream(r -> r.streamName(name)).streamInfo();
		assertThat(info.streamName()).isEqualTo(name);
		assertThat(info.streamARN()).isEqualTo(arn);
		assertThat(info.deviceName()).isEqualTo("door-cam");
		assertThat(info.mediaType()).isEqualTo("video/h264");
		assertThat(info.status()).isEqualTo(Status.ACTIVE);
		assertThat(info.dataRetentionInHours()).isEqualTo(24);
		assertThat(info.version()).isNotBlank();
		assertThat(info.kmsKeyId()).isEqualTo("arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo");
		assertThat(info.creationTime()).isAfter(before).isBeforeOrEqualTo(clock.instant());
		assertThat(kvs.describeStream(r -> r.streamARN(arn)).streamInfo()).isEqualTo(info);
		assertThat(kvs.describeStream(r -> r.streamName(name).streamARN(arn)).streamInfo()).isEqualTo(info);

		kvs.deleteStream(r -> r.streamARN(arn).currentVersion(info.version()));

		assertThatExceptionOfType(
				software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException.class)
			.isThrownBy(() -> kvs.describeStream(r -> r.streamName(name)));
	}

	@Test
	void rejectsDuplicateStreamName() {
		String name = createStream(1);

		assertThatExceptionOfType(ResourceInUseException.class)
			.isThrownBy(() -> kvs.createStream(r -> r.streamName(name)))
			.satisfies(e -> assertThat(e.statusCode()).isEqualTo(400));
	}

	@Test
	void rejectsInvalidStreamNames() {
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.createStream(r -> r.streamName("../etc/passwd")));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.createStream(r -> r.streamName("a".repeat(257))));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.createStream(r -> r.streamName("ok").dataRetentionInHours(87_601)));
	}

	@Test
	void acceptsLongestStreamName() {
		// 256 characters would not fit in a file name: the store must not use the name as one.
		String name = (newName() + "-" + "x".repeat(256)).substring(0, 256);

		kvs.createStream(r -> r.streamName(name));

		assertThat(kvs.describeStream(r -> r.streamName(name)).streamInfo().streamName()).isEqualTo(name);
	}

	@Test
	void rejectsStreamNameAndArnOfDifferentStreams() {
		String first = createStream(1);
		String second = createStream(1);
		String secondArn = arn(second);

		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.describeStream(r -> r.streamName(first).streamARN(secondArn)));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.describeStream(r -> r.streamName(null)));
	}

	@Test
	void doesNotResolveArnOfDeletedAndRecreatedStream() {
		String name = createStream(1);
		String oldArn = arn(name);
		kvs.deleteStream(r -> r.streamARN(oldArn));
		kvs.createStream(r -> r.streamName(name));

		assertThatExceptionOfType(
				software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException.class)
			.isThrownBy(() -> kvs.describeStream(r -> r.streamARN(oldArn)));
	}

	@Test
	void pagesStreamsSortedByName() {
		String prefix = "page" + names.incrementAndGet() + "-";
		List<String> created = new ArrayList<>();
		for (String suffix : List.of("g", "c", "a", "f", "b", "e", "d")) {
			kvs.createStream(r -> r.streamName(prefix + suffix));
			created.add(prefix + suffix);
		}
		kvs.createStream(r -> r.streamName("other" + names.incrementAndGet()));

		List<String> listed = new ArrayList<>();
		List<Integer> pageSizes = new ArrayList<>();
		String token = null;
		do {
			String next = token;
			ListStreamsResponse page = kvs.listStreams(r -> r.maxResults(3)
				.nextToken(next)
				.streamNameCondition(c -> c.comparisonOperator(ComparisonOperator.BEGINS_WITH)
					.comparisonValue(prefix)));
			page.streamInfoList().forEach(s -> listed.add(s.streamName()));
			pageSizes.add(page.streamInfoList().size());
			token = page.nextToken();
		}
		while (token != null);

		assertThat(pageSizes).containsExactly(3, 3, 1);
		assertThat(listed).isEqualTo(created.stream().sorted().toList());
	}

	@Test
	void listsAllStreamsWithoutCondition() {
		String name = createStream(1);

		assertThat(kvs.listStreams(r -> {
		}).streamInfoList()).extracting(StreamInfo::streamName).contains(name).isSorted();
	}

	@Test
	void rejectsGarbledNextToken() {
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.listStreams(r -> r.nextToken("garbage!")));
	}

	@Test
	void updatesDataRetentionWithVersionCheck() {
		String name = createStream(2);
		String version = kvs.describeStream(r -> r.streamName(name)).streamInfo().version();

		kvs.updateDataRetention(r -> r.streamName(name)
			.currentVersion(version)
			.operation(UpdateDataRetentionOperation.INCREASE_DATA_RETENTION)
			.dataRetentionChangeInHours(10));

		StreamInfo increased = kvs.describeStream(r -> r.streamName(name)).streamInfo();
		assertThat(increased.dataRetentionInHours()).isEqualTo(12);
		assertThat(increased.version()).isNotEqualTo(version);
		assertThatExceptionOfType(VersionMismatchException.class).isThrownBy(() -> kvs.updateDataRetention(r -> r
			.streamName(name)
			.currentVersion(version)
			.operation(UpdateDataRetentionOperation.DECREASE_DATA_RETENTION)
			.dataRetentionChangeInHours(1)));

		kvs.updateDataRetention(r -> r.streamARN(increased.streamARN())
			.currentVersion(increased.version())
			.operation(UpdateDataRetentionOperation.DECREASE_DATA_RETENTION)
			.dataRetentionChangeInHours(12));

		assertThat(kvs.describeStream(r -> r.streamName(name)).streamInfo().dataRetentionInHours()).isZero();
	}

	@Test
	void rejectsRetentionOutsideLimits() {
		String name = createStream(2);
		String version = kvs.describeStream(r -> r.streamName(name)).streamInfo().version();

		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.updateDataRetention(r -> r.streamName(name)
				.currentVersion(version)
				.operation(UpdateDataRetentionOperation.DECREASE_DATA_RETENTION)
				.dataRetentionChangeInHours(3)));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.updateDataRetention(r -> r.streamName(name)
				.currentVersion(version)
				.operation(UpdateDataRetentionOperation.INCREASE_DATA_RETENTION)
				.dataRetentionChangeInHours(87_599)));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.updateDataRetention(r -> r.streamName(name)
				.currentVersion(version)
				.operation(UpdateDataRetentionOperation.INCREASE_DATA_RETENTION)
				.dataRetentionChangeInHours(0)));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.updateDataRetention(
					r -> r.streamName(name).currentVersion(version).dataRetentionChangeInHours(1)));
	}

	@Test
	void rejectsDeleteWithStaleVersion() {
		String name = createStream(1);
		String arn = arn(name);

		assertThatExceptionOfType(VersionMismatchException.class)
			.isThrownBy(() -> kvs.deleteStream(r -> r.streamARN(arn).currentVersion("stale1")));
		assertThat(kvs.describeStream(r -> r.streamName(name)).streamInfo()).isNotNull();
	}

	@Test
	void returnsDataEndpointForEveryApiName() {
		String name = createStream(1);

		for (APIName api : APIName.knownValues()) {
			// GetDataEndpoint allows 5 TPS per stream (control-plane quota table); this test is about the answers.
			clock.moveBy(Duration.ofMillis(250));
			assertThat(kvs.getDataEndpoint(r -> r.streamName(name).apiName(api)).dataEndpoint())
				.as(api.toString())
				.isEqualTo("http://localhost:" + port + "/kvs");
		}
		assertThatExceptionOfType(
				software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException.class)
			.isThrownBy(() -> kvs.getDataEndpoint(r -> r.streamName("missing-stream").apiName(APIName.GET_MEDIA)));
		assertThatExceptionOfType(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
			.isThrownBy(() -> kvs.getDataEndpoint(r -> r.streamName(name).apiName("PUT_EVERYTHING")));
	}

	// Archived media: session URLs

	@Test
	void issuesLiveHlsSessionWithDefaults() {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		String url = media.getHLSStreamingSessionURL(r -> r.streamName(name)).hlsStreamingSessionURL();

		assertThat(url).startsWith("http://localhost:" + port + "/kvs/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=");
		StreamingSession session = sessionOf(url);
		assertThat(session.streamName()).isEqualTo(name);
		assertThat(session.protocol()).isEqualTo(Protocol.HLS);
		assertThat(session.playbackMode()).isEqualTo(PlaybackMode.LIVE);
		assertThat(session.fragmentSelectorType()).isEqualTo(FragmentSelectorType.SERVER_TIMESTAMP);
		assertThat(session.containerFormat()).isEqualTo(StreamingSession.ContainerFormat.FRAGMENTED_MP4);
		assertThat(session.discontinuityMode()).isEqualTo(StreamingSession.DiscontinuityMode.ALWAYS);
		assertThat(session.displayFragmentTimestamp()).isEqualTo(Display.NEVER);
		assertThat(session.maxFragmentResults()).isEqualTo(5);
		assertThat(Duration.between(session.issuedAt(), session.expiresAt())).isEqualTo(Duration.ofSeconds(300));
	}

	@Test
	void issuesANewUrlOnEveryCall() {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		String first = media.getHLSStreamingSessionURL(r -> r.streamName(name)).hlsStreamingSessionURL();
		String second = media.getHLSStreamingSessionURL(r -> r.streamName(name)).hlsStreamingSessionURL();

		assertThat(first).isNotEqualTo(second);
		assertThat(sessionOf(first).sessionId()).isNotEqualTo(sessionOf(second).sessionId());
	}

	@Test
	void defaultsDiscontinuityModeToNeverForProducerTimestamps() {
		// GetHLSStreamingSessionURL, DiscontinuityMode: "NEVER when it is set to PRODUCER_TIMESTAMP".
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		String url = media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP))
			.containerFormat(ContainerFormat.MPEG_TS)
			.expires(43_200)
			.maxMediaPlaylistFragmentResults(5_000L)).hlsStreamingSessionURL();

		StreamingSession session = sessionOf(url);
		assertThat(session.discontinuityMode()).isEqualTo(StreamingSession.DiscontinuityMode.NEVER);
		assertThat(session.containerFormat()).isEqualTo(StreamingSession.ContainerFormat.MPEG_TS);
		assertThat(session.maxFragmentResults()).isEqualTo(5_000);
		assertThat(Duration.between(session.issuedAt(), session.expiresAt())).isEqualTo(Duration.ofHours(12));
	}

	@Test
	void issuesLiveDashSessionWithDefaults() {
		String name = createStream(24);
		String arn = arn(name);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		String url = media.getDASHStreamingSessionURL(r -> r.streamARN(arn)).dashStreamingSessionURL();

		assertThat(url).startsWith("http://localhost:" + port + "/kvs/dash/v1/getDASHManifest.mpd?SessionToken=");
		StreamingSession session = sessionOf(url);
		assertThat(session.protocol()).isEqualTo(Protocol.DASH);
		assertThat(session.playbackMode()).isEqualTo(PlaybackMode.LIVE);
		assertThat(session.displayFragmentNumber()).isEqualTo(Display.NEVER);
		assertThat(session.displayFragmentTimestamp()).isEqualTo(Display.NEVER);
		assertThat(session.containerFormat()).isNull();
		assertThat(session.maxFragmentResults()).isEqualTo(5);
	}

	@Test
	void issuesLiveReplaySessionBeforeAnyMedia() {
		// LIVE_REPLAY "continue[s] live streaming media that has not yet been ingested".
		String name = createStream(24);
		// The SDK sends timestamps with millisecond precision.
		Instant start = clock.instant().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

		String hls = media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.LIVE_REPLAY)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(start)))).hlsStreamingSessionURL();
		String dash = media.getDASHStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(DASHPlaybackMode.LIVE_REPLAY)
			.dashFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(start)))).dashStreamingSessionURL();

		assertThat(sessionOf(hls).startTimestamp()).isEqualTo(start);
		assertThat(sessionOf(hls).endTimestamp()).isNull();
		assertThat(sessionOf(dash).playbackMode()).isEqualTo(PlaybackMode.LIVE_REPLAY);
		assertThat(sessionOf(dash).maxFragmentResults()).isEqualTo(5);
	}

	@Test
	void issuesOnDemandSessionForArchivedMedia() {
		String name = createStream(24);
		Instant tenMinutesAgo = clock.instant().minus(Duration.ofMinutes(10));
		clock.runAt(tenMinutesAgo, () -> fragments.append(name, tenMinutesAgo, Duration.ofSeconds(2)));
		Instant start = tenMinutesAgo.minusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
		Instant end = tenMinutesAgo.plusSeconds(5).truncatedTo(ChronoUnit.MILLIS);

		String hls = media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(start).endTimestamp(end)))).hlsStreamingSessionURL();
		String dash = media.getDASHStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(DASHPlaybackMode.ON_DEMAND)
			.displayFragmentNumber(DASHDisplayFragmentNumber.ALWAYS)
			.dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(start).endTimestamp(end)))).dashStreamingSessionURL();

		assertThat(sessionOf(hls).maxFragmentResults()).isEqualTo(1_000);
		assertThat(sessionOf(hls).endTimestamp()).isEqualTo(end);
		assertThat(sessionOf(dash).maxFragmentResults()).isEqualTo(1_000);
		assertThat(sessionOf(dash).displayFragmentNumber()).isEqualTo(Display.ALWAYS);
	}

	@Test
	void allowsFutureEndTimestampForProducerTimestamps() {
		// "If FragmentSelectorType for the request is SERVER_TIMESTAMP, this value must be in the past" - only then.
		String name = createStream(24);
		Instant producerTime = clock.instant().plusSeconds(30);
		fragments.append(name, producerTime, Duration.ofSeconds(1));

		String url = media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(producerTime.minusSeconds(1))
					.endTimestamp(producerTime.plusSeconds(60))))).hlsStreamingSessionURL();

		assertThat(sessionOf(url).fragmentSelectorType()).isEqualTo(FragmentSelectorType.PRODUCER_TIMESTAMP);
	}

	@Test
	void rejectsOnDemandWithoutFragmentsInRange() {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));
		Instant start = clock.instant().minus(Duration.ofHours(2));

		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.getHLSStreamingSessionURL(r -> r.streamName(name)
				.playbackMode(HLSPlaybackMode.ON_DEMAND)
				.hlsFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(start)
					.endTimestamp(start.plusSeconds(60))))))
			.withMessageContaining("No fragments found");
	}

	@Test
	void rejectsLiveWithoutRecentMedia() {
		String empty = createStream(24);
		String stale = createStream(24);
		fragments.append(stale, clock.instant(), Duration.ofSeconds(1));
		clock.moveBy(Duration.ofSeconds(31));

		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.getHLSStreamingSessionURL(r -> r.streamName(empty)))
			.withMessageContaining("No fragments found in the stream for the streaming request.")
			.satisfies(e -> assertThat(e.statusCode()).isEqualTo(404));
		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.getDASHStreamingSessionURL(r -> r.streamName(stale)));
	}

	@Test
	void acceptsLiveWithinTheLiveWindow() {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));
		clock.moveBy(Duration.ofSeconds(29));

		assertThat(media.getDASHStreamingSessionURL(r -> r.streamName(name)).dashStreamingSessionURL()).isNotBlank();
	}

	@Test
	void rejectsUnknownStream() {
		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.getHLSStreamingSessionURL(r -> r.streamName("no-such-stream")));
		assertThatExceptionOfType(ResourceNotFoundException.class).isThrownBy(() -> media
			.getDASHStreamingSessionURL(r -> r.streamARN("arn:aws:kinesisvideo:us-east-1:000000000000:stream/x/1")));
	}

	@Test
	void rejectsStreamWithoutDataRetention() {
		// Both API pages: "Data retention must be greater than 0."
		String name = createStream(0);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		assertThatExceptionOfType(NoDataRetentionException.class)
			.isThrownBy(() -> media.getHLSStreamingSessionURL(r -> r.streamName(name)));
		assertThatExceptionOfType(NoDataRetentionException.class)
			.isThrownBy(() -> media.getDASHStreamingSessionURL(r -> r.streamName(name)));
	}

	static Stream<Arguments> invalidHlsRequests() {
		Instant now = Instant.now();
		Instant past = now.minus(Duration.ofHours(1));
		return Stream.of(
				hls("rejectsRequestWithoutStreamNameOrArn", r -> r.streamName(null)),
				hls("rejectsInvalidStreamName", r -> r.streamName("bad name!")),
				hls("rejectsMalformedArn", r -> r.streamName(null).streamARN("arn:nope")),
				hls("rejectsUnknownPlaybackMode", r -> r.playbackMode("SOMETIMES")),
				hls("rejectsLiveWithTimestampRange", r -> r.hlsFragmentSelector(
						s -> s.timestampRange(t -> t.startTimestamp(past)))),
				hls("rejectsOnDemandWithoutFragmentSelector", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)),
				hls("rejectsOnDemandWithoutTimestampRange", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP))),
				hls("rejectsLiveReplayWithoutTimestampRange", r -> r.playbackMode(HLSPlaybackMode.LIVE_REPLAY)
					.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP))),
				hls("rejectsOnDemandWithoutEndTimestamp", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past)))),
				hls("rejectsRangeWithoutStartTimestamp", r -> r.playbackMode(HLSPlaybackMode.LIVE_REPLAY)
					.hlsFragmentSelector(s -> s.timestampRange(t -> t.endTimestamp(past)))),
				hls("rejectsEndBeforeStart", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past)
						.endTimestamp(past.minusSeconds(1))))),
				hls("rejectsEndEqualToStart", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past).endTimestamp(past)))),
				hls("rejectsRangeLongerThan24Hours", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past.minus(Duration.ofHours(24)))
						.endTimestamp(past.plusSeconds(1))))),
				hls("rejectsFutureEndWithServerTimestamps", r -> r.playbackMode(HLSPlaybackMode.ON_DEMAND)
					.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP)
						.timestampRange(t -> t.startTimestamp(past).endTimestamp(now.plus(Duration.ofHours(1)))))),
				hls("rejectsUnknownFragmentSelectorType",
						r -> r.hlsFragmentSelector(s -> s.fragmentSelectorType("WALL_CLOCK"))),
				hls("rejectsUnknownContainerFormat", r -> r.containerFormat("MKV")),
				hls("rejectsUnknownDiscontinuityMode", r -> r.discontinuityMode("SOMETIMES")),
				hls("rejectsUnknownDisplayFragmentTimestamp", r -> r.displayFragmentTimestamp("SOMETIMES")),
				hls("rejectsExpiresBelow300", r -> r.expires(299)),
				hls("rejectsExpiresAbove43200", r -> r.expires(43_201)),
				hls("rejectsZeroFragmentResults", r -> r.maxMediaPlaylistFragmentResults(0L)),
				hls("rejectsMoreThan5000FragmentResults", r -> r.maxMediaPlaylistFragmentResults(5_001L)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidHlsRequests")
	void enforcesGetHlsStreamingSessionUrlRules(String rule, Consumer<GetHlsStreamingSessionUrlRequest.Builder> request) {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> media.getHLSStreamingSessionURL(r -> request.accept(r.streamName(name))))
			.satisfies(e -> {
				assertThat(e.statusCode()).isEqualTo(400);
				assertThat(e.awsErrorDetails().errorMessage()).isNotBlank();
			});
	}

	static Stream<Arguments> invalidDashRequests() {
		Instant past = Instant.now().minus(Duration.ofHours(1));
		return Stream.of(
				dash("rejectsRequestWithoutStreamNameOrArn", r -> r.streamName(null)),
				dash("rejectsLiveWithTimestampRange", r -> r.dashFragmentSelector(
						s -> s.timestampRange(t -> t.startTimestamp(past)))),
				dash("rejectsOnDemandWithoutFragmentSelector", r -> r.playbackMode(DASHPlaybackMode.ON_DEMAND)),
				dash("rejectsOnDemandWithoutEndTimestamp", r -> r.playbackMode(DASHPlaybackMode.ON_DEMAND)
					.dashFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past)))),
				dash("rejectsRangeLongerThan24Hours", r -> r.playbackMode(DASHPlaybackMode.ON_DEMAND)
					.dashFragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(past.minus(Duration.ofHours(25)))
						.endTimestamp(past)))),
				dash("rejectsUnknownDisplayFragmentNumber", r -> r.displayFragmentNumber("SOMETIMES")),
				dash("rejectsExpiresAbove43200", r -> r.expires(43_201)),
				dash("rejectsZeroFragmentResults", r -> r.maxManifestFragmentResults(0L)),
				dash("rejectsMoreThan5000FragmentResults", r -> r.maxManifestFragmentResults(5_001L)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidDashRequests")
	void enforcesGetDashStreamingSessionUrlRules(String rule,
			Consumer<GetDashStreamingSessionUrlRequest.Builder> request) {
		String name = createStream(24);
		fragments.append(name, clock.instant(), Duration.ofSeconds(1));

		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> media.getDASHStreamingSessionURL(r -> request.accept(r.streamName(name))));
	}

	// Authentication and the wire envelope

	@Test
	void rejectsWrongSecretAsInvalidSignature() {
		try (KinesisVideoClient wrong = LocalKvsTestSupport.kinesisVideo(port, LocalKvsTestSupport.ACCESS_KEY_ID,
				"not-the-secret")) {
			assertThatExceptionOfType(KinesisVideoException.class).isThrownBy(() -> wrong.listStreams(r -> {
			})).satisfies(e -> {
				assertThat(e.statusCode()).isEqualTo(403);
				assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
				assertThat(e.awsErrorDetails().errorMessage())
					.startsWith("The request signature we calculated does not match the signature you provided.");
			});
		}
	}

	@Test
	void rejectsUnknownAccessKey() {
		try (KinesisVideoClient unknown = LocalKvsTestSupport.kinesisVideo(port, "AKIDSOMEONEELSE",
				LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThatExceptionOfType(KinesisVideoException.class).isThrownBy(() -> unknown.listStreams(r -> {
			})).satisfies(e -> {
				assertThat(e.statusCode()).isEqualTo(403);
				assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
				assertThat(e.awsErrorDetails().errorMessage())
					.isEqualTo("The security token included in the request is invalid.");
			});
		}
	}

	@Test
	void rejectsRequestSignedMoreThanFiveMinutesAgo() {
		clock.moveBy(Duration.ofMinutes(6));

		assertThatExceptionOfType(KinesisVideoException.class).isThrownBy(() -> kvs.listStreams(r -> {
		})).satisfies(e -> {
			assertThat(e.statusCode()).isEqualTo(403);
			assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
			assertThat(e.awsErrorDetails().errorMessage()).startsWith("Signature expired: ");
		});
	}

	@Test
	void rejectsUnsignedRequestWithKvsEnvelope() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/kvs/listStreams"))
				.POST(HttpRequest.BodyPublishers.ofString("{}"))
				.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");
		assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				v -> assertThat(v).startsWith("application/json"));
		assertThat(response.body()).isEqualTo("{\"Message\":\"Missing Authentication Token\"}");
	}

	@Test
	void answersMalformedJsonWithSerializationException() throws Exception {
		HttpResponse<String> response = sendSigned("/kvs/describeStream", "{\"StreamName\":");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("SerializationException");
		assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
	}

	@Test
	void answersWrongJsonTypeWithSerializationException() throws Exception {
		HttpResponse<String> response = sendSigned("/kvs/describeStream", "{\"StreamName\":42}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("SerializationException");
	}

	@Test
	void answersUnknownOperation() throws Exception {
		HttpResponse<String> response = sendSigned("/kvs/describeEverything", "{}");

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
		assertThat(response.body()).contains("\"Message\"");
	}

	@Test
	void answersSuccessWithRequestId() throws Exception {
		HttpResponse<String> response = sendSigned("/kvs/listStreams", "{\"MaxResults\":1}");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
		assertThat(response.body()).startsWith("{\"StreamInfoList\":[");
	}

	@Test
	void rejectsOversizedBody() throws Exception {
		HttpResponse<String> response = sendSigned("/kvs/createStream",
				"{\"StreamName\":\"" + "x".repeat(1_100_000) + "\"}");

		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("InvalidArgumentException");
	}

	private HttpResponse<String> sendSigned(String path, String json) throws Exception {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = AwsV4HttpSigner.create()
			.sign(r -> r
				.identity(AwsCredentialsIdentity.create(LocalKvsTestSupport.ACCESS_KEY_ID,
						LocalKvsTestSupport.SECRET_ACCESS_KEY))
				.request(SdkHttpRequest.builder()
					.method(SdkHttpMethod.POST)
					.uri(URI.create("http://localhost:" + port + path))
					.putHeader("Content-Type", "application/json")
					.build())
				.payload(ContentStreamProvider.fromByteArray(body))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
				.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		signed.request().forEachHeader((name, values) -> {
			// The JDK client sets Host and Content-Length itself, to the same values the signer saw.
			if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
				values.forEach(v -> request.header(name, v));
			}
		});
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String createStream(int retentionHours) {
		String name = newName();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(retentionHours));
		return name;
	}

	private String arn(String name) {
		return kvs.describeStream(r -> r.streamName(name)).streamInfo().streamARN();
	}

	private StreamingSession sessionOf(String url) {
		return sessionTokens.open(url.substring(url.indexOf("SessionToken=") + "SessionToken=".length()));
	}

	private static String newName() {
		return "stream-" + names.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
	}

	private static Arguments hls(String rule, Consumer<GetHlsStreamingSessionUrlRequest.Builder> request) {
		return Arguments.of(rule, request);
	}

	private static Arguments dash(String rule, Consumer<GetDashStreamingSessionUrlRequest.Builder> request) {
		return Arguments.of(rule, request);
	}

}
