package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds small EBML documents byte by byte for tests that need shapes ffmpeg does not write. */
final class Ebml {

	static final byte[] UNKNOWN_SIZE = { 0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
			(byte) 0xFF, (byte) 0xFF };

	private Ebml() {
	}

	static byte[] id(int id) {
		int length = (id >>> 24 != 0) ? 4 : (id >>> 16 != 0) ? 3 : (id >>> 8 != 0) ? 2 : 1;
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (id >>> (8 * (length - 1 - i)));
		}
		return bytes;
	}

	/** The shortest EBML size VINT for a value. */
	static byte[] size(long value) {
		int length = 1;
		while (value >= (1L << (7 * length)) - 1) {
			length++;
		}
		long encoded = value | (1L << (7 * length));
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (encoded >>> (8 * (length - 1 - i)));
		}
		return bytes;
	}

	/** A signed VINT as EBML lacing writes size differences: the value plus half the range of its length. */
	static byte[] signed(long value) {
		int length = 1;
		while (Math.abs(value) >= (1L << (7 * length - 1)) - 1) {
			length++;
		}
		long raw = value + (1L << (7 * length - 1)) - 1;
		long encoded = raw | (1L << (7 * length));
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (encoded >>> (8 * (length - 1 - i)));
		}
		return bytes;
	}

	static byte[] element(int id, byte[]... children) {
		byte[] payload = concat(children);
		return concat(id(id), size(payload.length), payload);
	}

	static byte[] unknownSize(int id, byte[]... children) {
		return concat(id(id), UNKNOWN_SIZE, concat(children));
	}

	static byte[] uint(int id, long value) {
		return element(id, new byte[] { (byte) (value >>> 8), (byte) value });
	}

	static byte[] string(int id, String value) {
		return element(id, value.getBytes(StandardCharsets.UTF_8));
	}

	static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	static byte[] filled(int length, int value) {
		byte[] bytes = new byte[length];
		java.util.Arrays.fill(bytes, (byte) value);
		return bytes;
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	/** EBML header, unknown-size Segment, Info (1 ms) and Tracks with one video (1) and one audio (2) track. */
	static byte[] header() {
		return concat(element(MkvReader.EBML, string(MkvReader.DOC_TYPE, "matroska")), id(MkvReader.SEGMENT),
				UNKNOWN_SIZE, element(MkvReader.INFO, uint(MkvReader.TIMECODE_SCALE, 1000)),
				element(MkvReader.TRACKS,
						element(MkvReader.TRACK_ENTRY, uint(MkvReader.TRACK_NUMBER, 1), uint(MkvReader.TRACK_TYPE, 1),
								string(MkvReader.CODEC_ID, "V_MPEG4/ISO/AVC"),
								element(MkvReader.CODEC_PRIVATE, bytes(1, 2, 3))),
						element(MkvReader.TRACK_ENTRY, uint(MkvReader.TRACK_NUMBER, 2), uint(MkvReader.TRACK_TYPE, 2),
								string(MkvReader.CODEC_ID, "A_AAC"))));
	}

	/** A SimpleBlock of track 2: track VINT, 16-bit timecode, flags, then {@code body} (lace header and frames). */
	static byte[] simpleBlock(int relativeTimecode, int flags, byte[] body) {
		return element(MkvReader.SIMPLE_BLOCK,
				concat(bytes(0x82, relativeTimecode >> 8, relativeTimecode, flags), body));
	}

}
