package io.kvsgateway.media;

import java.nio.ByteBuffer;

/**
 * Frames raw AAC access units as ADTS (ISO/IEC 13818-7 / 14496-3 1.A.2), the form MPEG-TS stream type 0x0F carries,
 * with the profile, sampling frequency index and channel configuration of the track's AudioSpecificConfig.
 *
 * @param profile the ADTS profile, the audio object type minus one (1 for AAC LC)
 * @param frequencyIndex the sampling frequency index (of the core codec for HE-AAC, which ADTS signals implicitly)
 * @param channels the channel configuration
 */
record Adts(int profile, int frequencyIndex, int channels) {

	private static final int[] FREQUENCIES = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
			11025, 8000, 7350 };

	static final int HEADER_LENGTH = 7;

	/**
	 * @param track an AAC track; its AudioSpecificConfig when present, else its Audio element with AAC LC
	 */
	static Adts of(Track track) {
		ByteBuffer config = track.codecPrivate();
		if (config.remaining() >= 2) {
			Bits bits = new Bits(config);
			int objectType = bits.objectType();
			int frequencyIndex = bits.frequencyIndex();
			int channels = bits.read(4);
			// Explicit SBR/PS signalling (object type 5 or 29): the underlying object type and core rate follow.
			if (objectType == 5 || objectType == 29) {
				bits.frequencyIndex();
				objectType = bits.objectType();
			}
			return new Adts(Math.clamp(objectType - 1, 0, 3), frequencyIndex, channels & 0x07);
		}
		Track.Audio audio = track.audio();
		double frequency = (audio != null) ? audio.samplingFrequency() : 48000;
		long channels = (audio != null) ? audio.channels() : 2;
		return new Adts(1, nearestIndex((int) frequency), (int) Math.clamp(channels, 1, 7));
	}

	/** @return the 7-byte header (no CRC) for a raw frame of {@code payloadLength} bytes. */
	byte[] header(int payloadLength) {
		int length = Math.min(payloadLength + HEADER_LENGTH, 0x1FFF);
		return new byte[] { (byte) 0xFF, (byte) 0xF1,
				(byte) ((this.profile << 6) | (this.frequencyIndex << 2) | ((this.channels >> 2) & 0x01)),
				(byte) (((this.channels & 0x03) << 6) | (length >> 11)), (byte) (length >> 3),
				(byte) (((length & 0x07) << 5) | 0x1F), (byte) 0xFC };
	}

	static int nearestIndex(int frequency) {
		int best = 0;
		for (int i = 1; i < FREQUENCIES.length; i++) {
			if (Math.abs(FREQUENCIES[i] - frequency) < Math.abs(FREQUENCIES[best] - frequency)) {
				best = i;
			}
		}
		return best;
	}

	/** Reads the AudioSpecificConfig's leading fields, MSB first. */
	private static final class Bits {

		private final ByteBuffer buffer;

		private int bit;

		Bits(ByteBuffer buffer) {
			this.buffer = buffer;
		}

		int read(int count) {
			int value = 0;
			for (int i = 0; i < count; i++) {
				int index = this.buffer.position() + (this.bit >> 3);
				int b = (index < this.buffer.limit()) ? this.buffer.get(index) : 0;
				value = (value << 1) | ((b >> (7 - (this.bit & 7))) & 1);
				this.bit++;
			}
			return value;
		}

		int objectType() {
			int type = read(5);
			return (type == 31) ? 32 + read(6) : type;
		}

		int frequencyIndex() {
			int index = read(4);
			return (index == 15) ? nearestIndex(read(24)) : index;
		}

	}

}
