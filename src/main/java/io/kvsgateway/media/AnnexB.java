package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

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
	 * @param codecPrivate an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1); when empty or damaged, samples
	 * are taken to have 4-byte lengths and in-band parameter sets
	 */
	static AnnexB avc(ByteBuffer codecPrivate) {
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
	 * @param sample one access unit, NAL units each preceded by a big-endian length
	 * @param keyframe whether to put the parameter sets in front (unless the sample carries its own)
	 * @return the access unit as Annex B: delimiter, parameter sets when needed, then the sample's NAL units
	 */
	byte[] accessUnit(ByteBuffer sample, boolean keyframe) {
		List<ByteBuffer> units = new ArrayList<>();
		boolean inBandParameters = false;
		ByteBuffer b = sample.duplicate();
		while (b.remaining() > this.lengthSize) {
			long length = 0;
			for (int i = 0; i < this.lengthSize; i++) {
				length = (length << 8) | (b.get() & 0xFF);
			}
			if (length == 0) {
				continue;
			}
			if (length > b.remaining()) {
				// A damaged length: keep the rest as one unit rather than dropping the frame.
				length = b.remaining();
			}
			ByteBuffer unit = b.slice(b.position(), (int) length);
			b.position(b.position() + (int) length);
			int type = type(unit.get(0));
			if (type == delimiterType()) {
				continue;
			}
			inBandParameters |= this.hevc ? (type == 32 || type == 33) : (type == 7);
			units.add(unit);
		}
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

	private int type(byte header) {
		return this.hevc ? (header >> 1) & 0x3F : header & 0x1F;
	}

	private int delimiterType() {
		return this.hevc ? 35 : 9;
	}

	private static byte[] bytes(ByteBuffer b, int length) {
		byte[] bytes = new byte[length];
		b.get(bytes);
		return bytes;
	}

}
