package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.kvsgateway.support.ExternalTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Judges {@link TsWriter} segments by ffmpeg and ffprobe, an independent MPEG-TS demuxer and decoder: every segment
 * must decode on its own without a single error, and the segments of a fixture, played through an HLS playlist, must
 * give every frame of the source at the source's times. Skips with a reason when the tools are absent (fails in CI,
 * see {@link ExternalTools}).
 */
class TsWriterFfprobeUnitTests {

	private static final long WRAP = 1L << 33;

	@TempDir
	Path temp;

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_KVS })
	void everySegmentDecodesOnItsOwn(String fixture) throws Exception {
		String ffmpeg = ExternalTools.require("ffmpeg");
		String ffprobe = ExternalTools.require("ffprobe");
		List<MediaFragment> fragments = TsFixtures.fragments(fixture);
		assertThat(fragments).hasSizeGreaterThan(4);
		for (int i = 0; i < fragments.size(); i++) {
			MediaFragment fragment = fragments.get(i);
			Path segment = Files.write(this.temp.resolve("segment-" + i + ".ts"), TsWriter.segment(fragment, 7 + i));

			Result decoded = run(ffmpeg, "-v", "error", "-i", segment.toString(), "-f", "null", "-");
			assertThat(decoded.output()).as("ffmpeg errors decoding segment %d of %s", i, fixture).isEmpty();
			assertThat(decoded.exit()).isZero();

			Result counted = run(ffprobe, "-v", "error", "-count_frames", "-show_entries",
					"stream=index,codec_type,nb_read_frames", "-of", "csv=p=0", segment.toString());
			assertThat(counted.exit()).as(counted.output()).isZero();
			// ffprobe lists each stream twice, under its program and on its own: count each index once.
			Map<String, String[]> streams = new TreeMap<>();
			for (String line : counted.output().lines().filter(l -> !l.isBlank()).toList()) {
				String[] fields = line.split(",");
				streams.put(fields[0], fields);
			}
			Map<String, Integer> frames = new TreeMap<>();
			for (String[] fields : streams.values()) {
				frames.merge(fields[1], Integer.parseInt(fields[2]), Integer::sum);
			}
			Map<String, Integer> expected = new TreeMap<>();
			// h264-aac's last Cluster holds only the audio that outlasts the video.
			int video = TsFixtures.samples(fragment, Track.Type.VIDEO);
			if (video > 0) {
				expected.put("video", video);
			}
			int audio = TsFixtures.samples(fragment, Track.Type.AUDIO);
			if (audio > 0) {
				expected.put("audio", audio);
			}
			assertThat(frames).as("frames per stream type in segment %d of %s", i, fixture).isEqualTo(expected);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_KVS })
	void segmentsPlayedInSequenceGiveEveryFrameOfTheSourceAtItsTime(String fixture) throws Exception {
		playsLikeTheSource(fixture, 0);
	}

	@Test
	void timestampsContinueAcrossTheWrapOfTheThirtyThreeBitClock() throws Exception {
		// An epoch-like start chosen so that the 90 kHz clock passes 2^33 just after the
		// fourth fragment's first frame, inside a segment.
		long base = 1_763_000_000_000_000_000L;
		long baseTicks = ticks(base);
		long toWrap = Math.floorMod(WRAP - baseTicks - 270_000 - 1500, WRAP);
		playsLikeTheSource(MkvFixtures.H264_AAC, base + toWrap * 100_000 / 9);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265 })
	void segmentsJoinedInPlaylistOrderPassFfmpegsContinuityCheck(String fixture) throws Exception {
		String ffmpeg = ExternalTools.require("ffmpeg");
		List<MediaFragment> fragments = TsFixtures.fragments(fixture);
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		for (int i = 0; i < fragments.size(); i++) {
			joined.writeBytes(TsWriter.segment(fragments.get(i), 1000 + i));
		}
		Path file = Files.write(this.temp.resolve("joined.ts"), joined.toByteArray());
		// ffmpeg reports counter errors only at debug level.
		Result result = run(ffmpeg, "-v", "debug", "-i", file.toString(), "-f", "null", "-");
		assertThat(result.exit()).isZero();
		assertThat(result.output()).contains("mpegts").doesNotContain("Continuity check failed");
	}

	private void playsLikeTheSource(String fixture, long offsetNanos) throws Exception {
		String ffprobe = ExternalTools.require("ffprobe");
		Path source = Files.write(this.temp.resolve(fixture), MkvFixtures.bytes(fixture));
		List<MediaFragment> fragments = TsFixtures.fragments(fixture, offsetNanos);
		StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
				+ "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-PLAYLIST-TYPE:VOD\n");
		for (int i = 0; i < fragments.size(); i++) {
			MediaFragment fragment = fragments.get(i);
			Files.write(this.temp.resolve("segment-" + i + ".ts"), TsWriter.segment(fragment, 100 + i));
			playlist.append(String.format(Locale.ROOT, "#EXTINF:%.3f,%nsegment-%d.ts%n",
					fragment.durationNanos() / 1e9, i));
		}
		playlist.append("#EXT-X-ENDLIST\n");
		Path m3u8 = Files.writeString(this.temp.resolve("playlist.m3u8"), playlist);

		Map<String, List<Long>> expected = frames(ffprobe, source);
		Map<String, List<Long>> actual = frames(ffprobe, m3u8);
		assertThat(actual.keySet()).isEqualTo(expected.keySet());
		long offsetTicks = ticks(offsetNanos);
		for (String type : expected.keySet()) {
			List<Long> want = expected.get(type);
			List<Long> got = actual.get(type);
			assertThat(got).as("%s frames of %s", type, fixture).hasSameSizeAs(want);
			// One frame: 1/30 s of video, 1024 samples at 48 kHz of audio.
			long tolerance = type.equals("video") ? 3000 : 1920;
			for (int i = 0; i < want.size(); i++) {
				long sourceTicks = want.get(i) * 90 + offsetTicks;
				long difference = Math.floorMod(got.get(i) - sourceTicks + WRAP / 2, WRAP) - WRAP / 2;
				assertThat(Math.abs(difference))
					.as("%s frame %d of %s: pts %d, source %d (mod 2^33)", type, i, fixture, got.get(i), sourceTicks)
					.isLessThanOrEqualTo(tolerance);
			}
		}
	}

	/** @return nanos * 90000 / 10^9 rounded, modulo 2^33, computed independently of the writer. */
	private static long ticks(long nanos) {
		return BigInteger.valueOf(nanos).multiply(BigInteger.valueOf(9)).add(BigInteger.valueOf(50_000)).divide(BigInteger.valueOf(100_000))
			.mod(BigInteger.valueOf(WRAP)).longValueExact();
	}

	/** @return each stream type's decoded frame pts in stream time base units, in presentation order. */
	private static Map<String, List<Long>> frames(String ffprobe, Path file) throws Exception {
		Result result = run(ffprobe, "-v", "error", "-show_entries", "frame=media_type,pts", "-of", "csv=p=0",
				file.toString());
		assertThat(result.exit()).as(result.output()).isZero();
		Map<String, List<Long>> frames = new TreeMap<>();
		for (String line : result.output().lines().toList()) {
			if (line.isBlank()) {
				continue;
			}
			// Video lines may end with an empty side data field.
			String[] fields = line.split(",");
			assertThat(fields[0]).as("ffprobe line '%s' of %s", line, file.getFileName()).isIn("video", "audio");
			frames.computeIfAbsent(fields[0], t -> new ArrayList<>()).add(Long.parseLong(fields[1]));
		}
		frames.values().forEach(list -> list.sort(null));
		return frames;
	}

	private static Result run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return new Result(process.exitValue(), out);
	}

	private record Result(int exit, String output) {
	}

}
