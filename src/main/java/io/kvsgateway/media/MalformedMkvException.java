package io.kvsgateway.media;

import java.io.IOException;

/**
 * The input is not Matroska this reader can accept; {@link #reason()} says why and {@link #offset()} where.
 *
 * <p>It extends {@link IOException} because, like a broken connection, it ends the stream: a caller reading a socket
 * handles both in one place, and can still tell them apart by type (KVS answers the first with ACK 4006
 * {@code INVALID_MKV_DATA}, or 4001 when {@link Reason#TOO_LARGE} hits the fragment limit).
 */
public final class MalformedMkvException extends IOException {

	private static final long serialVersionUID = 1L;

	private final Reason reason;

	private final long offset;

	MalformedMkvException(Reason reason, long offset, String detail) {
		super(reason + " at byte " + offset + ": " + detail);
		this.reason = reason;
		this.offset = offset;
	}

	/** @return why the input was refused; never {@literal null}. */
	public Reason reason() {
		return this.reason;
	}

	/** @return the stream offset (bytes from the start of the input) at which the problem was found. */
	public long offset() {
		return this.offset;
	}

	/** Why an input was refused. */
	public enum Reason {

		/** An element ID or size is not a valid EBML variable-size integer (too long, or a leading zero byte). */
		BAD_VINT,

		/** An element claims more bytes than its parent has left. */
		IMPOSSIBLE_SIZE,

		/** An element appears where Matroska does not allow it (a Segment inside a Segment, a Cluster first). */
		WRONG_NESTING,

		/** A mandatory element is missing (a Cluster without Timecode, a track without TrackNumber). */
		MISSING_ELEMENT,

		/** An element has a value out of its range (a zero TimecodeScale, an 9-byte integer). */
		BAD_VALUE,

		/** A laced block whose frame sizes do not add up. */
		BAD_LACING,

		/** The input ended inside an element. */
		TRUNCATED,

		/** An element or fragment is larger than the limits the reader was given. */
		TOO_LARGE,

		/** Valid EBML this reader does not handle: another DocType, or an unknown size on an element other than Segment and Cluster. */
		UNSUPPORTED

	}

}
