package io.kvsgateway.media;

import org.jspecify.annotations.Nullable;

/**
 * The picture size from an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), for the sample entry when the
 * Matroska track has no PixelWidth/PixelHeight.
 */
final class AvcSps {

	private final byte[] rbsp;

	private int bit;

	private AvcSps(byte[] rbsp) {
		this.rbsp = rbsp;
	}

	/**
	 * @param avcC an AVCDecoderConfigurationRecord
	 * @return {@code {width, height}} of its first SPS, or {@literal null} when it cannot be read
	 */
	static int @Nullable [] dimensions(byte[] avcC) {
		try {
			if (avcC.length < 8 || (avcC[5] & 0x1f) == 0) {
				return null;
			}
			int length = ((avcC[6] & 0xff) << 8) | (avcC[7] & 0xff);
			if (8 + length > avcC.length || length < 4) {
				return null;
			}
			return new AvcSps(unescape(avcC, 8 + 1, length - 1)).read();
		}
		catch (IndexOutOfBoundsException ex) {
			return null;
		}
	}

	/** Drops emulation prevention bytes (00 00 03 → 00 00). */
	private static byte[] unescape(byte[] nal, int offset, int length) {
		byte[] out = new byte[length];
		int n = 0;
		int zeros = 0;
		for (int i = offset; i < offset + length; i++) {
			int b = nal[i] & 0xff;
			if (zeros >= 2 && b == 3) {
				zeros = 0;
				continue;
			}
			zeros = (b == 0) ? zeros + 1 : 0;
			out[n++] = (byte) b;
		}
		return java.util.Arrays.copyOf(out, n);
	}

	private int[] read() {
		int profile = bits(8);
		bits(16); // constraint flags, level_idc
		ue(); // seq_parameter_set_id
		int chromaFormat = 1;
		boolean separateColourPlanes = false;
		if (java.util.Set.of(100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135).contains(profile)) {
			chromaFormat = ue();
			if (chromaFormat == 3) {
				separateColourPlanes = bits(1) == 1;
			}
			ue(); // bit_depth_luma_minus8
			ue(); // bit_depth_chroma_minus8
			bits(1); // qpprime_y_zero_transform_bypass_flag
			if (bits(1) == 1) { // seq_scaling_matrix_present_flag
				for (int i = 0; i < ((chromaFormat != 3) ? 8 : 12); i++) {
					if (bits(1) == 1) {
						skipScalingList((i < 6) ? 16 : 64);
					}
				}
			}
		}
		ue(); // log2_max_frame_num_minus4
		int pocType = ue();
		if (pocType == 0) {
			ue();
		}
		else if (pocType == 1) {
			bits(1);
			se();
			se();
			int cycle = ue();
			for (int i = 0; i < cycle; i++) {
				se();
			}
		}
		ue(); // max_num_ref_frames
		bits(1); // gaps_in_frame_num_value_allowed_flag
		int widthInMbs = ue() + 1;
		int heightInMapUnits = ue() + 1;
		int frameMbsOnly = bits(1);
		if (frameMbsOnly == 0) {
			bits(1); // mb_adaptive_frame_field_flag
		}
		bits(1); // direct_8x8_inference_flag
		int width = widthInMbs * 16;
		int height = (2 - frameMbsOnly) * heightInMapUnits * 16;
		if (bits(1) == 1) { // frame_cropping_flag
			int arrayType = separateColourPlanes ? 0 : chromaFormat;
			int cropX = (arrayType == 0) ? 1 : (arrayType == 3) ? 1 : 2;
			int cropY = ((arrayType == 0) ? 1 : (arrayType == 1) ? 2 : 1) * (2 - frameMbsOnly);
			int left = ue();
			int right = ue();
			int top = ue();
			int bottom = ue();
			width -= (left + right) * cropX;
			height -= (top + bottom) * cropY;
		}
		return new int[] { width, height };
	}

	private void skipScalingList(int size) {
		int last = 8;
		int next = 8;
		for (int j = 0; j < size && next != 0; j++) {
			next = (last + se() + 256) % 256;
			last = (next == 0) ? last : next;
		}
	}

	private int bits(int count) {
		int value = 0;
		for (int i = 0; i < count; i++) {
			int b = (this.rbsp[this.bit >>> 3] >>> (7 - (this.bit & 7))) & 1;
			value = (value << 1) | b;
			this.bit++;
		}
		return value;
	}

	private int ue() {
		int zeros = 0;
		while (bits(1) == 0) {
			if (++zeros > 31) {
				throw new IndexOutOfBoundsException("bad Exp-Golomb code");
			}
		}
		return (int) ((1L << zeros) - 1 + ((zeros > 0) ? Integer.toUnsignedLong(bits(zeros)) : 0));
	}

	private int se() {
		int k = ue();
		return ((k & 1) == 1) ? (k + 1) / 2 : -(k / 2);
	}

}
