package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Turns Matroska's length-prefixed H.264/H.265 samples into the Annex B byte stream that MPEG-TS carries: start codes,
 * an access unit delimiter first (ISO/IEC 13818-1 2.14 requires one per H.264 access unit; HEVC likewise), and the
 * parameter sets from the codec private data before every keyframe so that each segment decodes on its own.
 */
final class AnnexB {

	private static final byte[] START_CODE = { 0, 0, 0, 1 };

	private final boolean hevc;

	private final int lengthSize;

	private final List<byte[]> parameterSets;

	private AnnexB(boolean hevc, int lengthSize, List<byte[]> parameterSets) {
		this.hevc = hevc;
		this.lengthSize = lengthSize;
		this.parameterSets = parameterSets;
	}

	/**
	 * @param codecPrivate an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), or the parameter sets as Annex B
	 * (a KVS producer without CPD adaptation sends them so); when empty or damaged, samples are taken to have 4-byte
	 * lengths and in-band parameter sets
	 */
	static AnnexB avc(ByteBuffer codecPrivate) {
		if (startCode(codecPrivate) > 0) {
			return new AnnexB(false, 4, bytes(startCodeDelimited(codecPrivate)));
		}
		ByteBuffer b = codecPrivate.duplicate();
		List<byte[]> sets = new ArrayList<>();
		int lengthSize = 4;
		try {
			if (b.remaining() >= 7) {
				b.position(b.position() + 4);
				lengthSize = (b.get() & 0x03) + 1;
				int sps = b.get() & 0x1F;
				for (int i = 0; i < sps; i++) {
					sets.add(bytes(b, b.getShort() & 0xFFFF));
				}
				int pps = b.get() & 0xFF;
				for (int i = 0; i < pps; i++) {
					sets.add(bytes(b, b.getShort() & 0xFFFF));
				}
			}
		}
		catch (RuntimeException ex) {
			// A truncated record: keep the parameter sets read so far; an in-band stream still plays.
		}
		return new AnnexB(false, lengthSize, List.copyOf(sets));
	}

