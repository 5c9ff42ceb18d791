package io.kvsgateway.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ClipFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ContainerFormat;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.Ffprobe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole chain, judged by an independent decoder: PutMedia in, an SDK session URL (or GetClip), and ffprobe/ffmpeg
 * reading the HLS (fMP4 and MPEG-TS), DASH or clip output of every fixture: every frame present, each shown within one
 * frame of its time in the source file, and nothing ffmpeg complains about.
 */
// ffmpeg fetches as fast as loopback allows, faster than KVS lets one session (5 playlist and 20 fragment requests a
// second); those limits have their own tests in StreamingSessionIntegrationTests.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "gateway.local.enforce-quotas=false")
class StreamingSessionFfprobeIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "streaming-ffprobe-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	static final Instant PRODUCER_START = Instant.parse("2026-02-03T04:05:06Z");

	static final double VIDEO_FRAME = 1 / 30.0;

	static final double AUDIO_FRAME = 1024 / 48_000.0;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@TempDir
	static Path temp;

	@LocalServerPort
	int port;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "probe-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		kvs.close();
		media.close();
	}

	enum Output {

		HLS_FRAGMENTED_MP4, HLS_MPEG_TS, DASH, CLIP

	}

	static Stream<Arguments> fixturesAndOutputs() {
		return Stream.of("h264.mkv", "h264-aac.mkv", "h265.mkv", "h264-kvs.mkv")
			.flatMap(fixture -> Stream.of(Output.values()).map(output -> Arguments.of(fixture, output)))
			// The guide's "HLS TS" table lists H.264 and AAC only; H.265 as MPEG_TS is refused (tested there).
			.filter(arguments -> !arguments.get()[0].equals("h265.mkv") || arguments.get()[1] != Output.HLS_MPEG_TS);
	}

	@ParameterizedTest(name = "{0} as {1}")
	@MethodSource("fixturesAndOutputs")
	void everyFrameOfEveryTrackPlaysAtItsSourceTime(String fixture, Output output) throws IOException {
		StreamingSessionIntegrationTests.upload(port, name, fixture, PRODUCER_START);
		String source = Files.write(temp.resolve(name + "-" + fixture), MediaFixtures.bytes(fixture)).toString();

		Supplier<String> played = switch (output) {
			case HLS_FRAGMENTED_MP4 -> () -> hls(ContainerFormat.FRAGMENTED_MP4);
			case HLS_MPEG_TS -> () -> hls(ContainerFormat.MPEG_TS);
			case DASH -> this::dash;
			case CLIP -> {
				String file = clip();
				yield () -> file;
			}
		};

		assertThat(Ffprobe.decodedFrames(played.get(), "v:0")).isEqualTo(Ffprobe.decodedFrames(source, "v:0"))
			.isEqualTo(180);
		if (fixture.equals("h264-aac.mkv")) {
			assertThat(Ffprobe.decodedFrames(played.get(), "a:0")).isEqualTo(Ffprobe.decodedFrames(source, "a:0"));
		}
		Map<String, Double> frames = Map.of("video", VIDEO_FRAME, "audio", AUDIO_FRAME);
		if (output == Output.DASH) {
			String manifest = played.get();
			Ffprobe.assertSameTimelinePerStream(source, manifest, frames);
			assertReadTogetherLosesOnlyTheTailOfTheLongerTrack(manifest);
		}
		else {
			Ffprobe.assertSameTimeline(source, played.get(), frames);
		}
		Ffprobe.assertDecodesCleanly(played.get());
	}

	/**
	 * ffmpeg's DASH demuxer reads its representations in turns, always the one whose last packet is earliest, and
	 * ends the whole input when that one ends (dash_read_packet in libavformat/dashdec.c): of audio that outlasts the
	 * video by more than a packet, as h264-aac's does, it loses the last packets even for a file with no gaps. Read
	 * together, the tracks must still be every packet up to there, in order, nothing skipped or moved.
	 */
	static void assertReadTogetherLosesOnlyTheTailOfTheLongerTrack(String manifest) {
		Map<String, List<Double>> together = Ffprobe.packetTimes(manifest);
		double videoEnd = together.get("video").getLast();
		together.forEach((type, times) -> {
			List<Double> apart = Ffprobe.packetTimes(manifest, type.substring(0, 1) + ":0").get(type);
			assertThat(apart).as("%s packets read together with the other tracks", type)
				.startsWith(times.toArray(Double[]::new));
			assertThat(apart.subList(times.size(), apart.size())).as("%s packets lost reading all tracks", type)
				.allSatisfy(time -> assertThat(time).isGreaterThan(videoEnd));
		});
		assertThat(together.get("video")).hasSize(180);
	}

	/**
	 * A LIVE DASH session read by ffprobe while a camera is still sending, a fragment a second: the dynamic manifest
	 * is polled, and each fragment found at its $Time$ once stored, after ffprobe has caught up with the live edge.
	 * LIVE plays by server timestamps, a second apart as the camera sends. (ffmpeg's DASH demuxer re-finds its place
	 * in a refreshed SegmentTimeline by whole seconds, so it would loop on two fragments starting within one second;
	 * a paced camera's never do.)
	 */
	@Test
	void liveDashPlaysWhileFragmentsArrive() throws Exception {
		io.kvsgateway.support.MediaFixtures.Split split = io.kvsgateway.support.MediaFixtures.split("h264.mkv");
		Map<String, String> headers = Map.of("x-amzn-stream-name", name, "x-amzn-fragment-timecode-type", "RELATIVE",
				"x-amzn-producer-start-timestamp", Long.toString(Instant.now().getEpochSecond()));
		try (PutMediaUpload upload = PutMediaUpload.open(port, headers, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(200);
			upload.send(split.header(), 0, split.header().length);
			Thread camera = Thread.ofVirtual().start(() -> {
				for (byte[] fragment : split.fragments()) {
					upload.send(fragment, 0, fragment.length);
					try {
						Thread.sleep(1_050);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
				upload.finish();
			});
			// A fragment is stored once the next one begins: the session starts with one listed.
			Thread.sleep(1_500);
			String url = media.getDASHStreamingSessionURL(r -> r.streamName(name).playbackMode(DASHPlaybackMode.LIVE))
				.dashStreamingSessionURL();

			List<Double> video = Ffprobe.packetTimes(url, null, 3).get("video");

			camera.join();
			// Three seconds of timeline hold nearly three fragments of 30 frames, the camera's pauses aside.
			assertThat(video).as("video packets of three live seconds").hasSizeGreaterThanOrEqualTo(75);
			assertThat(video.getLast() - video.getFirst()).as("seconds played").isGreaterThan(2.8);
			for (int i = 1; i < video.size(); i++) {
				// Within a fragment a frame every 1/30 s; between fragments the server timestamps' spacing.
				assertThat(video.get(i) - video.get(i - 1)).as("video packet %d after the one before", i)
					.isBetween(VIDEO_FRAME - 0.002, 0.25);
			}
		}
	}

	String hls(ContainerFormat format) {
		return media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.containerFormat(format)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.hlsStreamingSessionURL();
	}

	String dash() {
		return media.getDASHStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(DASHPlaybackMode.ON_DEMAND)
			.dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.dashStreamingSessionURL();
	}

	String clip() throws IOException {
		Path file = temp.resolve(name + ".mp4");
		try (var clip = media.getClip(r -> r.streamName(name)
			.clipFragmentSelector(s -> s.fragmentSelectorType(ClipFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))) {
			Files.copy(clip, file);
		}
		return file.toString();
	}

}
