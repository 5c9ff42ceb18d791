package io.kvsgateway.media;

import java.util.List;
import java.util.Set;

/**
 * Packages {@link MediaFragment}s as fragmented MP4 (CMAF) without re-encoding: an init segment ({@code ftyp},
 * {@code moov}) per set of tracks and a media segment ({@code moof}, {@code mdat}) per fragment.
 * <p>
 * An init segment followed by the media segments of consecutive fragments, all for the same tracks, is a playable
 * MP4 file (what GetClip returns).
 */
public final class Fmp4Writer {

	private Fmp4Writer() {
	}

	/**
	 * @param tracks the tracks, each becoming one {@code trak} whose track ID is its Matroska track number
	 * @return the init segment
	 * @throws IllegalArgumentException when a track's codec is not H.264, H.265 or AAC, or lacks codec private data
	 */
	public static byte[] init(List<Track> tracks) {
		throw new UnsupportedOperationException("not yet written");
	}

	/**
	 * @param fragment the fragment's samples
	 * @param sequenceNumber the {@code mfhd} sequence number, at least 1
	 * @param trackNumbers the Matroska track numbers to include (the same set as the init segment's)
	 * @return one {@code moof} + {@code mdat}
	 */
	public static byte[] segment(MediaFragment fragment, long sequenceNumber, Set<Long> trackNumbers) {
		throw new UnsupportedOperationException("not yet written");
	}

	/**
	 * @param track a track entry
	 * @return the RFC 6381 codecs string for HLS {@code CODECS} and DASH {@code codecs}, e.g. {@code avc1.64001f},
	 * {@code hvc1.1.6.L93.B0}, {@code mp4a.40.2}
	 */
	public static String codecs(Track track) {
		throw new UnsupportedOperationException("not yet written");
	}

	/**
	 * @param track a track entry
	 * @return the timescale (ticks per second) the track's {@code mdhd}, {@code tfdt} and {@code trun} use
	 */
	public static long timescale(Track track) {
		throw new UnsupportedOperationException("not yet written");
	}

}