	/**
	 * @param codecPrivate an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1); its VPS, SPS, PPS and any SEI
	 * arrays are inserted in their order
	 */
	static AnnexB hevc(ByteBuffer codecPrivate) {
		if (startCode(codecPrivate) > 0) {
			return new AnnexB(true, 4, bytes(startCodeDelimited(codecPrivate)));
		}
		ByteBuffer b = codecPrivate.duplicate();
		List<byte[]> sets = new ArrayList<>();
		int lengthSize = 4;
		try {
			if (b.remaining() >= 23) {
				b.position(b.position() + 21);
				lengthSize = (b.get() & 0x03) + 1;
				int arrays = b.get() & 0xFF;
				for (int i = 0; i < arrays; i++) {
					b.get();
					int count = b.getShort() & 0xFFFF;
					for (int j = 0; j < count; j++) {
						sets.add(bytes(b, b.getShort() & 0xFFFF));
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// As for AVC: use what was readable.
		}
		return new AnnexB(true, lengthSize, List.copyOf(sets));
	}

	/**
	 * @param sample one access unit, NAL units each preceded by a big-endian length; or already Annex B, as the KVS
	 * producer SDK sends frames when told to adapt AVCC NAL units to Annex B (developer guide, "NAL adaptation flags")
	 * @param keyframe whether to put the parameter sets in front (unless the sample carries its own)
	 * @return the access unit as Annex B: delimiter, parameter sets when needed, then the sample's NAL units
	 */
	byte[] accessUnit(ByteBuffer sample, boolean keyframe) {
		List<ByteBuffer> units = lengthPrefixed(sample, this.lengthSize);
		if (units == null) {
			units = startCodeDelimited(sample);
		}
		// The delimiter must come first, so an in-band one is replaced by ours.
		units.removeIf(unit -> type(unit.get(0)) == delimiterType());
		boolean inBandParameters = units.stream()
			.mapToInt(unit -> type(unit.get(0)))
			.anyMatch(type -> this.hevc ? (type == 32 || type == 33) : (type == 7));
		ByteArrayOutputStream out = new ByteArrayOutputStream(sample.remaining() + 64);
		out.writeBytes(START_CODE);
		// Any primary_pic_type / pic_type: the delimiter then never contradicts the slices that follow.
		out.writeBytes(this.hevc ? new byte[] { 0x46, 0x01, 0x50 } : new byte[] { 0x09, (byte) 0xF0 });
		if (keyframe && !inBandParameters) {
			for (byte[] set : this.parameterSets) {
				out.writeBytes(START_CODE);
				out.writeBytes(set);
			}
		}
		for (ByteBuffer unit : units) {
			out.writeBytes(START_CODE);
			byte[] bytes = new byte[unit.remaining()];
			unit.get(bytes);
			out.writeBytes(bytes);
		}
		return out.toByteArray();
	}

	/**
	 * @return the NAL units of a length-prefixed sample, or {@literal null} when the lengths do not add up to the
	 * sample but it starts with a start code (then it is Annex B); damaged samples are kept as far as they go
	 */
	private static @Nullable List<ByteBuffer> lengthPrefixed(ByteBuffer sample, int lengthSize) {
		List<ByteBuffer> units = new ArrayList<>();
		ByteBuffer b = sample.duplicate();
		boolean exact = true;
		while (b.remaining() > lengthSize) {
			long length = 0;
			for (int i = 0; i < lengthSize; i++) {
				length = (length << 8) | (b.get() & 0xFF);
			}
			if (length == 0) {
				continue;
			}
			if (length > b.remaining()) {
				// A damaged length: keep the rest as one unit rather than dropping the frame.
				exact = false;
				length = b.remaining();
			}
			units.add(b.slice(b.position(), (int) length));
			b.position(b.position() + (int) length);
		}
		exact &= !b.hasRemaining();
		return (exact || startCode(sample) == 0) ? units : null;
	}

	/** @return the NAL units between start codes, without the zero bytes that may precede a start code. */
	private static List<ByteBuffer> startCodeDelimited(ByteBuffer sample) {
		List<ByteBuffer> units = new ArrayList<>();
		int start = sample.position() + startCode(sample);
		int zeros = 0;
		for (int i = start; i < sample.limit(); i++) {
			int value = sample.get(i);
			if (value == 1 && zeros >= 2) {
				add(units, sample, start, i - zeros);
				start = i + 1;
				zeros = 0;
			}
			else {
				zeros = (value == 0) ? zeros + 1 : 0;
			}
		}
		add(units, sample, start, sample.limit() - zeros);
		return units;
	}

	private static void add(List<ByteBuffer> units, ByteBuffer sample, int from, int to) {
		if (to > from) {
			units.add(sample.slice(from, to - from));
		}
	}

	/** @return the length of the start code at the sample's start (3 or 4), or 0 when there is none. */
	private static int startCode(ByteBuffer sample) {
		int p = sample.position();
		int n = sample.remaining();
		if (n >= 3 && sample.get(p) == 0 && sample.get(p + 1) == 0 && sample.get(p + 2) == 1) {
			return 3;
		}
		if (n >= 4 && sample.get(p) == 0 && sample.get(p + 1) == 0 && sample.get(p + 2) == 0 && sample.get(p + 3) == 1) {
			return 4;
		}
		return 0;
	}

	private int type(byte header) {
		return this.hevc ? (header >> 1) & 0x3F : header & 0x1F;
	}

	private int delimiterType() {
		return this.hevc ? 35 : 9;
	}

	private static List<byte[]> bytes(List<ByteBuffer> units) {
		return units.stream().map(unit -> bytes(unit.duplicate(), unit.remaining())).toList();
	}

	private static byte[] bytes(ByteBuffer b, int length) {
		byte[] bytes = new byte[length];
		b.get(bytes);
		return bytes;
	}

}
