package io.kvsgateway.media;

import org.jspecify.annotations.Nullable;

/**
 * The picture size from an H.264 (ITU-T H.264 7.3.2.1.1) or H.265 (ITU-T H.265 7.3.2.2) sequence parameter set, for
 * the sample entry when the Matroska track has no PixelWidth/PixelHeight.
 */
final class SpsDimensions {

	private final byte[] rbsp;

	private int bit;

	private SpsDimensions(byte[] rbsp) {
		this.rbsp = rbsp;
	}

	/**
	 * @param avcC an AVCDecoderConfigurationRecord
	 * @return {@code {width, height}} of its first SPS, or {@literal null} when it cannot be read
	 */
	static int @Nullable [] avc(byte[] avcC) {
		try {
			if (avcC.length < 8 || (avcC[5] & 0x1f) == 0) {
				return null;
			}
			int length = ((avcC[6] & 0xff) << 8) | (avcC[7] & 0xff);
			if (8 + length > avcC.length || length < 4) {
				return null;
			}
			return new SpsDimensions(unescape(avcC, 8 + 1, length - 1)).readAvc();
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

	/**
	 * @param hvcC an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1)
	 * @return {@code {width, height}} of its first SPS, or {@literal null} when it cannot be read
	 */
	static int @Nullable [] hevc(byte[] hvcC) {
		try {
			if (hvcC.length < 23) {
				return null;
			}
			int position = 23;
			for (int array = 0; array < (hvcC[22] & 0xff); array++) {
				int type = hvcC[position] & 0x3f;
				int count = ((hvcC[position + 1] & 0xff) << 8) | (hvcC[position + 2] & 0xff);
				position += 3;
				for (int i = 0; i < count; i++) {
					int length = ((hvcC[position] & 0xff) << 8) | (hvcC[position + 1] & 0xff);
					position += 2;
					if (type == 33 && length > 2) { // SPS_NUT; the NAL unit header is two bytes
						return new SpsDimensions(unescape(hvcC, position + 2, length - 2)).readHevc();
					}
					position += length;
				}
			}
			return null;
		}
		catch (IndexOutOfBoundsException ex) {
			return null;
		}
	}

	private int[] readHevc() {
		bits(4); // sps_video_parameter_set_id
		int maxSubLayersMinus1 = bits(3);
		bits(1); // sps_temporal_id_nesting_flag
		// profile_tier_level(1, sps_max_sub_layers_minus1): 88 bits of general profile, 8 of general level
		skip(96);
		boolean[] profilePresent = new boolean[maxSubLayersMinus1];
		boolean[] levelPresent = new boolean[maxSubLayersMinus1];
		for (int i = 0; i < maxSubLayersMinus1; i++) {
			profilePresent[i] = bits(1) == 1;
			levelPresent[i] = bits(1) == 1;
		}
		if (maxSubLayersMinus1 > 0) {
			skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
		}
		for (int i = 0; i < maxSubLayersMinus1; i++) {
			skip((profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
		}
		ue(); // sps_seq_parameter_set_id
		int chromaFormat = ue();
		if (chromaFormat == 3) {
			bits(1); // separate_colour_plane_flag
		}
		int width = ue();
		int height = ue();
		if (bits(1) == 1) { // conformance_window_flag
			int subWidth = (chromaFormat == 1 || chromaFormat == 2) ? 2 : 1;
			int subHeight = (chromaFormat == 1) ? 2 : 1;
			int left = ue();
			int right = ue();
			int top = ue();
			int bottom = ue();
			width -= subWidth * (left + right);
			height -= subHeight * (top + bottom);
		}
		return new int[] { width, height };
	}

	/** Skips bits; reading past the end afterwards fails like any short SPS. */
	private void skip(int count) {
		this.bit += count;
	}

	private int[] readAvc() {
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
