package io.kvsgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Judges media bytes with ffprobe and ffmpeg (independent demuxers and decoders), for clip and playback tests. */
public final class Mp4Probe {

	private Mp4Probe() {
	}

	/**
	 * @param media a media file's bytes
	 * @param selector an ffprobe stream specifier such as {@code v:0} or {@code a:0}
	 * @return the frames ffprobe decodes in that stream
	 */
	public static int frames(byte[] media, String selector) {
		String out = withFile(media, file -> run(ExternalTools.require("ffprobe"), "-v", "error", "-count_frames",
				"-select_streams", selector, "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
				file.toString()));
		return Integer.parseInt(out.strip());
	}

	/** @return the codec type of every stream, in order, e.g. {@code [video, audio]} */
	public static List<String> streams(byte[] media) {
		String out = withFile(media, file -> run(ExternalTools.require("ffprobe"), "-v", "error", "-show_entries",
				"stream=codec_type", "-of", "csv=p=0", file.toString()));
		return out.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
	}

	/** @return what ffmpeg reports as errors while decoding every stream; empty when it decodes cleanly */
	public static String decodeErrors(byte[] media) {
		return withFile(media, file -> run(ExternalTools.require("ffmpeg"), "-v", "error", "-i", file.toString(),
				"-f", "null", "-"));
	}

	private interface FileJob {

		String apply(Path file) throws IOException, InterruptedException;

	}

	private static String withFile(byte[] media, FileJob job) {
		try {
			Path file = Files.createTempFile("kvs-gateway-probe", ".mp4");
			try {
				Files.write(file, media);
				return job.apply(file);
			}
			finally {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new AssertionError(command[0] + " failed: " + out);
		}
		return out;
	}

}
