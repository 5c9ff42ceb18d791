package io.kvsgateway.media;

/**
 * Packages {@link MediaFragment}s as MPEG-2 transport stream segments without re-encoding, for HLS
 * {@code ContainerFormat=MPEG_TS}: every track of the fragment muxed into one segment.
 */
public final class TsWriter {

	private TsWriter() {
	}

	/**
	 * @param fragment the fragment's samples (H.264, H.265 and AAC tracks; others are left out)
	 * @param sequenceNumber the segment's position in its playlist, used to continue continuity counters
	 * @return a whole number of 188-byte TS packets, starting with PAT and PMT
	 */
	public static byte[] segment(MediaFragment fragment, long sequenceNumber) {
		throw new UnsupportedOperationException("not yet written");
	}

}
