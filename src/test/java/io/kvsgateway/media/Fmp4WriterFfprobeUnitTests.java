package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.kvsgateway.support.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Judges {@link Fmp4Writer} by ffprobe and ffmpeg, an independent MP4 demuxer and decoders: the fragmented MP4 made
 * of a fixture's fragments must hold every frame of the source Matroska file, each presented within one frame
 * duration of where the source presents it, and decode without a single error. Skips with a reason when the tools
 * are absent (fails in CI, see {@link ExternalTools}).
 */
class Fmp4WriterFfprobeUnitTests {

	/** One video frame at the fixtures' 30 fps. */
	private static final double VIDEO_FRAME = 1.0 / 30;

	/** One AAC frame of 1024 samples at the fixture's 48 kHz. */
	private static final double AUDIO_FRAME = 1024.0 / 48_000;

	@TempDir
	Path temp;

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_KVS,
			MkvFixtures.H264_LIVE })
	void everyFrameOfEveryTrackIsPlayableAtItsSourceTime(String fixture) throws Exception {
		Fmp4Fixtures.Read read = Fmp4Fixtures.read(fixture);
		Path mkv = Files.write(this.temp.resolve(fixture), MkvFixtures.bytes(fixture));
		Path mp4 = Files.write(this.temp.resolve(fixture + ".mp4"), read.mp4());

		assertSameFrames(mkv, "v:0", mp4, "v:0", VIDEO_FRAME);
		if (fixture.equals(MkvFixtures.H264_AAC)) {
			assertSameFrames(mkv, "a:0", mp4, "a:0", AUDIO_FRAME);
		}
		assertThat(streams(mp4)).isEqualTo(streams(mkv));
		assertDecodesCleanly(mp4);
	}

	@Test
	void aVideoOnlyRenditionOfAMuxedStreamHoldsEveryVideoFrameAndNoAudio() throws Exception {
		assertSingleTrack(track -> track.type() == Track.Type.VIDEO, "v:0", "video", VIDEO_FRAME);
	}

	@Test
	void anAudioOnlyRenditionOfAMuxedStreamHoldsEveryAudioFrameAndNoVideo() throws Exception {
		assertSingleTrack(track -> track.type() == Track.Type.AUDIO, "a:0", "audio", AUDIO_FRAME);
	}

	private void assertSingleTrack(Predicate<Track> filter, String selector, String type, double frame)
			throws Exception {
		Fmp4Fixtures.Read read = Fmp4Fixtures.read(MkvFixtures.H264_AAC);
		Path mkv = Files.write(this.temp.resolve("source.mkv"), MkvFixtures.bytes(MkvFixtures.H264_AAC));
		Path mp4 = Files.write(this.temp.resolve(type + ".mp4"), read.mp4(filter));
		assertThat(streams(mp4)).containsExactly(type);
		assertSameFrames(mkv, selector, mp4, "0", frame);
		assertDecodesCleanly(mp4);
	}

	private static void assertSameFrames(Path source, String sourceSelector, Path mp4, String mp4Selector,
			double frameDuration) throws Exception {
		String ffprobe = ExternalTools.require("ffprobe");
		int expected = Integer.parseInt(run(ffprobe, "-v", "error", "-count_frames", "-select_streams", sourceSelector,
				"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", source.toString()));
		assertThat(expected).as("frames in the source").isGreaterThan(100);
		int actual = Integer.parseInt(run(ffprobe, "-v", "error", "-count_frames", "-select_streams", mp4Selector,
				"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", mp4.toString()));
		assertThat(actual).as("decoded frames of %s in the MP4", sourceSelector).isEqualTo(expected);

		List<Double> sourceTimes = packetTimes(ffprobe, source, sourceSelector);
		List<Double> mp4Times = packetTimes(ffprobe, mp4, mp4Selector);
		assertThat(mp4Times).as("packets of %s", sourceSelector).hasSameSizeAs(sourceTimes);
		for (int i = 0; i < sourceTimes.size(); i++) {
			assertThat(mp4Times.get(i)).as("presentation time of %s frame %d", sourceSelector, i)
				.isCloseTo(sourceTimes.get(i), within(frameDuration));
		}
	}

	/** @return the presentation times in seconds of a stream's packets, in presentation order */
	private static List<Double> packetTimes(String ffprobe, Path file, String selector) throws Exception {
		List<Double> times = new ArrayList<>();
		for (String line : run(ffprobe, "-v", "error", "-select_streams", selector, "-show_entries",
				"packet=pts_time", "-of", "csv=p=0", file.toString()).split("\n")) {
			if (!line.isBlank()) {
				times.add(Double.parseDouble(line.strip().replace(",", "")));
			}
		}
		times.sort(null);
		return times;
	}

	private static List<String> streams(Path file) throws Exception {
		String ffprobe = ExternalTools.require("ffprobe");
		return run(ffprobe, "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", file.toString())
			.lines()
			.map(String::strip)
			.filter(line -> !line.isEmpty())
			.toList();
	}

	static void assertDecodesCleanly(Path file) throws Exception {
		String ffmpeg = ExternalTools.require("ffmpeg");
		assertThat(run(ffmpeg, "-v", "error", "-i", file.toString(), "-f", "null", "-"))
			.as("ffmpeg errors decoding %s", file.getFileName())
			.isEmpty();
	}

	static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(out).isZero();
		return out;
	}

}
