package io.kvsgateway.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ContainerFormat;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.media.Fmp4Writer;
import io.kvsgateway.media.MediaFragment;
import io.kvsgateway.media.Track;
import io.kvsgateway.media.TsWriter;
import io.kvsgateway.support.ExternalTools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole chain, judged by an independent decoder: PutMedia in, an SDK session URL, and ffprobe playing the HLS or
 * DASH URL through the real fMP4 and MPEG-TS writers, counting decodable frames. Skipped while the writers are not
 * written yet (they throw {@link UnsupportedOperationException}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StreamingSessionFfprobeIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "streaming-ffprobe-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	static final Instant PRODUCER_START = Instant.parse("2026-02-03T04:05:06Z");

	/** Every fixture is 6 s of 30 fps video. */
	static final int VIDEO_FRAMES = 180;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	/** Before the application starts: while the writers throw, there is nothing to judge. */
	@BeforeAll
	static void writersWritten() {
		assumeWritersWritten();
	}

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "probe-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		if (kvs != null) {
			kvs.close();
			media.close();
		}
	}

	@Test
	void hlsFragmentedMp4WithAudioPlaysEveryFrame() {
		StreamingSessionIntegrationTests.upload(port, name, "h264-aac.mkv", PRODUCER_START);

		String url = hls(ContainerFormat.FRAGMENTED_MP4);

		assertThat(ffprobe(url, "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"))
			.isEqualTo(Integer.toString(VIDEO_FRAMES));
		assertThat(ffprobe(url, "-show_entries", "stream=codec_name")).contains("h264").contains("aac");
	}

	@Test
	void hlsFragmentedMp4OfH265PlaysEveryFrame() {
		StreamingSessionIntegrationTests.upload(port, name, "h265.mkv", PRODUCER_START);

		assertThat(ffprobe(hls(ContainerFormat.FRAGMENTED_MP4), "-count_frames", "-select_streams", "v:0",
				"-show_entries", "stream=nb_read_frames"))
			.isEqualTo(Integer.toString(VIDEO_FRAMES));
	}

	@Test
	void hlsMpegTsPlaysEveryFrame() {
		StreamingSessionIntegrationTests.upload(port, name, "h264-aac.mkv", PRODUCER_START);

		assertThat(ffprobe(hls(ContainerFormat.MPEG_TS), "-count_frames", "-select_streams", "v:0", "-show_entries",
				"stream=nb_read_frames"))
			.isEqualTo(Integer.toString(VIDEO_FRAMES));
	}

	@Test
	void dashPlaysEveryFrame() {
		StreamingSessionIntegrationTests.upload(port, name, "h264-aac.mkv", PRODUCER_START);
		String url = media.getDASHStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(DASHPlaybackMode.ON_DEMAND)
			.dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.dashStreamingSessionURL();

		assertThat(ffprobe(url, "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"))
			.isEqualTo(Integer.toString(VIDEO_FRAMES));
	}

	String hls(ContainerFormat format) {
		return media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.containerFormat(format)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(60)))))
			.hlsStreamingSessionURL();
	}

	static String ffprobe(String url, String... arguments) {
		List<String> command = new ArrayList<>(List.of(ExternalTools.require("ffprobe"), "-v", "error"));
		command.addAll(List.of(arguments));
		command.addAll(List.of("-of", "csv=p=0", url));
		try {
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).as(output).isZero();
			return output;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Skips until the media module's writers are written; any other failure is theirs to report. */
	static void assumeWritersWritten() {
		Track track = new Track(1, 1, Track.Type.VIDEO, "V_MPEG4/ISO/AVC", ByteBuffer.allocate(0), "",
				new Track.Video(320, 180), null);
		boolean written = true;
		try {
			Fmp4Writer.timescale(track);
		}
		catch (UnsupportedOperationException ex) {
			written = false;
		}
		catch (RuntimeException ex) {
			// written, and it disliked the made-up track
		}
		try {
			TsWriter.segment(new MediaFragment(List.of(), 0, Duration.ofSeconds(1).toNanos()), 1);
		}
		catch (UnsupportedOperationException ex) {
			written = false;
		}
		catch (RuntimeException ex) {
			// written, and it disliked the empty fragment
		}
		assumeTrue(written, "the fMP4 and MPEG-TS writers are not written yet");
	}

}
