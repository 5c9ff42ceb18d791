package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.FragmentReader.FragmentRead;
import io.kvsgateway.media.FragmentReader.FragmentStarted;
import io.kvsgateway.media.MkvEvent.Frame;
import io.kvsgateway.support.ExternalTools;

/** The committed test media read the way the embedded KVS tests compare it: fragments with their byte ranges, frames per track. */
final class MediaFixtures {

	static final List<String> ALL = List.of("h264.mkv", "h264-aac.mkv", "h265.mkv", "h264-live.mkv", "h264-kvs.mkv");

	private MediaFixtures() {
	}

	static byte[] bytes(String name) {
		try (InputStream in = MediaFixtures.class.getResourceAsStream("/media/" + name)) {
			if (in == null) {
				throw new IllegalArgumentException("no fixture " + name);
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One fragment of a fixture.
	 * @param start offset of its Cluster
	 * @param end offset just past it and the Tags that follow it (the next Cluster, or the end of the input)
	 */
	record Range(Fragment fragment, int start, int end) {

		long timecode() {
			return fragment.timecode();
		}

	}

	/** The fragments of an MKV stream in order, with their byte ranges. */
	static List<Range> fragments(byte[] bytes) {
		List<Fragment> fragments = new ArrayList<>();
		List<Integer> starts = new ArrayList<>();
		try {
			FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(bytes));
			for (FragmentReader.Event event; (event = reader.next()) != null;) {
				if (event instanceof FragmentStarted started) {
					starts.add((int) started.offset());
				}
				else if (event instanceof FragmentRead read) {
					fragments.add(read.fragment());
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<Range> ranges = new ArrayList<>();
		for (int i = 0; i < fragments.size(); i++) {
			int end = (i + 1 < starts.size()) ? starts.get(i + 1) : bytes.length;
			ranges.add(new Range(fragments.get(i), starts.get(i), end));
		}
		return ranges;
	}

	/** Per track number: how many frames, and the SHA-256 of all their payloads in order. */
	static Map<Long, String> framesByTrack(List<Fragment> fragments) {
		Map<Long, java.security.MessageDigest> digests = new LinkedHashMap<>();
		Map<Long, Integer> counts = new LinkedHashMap<>();
		for (Fragment fragment : fragments) {
			for (Frame frame : fragment.frames()) {
				ByteBuffer payload = frame.payload();
				digests.computeIfAbsent(frame.trackNumber(), t -> sha256()).update(payload);
				counts.merge(frame.trackNumber(), 1, Integer::sum);
			}
		}
		Map<Long, String> summary = new LinkedHashMap<>();
		digests.forEach((track, digest) -> summary.put(track,
				counts.get(track) + " frames, sha256 " + HexFormat.of().formatHex(digest.digest())));
		return summary;
	}

	/** Every fragment FragmentReader finds in the bytes. */
	static List<Fragment> read(byte[] bytes) {
		return fragments(bytes).stream().map(Range::fragment).toList();
	}

	/** Decodable video frames as ffprobe counts them. */
	static int ffprobeVideoFrames(byte[] mkv) {
		String ffprobe = ExternalTools.require("ffprobe");
		try {
			Path file = Files.createTempFile("kvs-media", ".mkv");
			try {
				Files.write(file, mkv);
				Process process = new ProcessBuilder(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
						"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString())
					// ffmpeg warns about every Segment after the first of a KVS-shaped stream; only the count matters
					.redirectError(ProcessBuilder.Redirect.DISCARD)
					.start();
				String output = new String(process.getInputStream().readAllBytes()).trim();
				if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
					throw new AssertionError("ffprobe failed: " + output);
				}
				return Integer.parseInt(output);
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

	private static java.security.MessageDigest sha256() {
		try {
			return java.security.MessageDigest.getInstance("SHA-256");
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
