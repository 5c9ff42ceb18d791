package io.kvsgateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The independent judge of media the project writes: ffprobe and ffmpeg (not this project's own parsers) read a file
 * or URL (an MP4, an MKV, an HLS playlist, a DASH manifest) and say how many frames decode and when each is shown.
 */
public final class Ffprobe {

	private Ffprobe() {
	}

	/** @return the frames of the first stream matching {@code selector} (e.g. {@code v:0}) that decode */
	public static int decodedFrames(String input, String selector) {
		String output = run(ExternalTools.require("ffprobe"), "-v", "error", "-count_frames", "-select_streams",
				selector, "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", input);
		// A playlist's streams are listed once per program and once more on their own: the counts are the same.
		return Integer.parseInt(output.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
			.orElseThrow(() -> new AssertionError("ffprobe found no stream " + selector + " in " + input)));
	}

	/** @return the presentation times in seconds of each codec type's packets ({@code video}, {@code audio}), sorted */
	public static Map<String, List<Double>> packetTimes(String input) {
		return packetTimes(input, null);
	}

	/**
	 * @param selector the only streams to read (e.g. {@code a:0}), or {@code null} for all
	 * @return the presentation times in seconds of each codec type's packets ({@code video}, {@code audio}), sorted
	 */
	public static Map<String, List<Double>> packetTimes(String input, @Nullable String selector) {
		return packetTimes(input, selector, 0);
	}

	/**
	 * @param selector the only streams to read (e.g. {@code a:0}), or {@code null} for all
	 * @param seconds how much of the input to read from its start, as ffprobe measures it; 0 for all (a live input
	 * has no end)
	 * @return the presentation times in seconds of each codec type's packets ({@code video}, {@code audio}), sorted
	 */
	public static Map<String, List<Double>> packetTimes(String input, @Nullable String selector, int seconds) {
		Map<String, List<Double>> times = new TreeMap<>();
		List<String> command = new ArrayList<>(List.of(ExternalTools.require("ffprobe"), "-v", "error"));
		if (selector != null) {
			command.addAll(List.of("-select_streams", selector));
		}
		if (seconds > 0) {
			command.addAll(List.of("-read_intervals", "%+" + seconds));
		}
		command.addAll(List.of("-show_entries", "packet=codec_type,pts_time", "-of", "csv=p=0", input));
		run(command.toArray(String[]::new))
			.lines()
			.map(line -> line.strip().split(","))
			.filter(fields -> fields.length >= 2 && !fields[1].equals("N/A"))
			.forEach(fields -> times.computeIfAbsent(fields[0], type -> new ArrayList<>())
				.add(Double.parseDouble(fields[1])));
		times.values().forEach(list -> list.sort(null));
		return times;
	}

	/** @return the codec types of the input's streams ({@code video}, {@code audio}), as ffprobe lists them */
	public static List<String> streamTypes(String input) {
		return run(ExternalTools.require("ffprobe"), "-v", "error", "-show_entries", "stream=codec_type", "-of",
				"csv=p=0", input)
			.lines()
			.map(String::strip)
			.filter(line -> !line.isEmpty())
			.distinct()
			.toList();
	}

	/** Asserts that ffmpeg decodes the whole input without printing a single error. */
	public static void assertDecodesCleanly(String input) {
		assertThat(run(ExternalTools.require("ffmpeg"), "-v", "error", "-i", input, "-f", "null", "-"))
			.as("ffmpeg errors decoding %s", input)
			.isEmpty();
	}

	/**
	 * Asserts that {@code output} holds every video and audio packet of {@code source}, each shown within one frame of
	 * its source time, times measured from each input's first video packet (so an absolute clock in the output, as KVS
	 * media carries, compares with a file that starts at zero, and audio must stay in step with video).
	 * @param frameSeconds per codec type, the frame duration allowed as error
	 */
	public static void assertSameTimeline(String source, String output, Map<String, Double> frameSeconds) {
		assertSameTimeline(packetTimes(source), packetTimes(output), output, frameSeconds);
	}

	/**
	 * {@link #assertSameTimeline}, with each of the output's streams read on its own: for a DASH manifest, whose
	 * representations ffmpeg's demuxer reads in turns and stops reading all of them as soon as the one furthest behind
	 * ends, which loses the packets another track has beyond it (audio outlasting video by more than one packet).
	 */
	public static void assertSameTimelinePerStream(String source, String output, Map<String, Double> frameSeconds) {
		Map<String, List<Double>> actual = new TreeMap<>();
		for (String type : frameSeconds.keySet()) {
			String selector = type.substring(0, 1) + ":0";
			if (streamTypes(output).contains(type)) {
				actual.putAll(packetTimes(output, selector));
			}
		}
		assertSameTimeline(packetTimes(source), actual, output, frameSeconds);
	}

	private static void assertSameTimeline(Map<String, List<Double>> expected, Map<String, List<Double>> actual,
			String output, Map<String, Double> frameSeconds) {
		assertThat(actual.keySet()).as("codec types in %s", output).isEqualTo(expected.keySet());
		double expectedOrigin = expected.get("video").getFirst();
		double actualOrigin = actual.get("video").getFirst();
		expected.forEach((type, times) -> {
			List<Double> played = actual.get(type);
			assertThat(played).as("%s packets in %s", type, output).hasSameSizeAs(times);
			for (int i = 0; i < times.size(); i++) {
				assertThat(played.get(i) - actualOrigin).as("presentation time of %s packet %d", type, i)
					.isCloseTo(times.get(i) - expectedOrigin, within(frameSeconds.get(type)));
			}
		});
	}

	/** Runs a tool to its end, or fails after two minutes (a live input may never end) rather than hang the build. */
	private static String run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
				try {
					return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			boolean finished = process.waitFor(120, TimeUnit.SECONDS);
			if (!finished) {
				process.destroyForcibly();
			}
			assertThat(finished).as("%s finished", command[0]).isTrue();
			String out = output.join();
			assertThat(process.exitValue()).as(out).isZero();
			return out;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
