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

		/** @return every fragment, concatenated */
		public byte[] fragmentBytes() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			fragments.forEach(out::writeBytes);
			return out.toByteArray();
		}

		/**
		 * @return what a live producer would send for the same media: the header with the Segment's size unknown
		 * (a file's declared size also counts the Cues after the last Cluster), then every fragment
		 */
		public byte[] live() {
			byte[] live = all();
			for (int i = 0; i + 4 < header.length; i++) {
				if ((live[i] & 0xff) == 0x18 && (live[i + 1] & 0xff) == 0x53 && (live[i + 2] & 0xff) == 0x80
						&& (live[i + 3] & 0xff) == 0x67) {
					int length = Integer.numberOfLeadingZeros(live[i + 4] & 0xff) - 23;
					live[i + 4] = (byte) (0xFF >>> (length - 1));
					for (int j = 1; j < length; j++) {
						live[i + 4 + j] = (byte) 0xFF;
					}
					return live;
				}
			}
			throw new IllegalStateException("no Segment in the header");
		}

	}

}
