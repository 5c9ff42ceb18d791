package io.kvsgateway.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.kvsgateway.media.FragmentReader;

/** The committed test media split as a producer sends it: the header bytes, then each fragment's bytes. */
public final class MediaFixtures {

	private MediaFixtures() {
	}

	public static byte[] bytes(String name) {
		try (InputStream in = MediaFixtures.class.getResourceAsStream("/media/" + name)) {
			if (in == null) {
				throw new IllegalArgumentException("no fixture " + name);
			}
			return in.readAllBytes();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * @param name a fixture in {@code src/test/resources/media}
	 * @return the header, then one entry per fragment (its Cluster followed by its Tags), exactly as in the file
	 */
	public static Split split(String name) {
		try {
			FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(bytes(name)));
			byte[] header = null;
			List<byte[]> fragments = new ArrayList<>();
			List<Long> timecodes = new ArrayList<>();
			for (FragmentReader.Event event; (event = reader.next()) != null;) {
				switch (event) {
					case FragmentReader.HeaderRead read -> header = array(read.header().raw());
					case FragmentReader.FragmentStarted started -> {
					}
					case FragmentReader.FragmentRead read -> {
						ByteArrayOutputStream out = new ByteArrayOutputStream();
						out.writeBytes(array(read.fragment().raw()));
						read.fragment().rawTags().forEach(tags -> out.writeBytes(array(tags.duplicate())));
						fragments.add(out.toByteArray());
						timecodes.add(read.fragment().timecode());
					}
				}
			}
			return new Split(header, fragments, timecodes);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static byte[] array(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	/**
	 * @param header the bytes before the first Cluster
	 * @param fragments each fragment's Cluster and Tags bytes
	 * @param timecodes each fragment's Cluster timecode
	 */
	public record Split(byte[] header, List<byte[]> fragments, List<Long> timecodes) {

		/** @return the header and every fragment, concatenated */
		public byte[] all() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(header);
			fragments.forEach(out::writeBytes);
			return out.toByteArray();
		}

	}

}
