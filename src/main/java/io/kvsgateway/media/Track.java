package io.kvsgateway.media;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * One Matroska TrackEntry: what a fragment's frames with this {@link #number()} are.
 *
 * @param number the TrackNumber that frames refer to, at least 1
 * @param uid the TrackUID, 0 when absent
 * @param type video, audio, or other
 * @param codecId the CodecID, for example {@code V_MPEG4/ISO/AVC}; never {@literal null}
 * @param codecPrivate the CodecPrivate bytes (read-only, empty when absent); KVS playback needs them for video
 * @param name the Name, empty when absent
 * @param video pixel dimensions, {@literal null} unless the entry has a Video element
 * @param audio sampling rate and channels, {@literal null} unless the entry has an Audio element
 */
public record Track(long number, long uid, Type type, String codecId, ByteBuffer codecPrivate, String name,
		@Nullable Video video, @Nullable Audio audio) {

	public Track {
		codecPrivate = codecPrivate.asReadOnlyBuffer();
	}

	/** @return a fresh read-only view of the codec private data, so that reading it never disturbs another reader. */
	@Override
	public ByteBuffer codecPrivate() {
		return this.codecPrivate.duplicate();
	}

	/** @return whether codec private data is present (KVS answers {@code MissingCodecPrivateDataException} otherwise). */
	public boolean hasCodecPrivate() {
		return this.codecPrivate.hasRemaining();
	}

	/** The TrackType of an entry. */
	public enum Type {

		/** TrackType 1. */
		VIDEO,

		/** TrackType 2. */
		AUDIO,

		/** Any other TrackType (subtitles, metadata, ...). */
		OTHER;

		static Type of(long trackType) {
			return (trackType == 1) ? VIDEO : (trackType == 2) ? AUDIO : OTHER;
		}

	}

	/**
	 * The Video element of a track.
	 *
	 * @param pixelWidth PixelWidth, 0 when absent
	 * @param pixelHeight PixelHeight, 0 when absent
	 */
	public record Video(long pixelWidth, long pixelHeight) {
	}

	/**
	 * The Audio element of a track.
	 *
	 * @param samplingFrequency SamplingFrequency in Hz (Matroska's default 8000 when absent)
	 * @param channels Channels (default 1)
	 */
	public record Audio(double samplingFrequency, long channels) {
	}

}
