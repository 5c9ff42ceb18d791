package io.kvsgateway.media;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** The committed test media ({@code src/test/resources/media}, made by {@code make-fixtures.sh}) and reading helpers. */
final class MkvFixtures {

	static final String H264 = "h264.mkv";

	static final String H264_AAC = "h264-aac.mkv";

	static final String H265 = "h265.mkv";

	static final String H264_LIVE = "h264-live.mkv";

	static final String H264_KVS = "h264-kvs.mkv";

	static final List<String> ALL = List.of(H264, H264_AAC, H265, H264_LIVE, H264_KVS);

	private MkvFixtures() {
	}

	static byte[] bytes(String name) {
		try (InputStream in = MkvFixtures.class.getResourceAsStream("/media/" + name)) {
			if (in == null) {
				throw new IllegalArgumentException("no fixture " + name);
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static List<MkvEvent> readAll(InputStream in, MkvReader.Limits limits) throws IOException {
		MkvReader reader = new MkvReader(in, limits);
		List<MkvEvent> events = new ArrayList<>();
		for (@Nullable MkvEvent event = reader.next(); event != null; event = reader.next()) {
			events.add(event);
		}
		return events;
	}

	static List<MkvEvent> readAll(byte[] bytes) throws IOException {
		return readAll(new ByteArrayInputStream(bytes), MkvReader.Limits.KVS);
	}

	/** A stream that hands out one byte per read, as a slow socket may. */
	static InputStream oneByteAtATime(byte[] bytes) {
		return new FilterInputStream(new ByteArrayInputStream(bytes)) {

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				return super.read(b, off, Math.min(len, 1));
			}

		};
	}

}
