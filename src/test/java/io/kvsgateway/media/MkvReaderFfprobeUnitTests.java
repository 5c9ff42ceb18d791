package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.kvsgateway.media.MkvEvent.TracksRead;
import io.kvsgateway.support.ExternalTools;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Judges {@link MkvReader} by ffprobe, an independent Matroska demuxer: both must count the same frames per track.
 * Skips with a reason when ffprobe is absent (fails in CI, see {@link ExternalTools}).
 */
class MkvReaderFfprobeUnitTests {

	@TempDir
	Path temp;

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_LIVE,
			MkvFixtures.H264_KVS })
	void countsTheFramesFfprobeCounts(String fixture) throws Exception {
		String ffprobe = ExternalTools.require("ffprobe");
		byte[] bytes = MkvFixtures.bytes(fixture);
		Path file = Files.write(this.temp.resolve(fixture), bytes);
		List<MkvEvent> events = MkvFixtures.readAll(bytes);
		List<Track> tracks = MkvReaderUnitTests.first(events, TracksRead.class).tracks();

		int videoIndex = 0;
		int audioIndex = 0;
		for (Track track : tracks) {
			String selector = switch (track.type()) {
				case VIDEO -> "v:" + videoIndex++;
				case AUDIO -> "a:" + audioIndex++;
				case OTHER -> null;
			};
			if (selector == null) {
				continue;
			}
			assertThat(MkvReaderUnitTests.framesPerTrack(events).get(track.number()))
				.as("frames of track %d (%s) in %s", track.number(), selector, fixture)
				.isEqualTo(ffprobeFrames(ffprobe, file, selector));
		}
	}

	private static int ffprobeFrames(String ffprobe, Path file, String selector) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(ffprobe, "-v", "error", "-count_frames", "-select_streams", selector,
				"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString())
			.redirectErrorStream(true)
			.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(out).isZero();
		return Integer.parseInt(out);
	}

}
