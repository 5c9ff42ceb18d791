package io.kvsgateway.ingest;

import java.nio.ByteBuffer;

/**
 * Makes a header read from a file fit for a live upload. A file (ffmpeg, mkvmerge) declares its Segment's size, which
 * counts Cues and other elements after the last Cluster that the gateway does not forward; upstream would then see
 * the Segment end early and refuse its last fragment. Live producers declare the size unknown, and so does the
 * forwarded header: the size field keeps its length, so no other byte moves.
 */
final class LiveHeaders {

	private static final int EBML = 0x1A45DFA3;

	private static final int SEGMENT = 0x18538067;

	private LiveHeaders() {
	}

	/**
	 * @param header the header bytes as read (EBML header, Segment start, ...); not changed
	 * @return the same bytes with the Segment's size set to unknown, or {@code header} itself when it already is or
	 * the layout is not the expected EBML-then-Segment
	 */
	static ByteBuffer withUnknownSegmentSize(ByteBuffer header) {
		ByteBuffer in = header.duplicate();
		int start = in.position();
		if (in.remaining() < 4 || in.getInt() != EBML) {
			return header;
		}
		long ebmlSize = vint(in);
		if (ebmlSize < 0 || ebmlSize > in.remaining()) {
			return header;
		}
		in.position(in.position() + (int) ebmlSize);
		if (in.remaining() < 4 || in.getInt() != SEGMENT || !in.hasRemaining()) {
			return header;
		}
		int sizeAt = in.position();
		int length = Integer.numberOfLeadingZeros(in.get(sizeAt) & 0xff) - 23;
		if (length < 1 || length > 8 || sizeAt + length > in.limit() || unknown(in, sizeAt, length)) {
			return header;
		}
		ByteBuffer copy = ByteBuffer.allocate(header.remaining());
		copy.put(header.duplicate()).flip();
		int at = sizeAt - start;
		copy.put(at, (byte) (0xFF >>> (length - 1)));
		for (int i = 1; i < length; i++) {
			copy.put(at + i, (byte) 0xFF);
		}
		return copy.asReadOnlyBuffer();
	}

	private static boolean unknown(ByteBuffer in, int at, int length) {
		if ((in.get(at) & 0xff) != (0xFF >>> (length - 1))) {
			return false;
		}
		for (int i = 1; i < length; i++) {
			if ((in.get(at + i) & 0xff) != 0xFF) {
				return false;
			}
		}
		return true;
	}

	/** @return the value of an EBML size at the buffer's position (advanced past it), or -1 when invalid */
	private static long vint(ByteBuffer in) {
		if (!in.hasRemaining()) {
			return -1;
		}
		int first = in.get() & 0xff;
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (length < 1 || length > 8 || in.remaining() < length - 1) {
			return -1;
		}
		long value = first & (0xFF >>> length);
		for (int i = 1; i < length; i++) {
			value = (value << 8) | (in.get() & 0xff);
		}
		return value;
	}

}
