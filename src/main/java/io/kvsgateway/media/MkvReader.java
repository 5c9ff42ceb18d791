package io.kvsgateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.kvsgateway.media.MalformedMkvException.Reason;
import io.kvsgateway.media.MkvEvent.ClusterEnded;
import io.kvsgateway.media.MkvEvent.ClusterStarted;
import io.kvsgateway.media.MkvEvent.Frame;
import io.kvsgateway.media.MkvEvent.HeaderEnded;
import io.kvsgateway.media.MkvEvent.InfoRead;
import io.kvsgateway.media.MkvEvent.SegmentEnded;
import io.kvsgateway.media.MkvEvent.SegmentStarted;
import io.kvsgateway.media.MkvEvent.TagsRead;
import io.kvsgateway.media.MkvEvent.TracksRead;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Matroska stream (a PutMedia body, a GetMedia response, an MKV file) as it arrives, one event at a time.
 *
 * <pre>{@code
 * MkvReader reader = new MkvReader(request.getInputStream(), MkvReader.Limits.KVS);
 * for (MkvEvent event; (event = reader.next()) != null;) {
 *     switch (event) {
 *         case ClusterStarted started -> ackBuffering(started.timecode());
 *         case ClusterEnded cluster -> store(cluster.raw());
 *         case TagsRead tags when tags.endOfFragment() -> ackReceived();
 *         default -> { }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Why a pull API.</b> The caller owns the loop, so it can stop, apply back-pressure or interleave ACK writes
 * between events without the reader calling back into it, and a sealed event hierarchy lets {@code switch} check
 * that every case is handled. A visitor would invert that control and hide the reading thread's state.
 *
 * <p><b>Memory.</b> The reader buffers at most one unit at a time: the header (EBML header to first Cluster,
 * {@link Limits#maxHeaderBytes()}), one Cluster ({@link Limits#maxClusterBytes()}), or one Tags element
 * ({@link Limits#maxTagsBytes()}), plus a fixed 64 KiB read-ahead buffer. Other top-level elements (Cues, SeekHead,
 * Chapters after the first Cluster) are skipped without being stored. Every declared size is checked against the
 * limits and the enclosing element before anything is allocated for it.
 *
 * <p><b>Blocking.</b> {@code next()} reads only as many bytes as the next event needs; it never waits for more
 * input than that, so a {@link ClusterStarted} is reported while the rest of its Cluster is still on the wire.
 *
 * <p>Instances are not thread-safe; use one per stream.
 */
public final class MkvReader {

	// Element IDs (with their VINT marker bits, as they appear on the wire).
	static final int EBML = 0x1A45DFA3;
	static final int DOC_TYPE = 0x4282;
	static final int SEGMENT = 0x18538067;
	static final int SEEK_HEAD = 0x114D9B74;
	static final int INFO = 0x1549A966;
	static final int TIMECODE_SCALE = 0x2AD7B1;
	static final int TRACKS = 0x1654AE6B;
	static final int TRACK_ENTRY = 0xAE;
	static final int TRACK_NUMBER = 0xD7;
	static final int TRACK_UID = 0x73C5;
	static final int TRACK_TYPE = 0x83;
	static final int CODEC_ID = 0x86;
	static final int CODEC_PRIVATE = 0x63A2;
	static final int NAME = 0x536E;
	static final int VIDEO = 0xE0;
	static final int PIXEL_WIDTH = 0xB0;
	static final int PIXEL_HEIGHT = 0xBA;
	static final int AUDIO = 0xE1;
	static final int SAMPLING_FREQUENCY = 0xB5;
	static final int CHANNELS = 0x9F;
	static final int CLUSTER = 0x1F43B675;
	static final int TIMECODE = 0xE7;
	static final int SIMPLE_BLOCK = 0xA3;
	static final int BLOCK_GROUP = 0xA0;
	static final int BLOCK = 0xA1;
	static final int REFERENCE_BLOCK = 0xFB;
	static final int CUES = 0x1C53BB6B;
	static final int CHAPTERS = 0x1043A770;
	static final int ATTACHMENTS = 0x1941A469;
	static final int TAGS = 0x1254C367;
	static final int TAG = 0x7373;
	static final int SIMPLE_TAG = 0x67C8;
	static final int TAG_NAME = 0x45A3;
	static final int TAG_STRING = 0x4487;
	static final int CRC32 = 0xBF;
	static final int VOID = 0xEC;

	private static final int READ_AHEAD = 64 * 1024;

	private static final int MAX_TAG_DEPTH = 8;

	private static final int EMPTY_READS_BEFORE_FAILING = 1024;

	private enum State {

		TOP, AFTER_EBML_HEADER, SEGMENT, CLUSTER, DONE

	}

	private final InputStream in;

	private final Limits limits;

	private final byte[] readAhead = new byte[READ_AHEAD];

	private int readPos;

	private int readLimit;

	private boolean eof;

	/** Stream offset of the next byte to be consumed. */
	private long position;

	private final ArrayDeque<MkvEvent> events = new ArrayDeque<>();

	private State state = State.TOP;

	// The element header just read from the stream; "pending" when one state read it and hands it to the next.
	private int id;

	private int idLength;

	private long size;

	private int sizeLength;

	private boolean unknownSize;

	private long elementOffset;

	private boolean pending;

	// The unit being buffered: the header, a Cluster or a Tags element. A new array per unit, never reused, so
	// that views handed out in events stay valid.
	private byte[] unit = new byte[0];

	private int unitLength;

	private int unitLimit;

	private String docType = "matroska";

	private long headerStart;

	private long segmentEnd;

	private boolean headerOpen;

	private long clusterEnd;

	private long clusterOffset;

	private long clusterTimecode;

	private boolean clusterStarted;

	private List<Frame> clusterFrames = new ArrayList<>();

	private int previousClusterLength = 64 << 10;

	// Child element header parsed from a buffered unit.
	private int childId;

	private int childData;

	private int childEnd;

	private final int[] laceSizes = new int[256];

	/**
	 * Creates a reader of the given stream.
	 * @param in the stream; may deliver one byte at a time and block; must not be {@literal null}
	 * @param limits the size limits; must not be {@literal null}
	 */
	public MkvReader(InputStream in, Limits limits) {
		this.in = in;
		this.limits = limits;
	}

	/**
	 * Creates a reader with the KVS limits ({@link Limits#KVS}).
	 * @param in the stream; must not be {@literal null}
	 * @return will never be {@literal null}
	 */
	public static MkvReader of(InputStream in) {
		return new MkvReader(in, Limits.KVS);
	}

	/**
	 * Reads until the next event.
	 * @return the next event, or {@literal null} once the input has ended cleanly (at a top-level element boundary,
	 * or inside an unknown-size Segment)
	 * @throws MalformedMkvException when the input is not acceptable Matroska; the reader must not be used again
	 * @throws IOException when the stream fails
	 */
	public @Nullable MkvEvent next() throws IOException {
		while (this.events.isEmpty()) {
			switch (this.state) {
				case TOP -> top();
				case AFTER_EBML_HEADER -> afterEbmlHeader();
				case SEGMENT -> segment();
				case CLUSTER -> cluster();
				case DONE -> {
					return null;
				}
			}
		}
		return this.events.poll();
	}

	/** @return the number of bytes consumed from the stream so far. */
	public long position() {
		return this.position;
	}

	// ---- states

	private void top() throws IOException {
		if (!nextHeader()) {
			this.state = State.DONE;
			return;
		}
		if (this.id == EBML) {
			requireKnownSize();
			startUnit(this.limits.maxHeaderBytes(), 16 << 10);
			this.headerOpen = true;
			this.headerStart = this.elementOffset;
			int data = recordElement();
			this.docType = parseEbmlHeader(data, this.unitLength);
			this.state = State.AFTER_EBML_HEADER;
		}
		else if (this.id == VOID || this.id == CRC32) {
			requireKnownSize();
			skip(this.size);
		}
		else {
			throw malformed(Reason.WRONG_NESTING, "expected an EBML header, found element " + hex(this.id));
		}
	}

	private void afterEbmlHeader() throws IOException {
		if (!nextHeader()) {
			throw malformed(Reason.TRUNCATED, "input ended after the EBML header, before the Segment");
		}
		if (this.id == SEGMENT) {
			recordHeader();
			this.segmentEnd = this.unknownSize ? -1 : this.position + this.size;
			this.events.add(new SegmentStarted(this.docType, this.unknownSize ? -1 : this.size, this.headerStart));
			this.state = State.SEGMENT;
		}
		else if (this.id == VOID || this.id == CRC32) {
			requireKnownSize();
			recordElement();
		}
		else {
			throw malformed(Reason.WRONG_NESTING, "expected a Segment after the EBML header, found " + hex(this.id));
		}
	}

	private void segment() throws IOException {
		if (!this.pending && this.segmentEnd >= 0 && this.position == this.segmentEnd) {
			endSegment();
			return;
		}
		if (!nextHeader()) {
			if (this.segmentEnd >= 0) {
				throw malformed(Reason.TRUNCATED, "input ended " + (this.segmentEnd - this.position)
						+ " bytes before the end of the Segment");
			}
			endSegment();
			this.state = State.DONE;
			return;
		}
		if (this.id == EBML || this.id == SEGMENT) {
			if (this.segmentEnd >= 0 || this.id == SEGMENT) {
				throw malformed(Reason.WRONG_NESTING, hex(this.id) + " inside a Segment");
			}
			this.pending = true;
			endSegment();
			return;
		}
		if (this.unknownSize && this.id != CLUSTER) {
			throw malformed(Reason.UNSUPPORTED, "unknown size on element " + hex(this.id));
		}
		if (this.segmentEnd >= 0 && !this.unknownSize && this.position + this.size > this.segmentEnd) {
			throw malformed(Reason.IMPOSSIBLE_SIZE, "element " + hex(this.id) + " of " + this.size
					+ " bytes overruns its Segment by " + (this.position + this.size - this.segmentEnd));
		}
		switch (this.id) {
			case CLUSTER -> startCluster();
			case INFO, TRACKS -> {
				if (!this.headerOpen) {
					startUnit(this.limits.maxHeaderBytes(), 16 << 10);
				}
				int data = recordElement();
				if (this.id == INFO) {
					this.events.add(new InfoRead(parseInfo(data, this.unitLength)));
				}
				else {
					this.events.add(new TracksRead(parseTracks(data, this.unitLength)));
				}
			}
			case TAGS -> {
				int start = this.headerOpen ? this.unitLength : 0;
				if (!this.headerOpen) {
					startUnit(this.limits.maxTagsBytes(), 1024);
				}
				int data = recordElement();
				List<SimpleTag> tags = new ArrayList<>();
				parseTags(data, this.unitLength, tags);
				this.events.add(new TagsRead(tags, ByteBuffer.wrap(this.unit, start, this.unitLength - start)));
			}
			default -> {
				// SeekHead, Cues, Chapters, Attachments, Void, CRC-32, unknown: part of the header bytes when they
				// come before the first Cluster, otherwise skipped without being stored.
				if (this.headerOpen) {
					recordElement();
				}
				else {
					skip(this.size);
				}
			}
		}
	}

	private void cluster() throws IOException {
		if (this.clusterEnd >= 0 && this.position == this.clusterEnd) {
			endCluster();
			return;
		}
		if (this.clusterEnd < 0 && this.segmentEnd >= 0 && this.position == this.segmentEnd) {
			endCluster();
			return;
		}
		if (!nextHeader()) {
			if (this.clusterEnd >= 0) {
				throw malformed(Reason.TRUNCATED, "input ended " + (this.clusterEnd - this.position)
						+ " bytes before the end of the Cluster at " + this.clusterOffset);
			}
			endCluster();
			return;
		}
		if (isTopLevel(this.id)) {
			if (this.clusterEnd >= 0) {
				throw malformed(Reason.WRONG_NESTING, "top-level element " + hex(this.id) + " inside a Cluster");
			}
			this.pending = true;
			endCluster();
			return;
		}
		if (this.unknownSize) {
			throw malformed(Reason.UNSUPPORTED, "unknown size on Cluster child " + hex(this.id));
		}
		long end = (this.clusterEnd >= 0) ? this.clusterEnd : this.segmentEnd;
		if (end >= 0 && this.position + this.size > end) {
			throw malformed(Reason.IMPOSSIBLE_SIZE, "Cluster child " + hex(this.id) + " of " + this.size
					+ " bytes overruns its parent by " + (this.position + this.size - end));
		}
		int data = recordElement();
		switch (this.id) {
			case TIMECODE -> {
				if (!this.clusterStarted) {
					this.clusterTimecode = readUnsigned(data, this.unitLength);
					this.clusterStarted = true;
					this.events.add(new ClusterStarted(this.clusterTimecode, this.clusterOffset));
				}
			}
			case SIMPLE_BLOCK -> {
				requireClusterStarted();
				parseBlock(data, this.unitLength, true, false);
			}
			case BLOCK_GROUP -> {
				requireClusterStarted();
				parseBlockGroup(data, this.unitLength);
			}
			default -> {
				// CRC-32, Void, Position, PrevSize, SilentTracks, EncryptedBlock: kept in the raw bytes only.
			}
		}
	}

	private void startCluster() throws IOException {
		if (this.headerOpen) {
			this.headerOpen = false;
			this.events.add(new HeaderEnded(ByteBuffer.wrap(this.unit, 0, this.unitLength)));
		}
		int max = this.limits.maxClusterBytes();
		if (!this.unknownSize && this.idLength + this.sizeLength + this.size > max) {
			throw malformed(Reason.TOO_LARGE, "Cluster of " + this.size + " bytes exceeds the limit of " + max);
		}
		// Known size: one array for the whole Cluster when that is plausible. Unknown size: live fragments are much
		// alike, so start a little above the previous Cluster's size and grow from there.
		startUnit(max, this.unknownSize ? Math.max(16 << 10, this.previousClusterLength + (this.previousClusterLength >> 2))
				: (int) Math.min(this.size + 16, 8 << 20));
		recordHeader();
		this.clusterOffset = this.elementOffset;
		this.clusterEnd = this.unknownSize ? -1 : this.position + this.size;
		this.clusterStarted = false;
		this.clusterFrames = new ArrayList<>();
		this.state = State.CLUSTER;
	}

	private void endCluster() throws MalformedMkvException {
		if (!this.clusterStarted) {
			throw malformed(Reason.MISSING_ELEMENT, "Cluster at " + this.clusterOffset + " has no Timecode");
		}
		this.events.add(new ClusterEnded(this.clusterTimecode, this.clusterOffset, this.clusterFrames,
				ByteBuffer.wrap(this.unit, 0, this.unitLength)));
		this.previousClusterLength = Math.min(this.unitLength, 8 << 20);
		this.state = State.SEGMENT;
	}

	private void endSegment() {
		if (this.headerOpen) {
			this.headerOpen = false;
			this.events.add(new HeaderEnded(ByteBuffer.wrap(this.unit, 0, this.unitLength)));
		}
		this.events.add(new SegmentEnded(this.position));
		this.state = State.TOP;
	}

	private void requireClusterStarted() throws MalformedMkvException {
		if (!this.clusterStarted) {
			throw malformed(Reason.MISSING_ELEMENT, "block before the Timecode of the Cluster at " + this.clusterOffset);
		}
	}

	private void requireKnownSize() throws MalformedMkvException {
		if (this.unknownSize) {
			throw malformed(Reason.UNSUPPORTED, "unknown size on element " + hex(this.id));
		}
	}

	private static boolean isTopLevel(int id) {
		return switch (id) {
			case CLUSTER, TAGS, CUES, INFO, TRACKS, SEEK_HEAD, CHAPTERS, ATTACHMENTS, EBML, SEGMENT -> true;
			default -> false;
		};
	}

	// ---- stream input

	/** Reads an element header into the fields; false on a clean end of input before its first byte. */
	private boolean nextHeader() throws IOException {
		if (this.pending) {
			this.pending = false;
			return true;
		}
		this.elementOffset = this.position;
		int first = readByte();
		if (first < 0) {
			return false;
		}
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (first == 0 || length > 4) {
			throw malformed(Reason.BAD_VINT, "element ID starting with " + hex(first));
		}
		int value = first;
		for (int i = 1; i < length; i++) {
			value = (value << 8) | requireByte();
		}
		this.id = value;
		this.idLength = length;
		int sizeFirst = requireByte();
		if (sizeFirst == 0) {
			throw malformed(Reason.BAD_VINT, "element size longer than 8 bytes");
		}
		int sizeLength = Integer.numberOfLeadingZeros(sizeFirst) - 23;
		int mask = 0xFF >> sizeLength;
		long size = sizeFirst & mask;
		boolean allOnes = size == mask;
		for (int i = 1; i < sizeLength; i++) {
			int b = requireByte();
			size = (size << 8) | b;
			allOnes &= b == 0xFF;
		}
		this.size = size;
		this.sizeLength = sizeLength;
		this.unknownSize = allOnes;
		return true;
	}

	private int readByte() throws IOException {
		if (this.readPos == this.readLimit && !fill()) {
			return -1;
		}
		this.position++;
		return this.readAhead[this.readPos++] & 0xFF;
	}

	private int requireByte() throws IOException {
		int b = readByte();
		if (b < 0) {
			throw malformed(Reason.TRUNCATED, "input ended inside an element header");
		}
		return b;
	}

	private boolean fill() throws IOException {
		if (this.eof) {
			return false;
		}
		for (int attempt = 0; attempt < EMPTY_READS_BEFORE_FAILING; attempt++) {
			int n = this.in.read(this.readAhead, 0, READ_AHEAD);
			if (n > 0) {
				this.readPos = 0;
				this.readLimit = n;
				return true;
			}
			if (n < 0) {
				this.eof = true;
				return false;
			}
		}
		throw new IOException("input stream returned no bytes " + EMPTY_READS_BEFORE_FAILING + " times in a row");
	}

	/** Copies exactly {@code length} stream bytes into {@code target}. */
	private void readFully(byte[] target, int offset, int length) throws IOException {
		int buffered = Math.min(length, this.readLimit - this.readPos);
		System.arraycopy(this.readAhead, this.readPos, target, offset, buffered);
		this.readPos += buffered;
		this.position += buffered;
		int done = buffered;
		while (done < length) {
			int remaining = length - done;
			if (remaining >= READ_AHEAD) {
				// Large payloads go straight into the unit, without passing through the read-ahead buffer.
				int n = this.eof ? -1 : this.in.read(target, offset + done, remaining);
				if (n < 0) {
					this.eof = true;
					throw malformed(Reason.TRUNCATED, "input ended " + remaining + " bytes before the end of an element");
				}
				done += n;
				this.position += n;
			}
			else {
				if (!fill()) {
					throw malformed(Reason.TRUNCATED, "input ended " + remaining + " bytes before the end of an element");
				}
				int n = Math.min(remaining, this.readLimit);
				System.arraycopy(this.readAhead, 0, target, offset + done, n);
				this.readPos = n;
				this.position += n;
				done += n;
			}
		}
	}

	private void skip(long length) throws IOException {
		long remaining = length;
		while (remaining > 0) {
			if (this.readPos == this.readLimit && !fill()) {
				throw malformed(Reason.TRUNCATED, "input ended " + remaining + " bytes before the end of an element");
			}
			int n = (int) Math.min(remaining, this.readLimit - this.readPos);
			this.readPos += n;
			this.position += n;
			remaining -= n;
		}
	}

	// ---- the unit buffer

	private void startUnit(int limit, int initialCapacity) {
		this.unit = new byte[Math.min(limit, initialCapacity)];
		this.unitLength = 0;
		this.unitLimit = limit;
	}

	private void reserve(long extra) throws MalformedMkvException {
		long needed = this.unitLength + extra;
		if (needed > this.unitLimit) {
			throw malformed(Reason.TOO_LARGE, "element of " + extra + " bytes takes the buffered unit past its limit of " + this.unitLimit);
		}
		if (needed > this.unit.length) {
			// Only after the limit check: a declared size is an untrusted claim.
			long grown = Math.max(needed, Math.min((long) this.unit.length * 2, this.unitLimit));
			byte[] bigger = new byte[(int) grown];
			System.arraycopy(this.unit, 0, bigger, 0, this.unitLength);
			this.unit = bigger;
		}
	}

	/** Appends the current element header to the unit. */
	private void recordHeader() throws MalformedMkvException {
		reserve(this.idLength + this.sizeLength);
		byte[] u = this.unit;
		int p = this.unitLength;
		for (int shift = (this.idLength - 1) * 8; shift >= 0; shift -= 8) {
			u[p++] = (byte) (this.id >>> shift);
		}
		// The size VINT exactly as sent: marker bit, then the value (all ones when unknown).
		long encoded = this.size | (1L << (7 * this.sizeLength));
		for (int shift = (this.sizeLength - 1) * 8; shift >= 0; shift -= 8) {
			u[p++] = (byte) (encoded >>> shift);
		}
		this.unitLength = p;
	}

	/** Appends the current element, header and data, to the unit; returns the offset of its data in the unit. */
	private int recordElement() throws IOException {
		recordHeader();
		reserve(this.size);
		int data = this.unitLength;
		readFully(this.unit, data, (int) this.size);
		this.unitLength = data + (int) this.size;
		return data;
	}

	// ---- parsing buffered elements

	/** Reads the child element header at {@code p}; sets childId, childData, childEnd. */
	private void child(byte[] a, int p, int end) throws MalformedMkvException {
		if (p >= end) {
			throw malformed(Reason.TRUNCATED, "element header past the end of its parent");
		}
		int first = a[p] & 0xFF;
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (first == 0 || length > 4) {
			throw malformed(Reason.BAD_VINT, "element ID starting with " + hex(first));
		}
		if (p + length >= end) {
			throw malformed(Reason.IMPOSSIBLE_SIZE, "element header past the end of its parent");
		}
		int value = first;
		for (int i = 1; i < length; i++) {
			value = (value << 8) | (a[p + i] & 0xFF);
		}
		p += length;
		int sizeFirst = a[p] & 0xFF;
		if (sizeFirst == 0) {
			throw malformed(Reason.BAD_VINT, "element size longer than 8 bytes");
		}
		int sizeLength = Integer.numberOfLeadingZeros(sizeFirst) - 23;
		if (p + sizeLength > end) {
			throw malformed(Reason.IMPOSSIBLE_SIZE, "element header past the end of its parent");
		}
		int mask = 0xFF >> sizeLength;
		long size = sizeFirst & mask;
		boolean allOnes = size == mask;
		for (int i = 1; i < sizeLength; i++) {
			int b = a[p + i] & 0xFF;
			size = (size << 8) | b;
			allOnes &= b == 0xFF;
		}
		p += sizeLength;
		if (allOnes) {
			throw malformed(Reason.UNSUPPORTED, "unknown size on element " + hex(value));
		}
		if (size > end - p) {
			throw malformed(Reason.IMPOSSIBLE_SIZE,
					"element " + hex(value) + " of " + size + " bytes overruns its parent by " + (size - (end - p)));
		}
		this.childId = value;
		this.childData = p;
		this.childEnd = p + (int) size;
	}

	private long readUnsigned(int p, int end) throws MalformedMkvException {
		if (end - p > 8) {
			throw malformed(Reason.BAD_VALUE, "unsigned integer of " + (end - p) + " bytes");
		}
		long value = 0;
		for (int i = p; i < end; i++) {
			value = (value << 8) | (this.unit[i] & 0xFF);
		}
		return value;
	}

	private double readFloat(int p, int end) throws MalformedMkvException {
		return switch (end - p) {
			case 0 -> 0;
			case 4 -> Float.intBitsToFloat((int) readUnsigned(p, end));
			case 8 -> Double.longBitsToDouble(readUnsigned(p, end));
			default -> throw malformed(Reason.BAD_VALUE, "float of " + (end - p) + " bytes");
		};
	}

	private String readString(int p, int end) {
		int e = end;
		while (e > p && this.unit[e - 1] == 0) {
			e--;
		}
		return new String(this.unit, p, e - p, StandardCharsets.UTF_8);
	}

	private String parseEbmlHeader(int p, int end) throws MalformedMkvException {
		String type = "matroska";
		while (p < end) {
			child(this.unit, p, end);
			if (this.childId == DOC_TYPE) {
				type = readString(this.childData, this.childEnd);
			}
			p = this.childEnd;
		}
		if (!type.equals("matroska") && !type.equals("webm")) {
			throw malformed(Reason.UNSUPPORTED, "DocType '" + type + "'");
		}
		return type;
	}

	private long parseInfo(int p, int end) throws MalformedMkvException {
		long scale = 1_000_000;
		while (p < end) {
			child(this.unit, p, end);
			if (this.childId == TIMECODE_SCALE) {
				scale = readUnsigned(this.childData, this.childEnd);
				if (scale <= 0) {
					throw malformed(Reason.BAD_VALUE, "TimecodeScale " + scale);
				}
			}
			p = this.childEnd;
		}
		return scale;
	}

	private List<Track> parseTracks(int p, int end) throws MalformedMkvException {
		List<Track> tracks = new ArrayList<>();
		while (p < end) {
			child(this.unit, p, end);
			int next = this.childEnd;
			if (this.childId == TRACK_ENTRY) {
				tracks.add(parseTrack(this.childData, this.childEnd));
			}
			p = next;
		}
		return tracks;
	}

	private Track parseTrack(int p, int end) throws MalformedMkvException {
		long number = -1;
		long uid = 0;
		long type = 0;
		@Nullable String codecId = null;
		ByteBuffer codecPrivate = ByteBuffer.allocate(0);
		String name = "";
		Track.@Nullable Video video = null;
		Track.@Nullable Audio audio = null;
		while (p < end) {
			child(this.unit, p, end);
			int data = this.childData;
			int dataEnd = this.childEnd;
			switch (this.childId) {
				case TRACK_NUMBER -> number = readUnsigned(data, dataEnd);
				case TRACK_UID -> uid = readUnsigned(data, dataEnd);
				case TRACK_TYPE -> type = readUnsigned(data, dataEnd);
				case CODEC_ID -> codecId = readString(data, dataEnd);
				case CODEC_PRIVATE -> codecPrivate = ByteBuffer.wrap(this.unit, data, dataEnd - data).slice();
				case NAME -> name = readString(data, dataEnd);
				case VIDEO -> video = parseVideo(data, dataEnd);
				case AUDIO -> audio = parseAudio(data, dataEnd);
				default -> {
				}
			}
			p = dataEnd;
		}
		if (number < 0) {
			throw malformed(Reason.MISSING_ELEMENT, "TrackEntry without TrackNumber");
		}
		if (number == 0) {
			throw malformed(Reason.BAD_VALUE, "TrackNumber 0");
		}
		if (codecId == null) {
			throw malformed(Reason.MISSING_ELEMENT, "TrackEntry " + number + " without CodecID");
		}
		return new Track(number, uid, Track.Type.of(type), codecId, codecPrivate, name, video, audio);
	}

	private Track.Video parseVideo(int p, int end) throws MalformedMkvException {
		long width = 0;
		long height = 0;
		while (p < end) {
			child(this.unit, p, end);
			if (this.childId == PIXEL_WIDTH) {
				width = readUnsigned(this.childData, this.childEnd);
			}
			else if (this.childId == PIXEL_HEIGHT) {
				height = readUnsigned(this.childData, this.childEnd);
			}
			p = this.childEnd;
		}
		return new Track.Video(width, height);
	}

	private Track.Audio parseAudio(int p, int end) throws MalformedMkvException {
		double frequency = 8000;
		long channels = 1;
		while (p < end) {
			child(this.unit, p, end);
			if (this.childId == SAMPLING_FREQUENCY) {
				frequency = readFloat(this.childData, this.childEnd);
			}
			else if (this.childId == CHANNELS) {
				channels = readUnsigned(this.childData, this.childEnd);
			}
			p = this.childEnd;
		}
		return new Track.Audio(frequency, channels);
	}

	private void parseTags(int p, int end, List<SimpleTag> tags) throws MalformedMkvException {
		while (p < end) {
			child(this.unit, p, end);
			int next = this.childEnd;
			if (this.childId == TAG) {
				int q = this.childData;
				int tagEnd = this.childEnd;
				while (q < tagEnd) {
					child(this.unit, q, tagEnd);
					int afterChild = this.childEnd;
					if (this.childId == SIMPLE_TAG) {
						parseSimpleTag(this.childData, this.childEnd, tags, 1);
					}
					q = afterChild;
				}
			}
			p = next;
		}
	}

	private void parseSimpleTag(int p, int end, List<SimpleTag> tags, int depth) throws MalformedMkvException {
		if (depth > MAX_TAG_DEPTH) {
			throw malformed(Reason.UNSUPPORTED, "SimpleTag nested more than " + MAX_TAG_DEPTH + " deep");
		}
		String name = "";
		String value = "";
		int index = tags.size();
		tags.add(new SimpleTag(name, value));
		while (p < end) {
			child(this.unit, p, end);
			int next = this.childEnd;
			switch (this.childId) {
				case TAG_NAME -> name = readString(this.childData, this.childEnd);
				case TAG_STRING -> value = readString(this.childData, this.childEnd);
				case SIMPLE_TAG -> parseSimpleTag(this.childData, this.childEnd, tags, depth + 1);
				default -> {
				}
			}
			p = next;
		}
		tags.set(index, new SimpleTag(name, value));
	}

	private void parseBlockGroup(int p, int end) throws MalformedMkvException {
		int blockData = -1;
		int blockEnd = -1;
		boolean referenced = false;
		while (p < end) {
			child(this.unit, p, end);
			if (this.childId == BLOCK && blockData < 0) {
				blockData = this.childData;
				blockEnd = this.childEnd;
			}
			else if (this.childId == REFERENCE_BLOCK) {
				referenced = true;
			}
			p = this.childEnd;
		}
		if (blockData < 0) {
			throw malformed(Reason.MISSING_ELEMENT, "BlockGroup without Block");
		}
		parseBlock(blockData, blockEnd, false, !referenced);
	}

	/** Splits a SimpleBlock or Block into frames (one per laced frame). */
	private void parseBlock(int p, int end, boolean simple, boolean groupKeyframe) throws MalformedMkvException {
		byte[] a = this.unit;
		if (p >= end) {
			throw malformed(Reason.BAD_VALUE, "empty block");
		}
		int first = a[p] & 0xFF;
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (first == 0) {
			throw malformed(Reason.BAD_VINT, "block track number longer than 8 bytes");
		}
		if (p + length + 3 > end) {
			throw malformed(Reason.BAD_VALUE, "block of " + (end - p) + " bytes is shorter than its header");
		}
		long track = first & (0xFF >> length);
		for (int i = 1; i < length; i++) {
			track = (track << 8) | (a[p + i] & 0xFF);
		}
		p += length;
		short relative = (short) (((a[p] & 0xFF) << 8) | (a[p + 1] & 0xFF));
		int flags = a[p + 2] & 0xFF;
		p += 3;
		boolean keyframe = simple ? (flags & 0x80) != 0 : groupKeyframe;
		int lacing = (flags >> 1) & 3;
		if (lacing == 0) {
			addFrame(track, relative, keyframe, p, end - p);
			return;
		}
		if (p >= end) {
			throw malformed(Reason.BAD_LACING, "laced block without a frame count");
		}
		int count = (a[p++] & 0xFF) + 1;
		int[] sizes = this.laceSizes;
		long total = 0;
		switch (lacing) {
			case 1 -> { // Xiph: each size as a run of 255s ended by a byte below 255
				for (int i = 0; i < count - 1; i++) {
					int frameSize = 0;
					int b;
					do {
						if (p >= end) {
							throw malformed(Reason.BAD_LACING, "Xiph lace sizes run past the block");
						}
						b = a[p++] & 0xFF;
						frameSize += b;
					}
					while (b == 255 && frameSize <= end - p);
					sizes[i] = frameSize;
					total += frameSize;
				}
			}
			case 2 -> { // fixed size: equal frames
				int remaining = end - p;
				if (remaining % count != 0) {
					throw malformed(Reason.BAD_LACING, remaining + " bytes do not split into " + count + " equal frames");
				}
				for (int i = 0; i < count - 1; i++) {
					sizes[i] = remaining / count;
				}
				total = (long) (remaining / count) * (count - 1);
			}
			default -> { // EBML: first size as a VINT, then signed VINT differences
				long previous = 0;
				for (int i = 0; i < count - 1; i++) {
					if (p >= end) {
						throw malformed(Reason.BAD_LACING, "EBML lace sizes run past the block");
					}
					int b = a[p] & 0xFF;
					int vintLength = Integer.numberOfLeadingZeros(b) - 23;
					if (b == 0 || p + vintLength > end) {
						throw malformed(Reason.BAD_LACING, "bad EBML lace size");
					}
					long raw = b & (0xFF >> vintLength);
					for (int k = 1; k < vintLength; k++) {
						raw = (raw << 8) | (a[p + k] & 0xFF);
					}
					p += vintLength;
					long frameSize = (i == 0) ? raw : previous + (raw - ((1L << (7 * vintLength - 1)) - 1));
					if (frameSize < 0 || frameSize > end - p) {
						throw malformed(Reason.BAD_LACING, "EBML lace frame size " + frameSize);
					}
					sizes[i] = (int) frameSize;
					previous = frameSize;
					total += frameSize;
				}
			}
		}
		if (total > end - p) {
			throw malformed(Reason.BAD_LACING, "laced frames of " + total + " bytes in a block of " + (end - p));
		}
		sizes[count - 1] = (int) (end - p - total);
		for (int i = 0; i < count; i++) {
			addFrame(track, relative, keyframe, p, sizes[i]);
			p += sizes[i];
		}
	}

	private void addFrame(long track, short relative, boolean keyframe, int offset, int length) {
		Frame frame = new Frame(track, this.clusterTimecode, relative, keyframe,
				ByteBuffer.wrap(this.unit, offset, length));
		this.clusterFrames.add(frame);
		this.events.add(frame);
	}

	private MalformedMkvException malformed(Reason reason, String detail) {
		this.state = State.DONE;
		this.events.clear();
		return new MalformedMkvException(reason, this.position, detail);
	}

	private static String hex(int value) {
		return "0x" + Integer.toHexString(value).toUpperCase(java.util.Locale.ROOT);
	}

	/**
	 * The sizes a reader accepts; every declared size is checked against them before anything is buffered.
	 *
	 * @param maxClusterBytes the largest Cluster (fragment), ID and size included
	 * @param maxHeaderBytes the largest header: EBML header to first Cluster, or a later Info/Tracks element
	 * @param maxTagsBytes the largest Tags element
	 */
	public record Limits(int maxClusterBytes, int maxHeaderBytes, int maxTagsBytes) {

		/** The KVS limits: fragments up to 50 MB; 1 MiB of header; 64 KiB of tags (10 tags of 128 + 256 bytes fit). */
		public static final Limits KVS = new Limits(50_000_000, 1 << 20, 64 << 10);

		public Limits {
			if (maxClusterBytes < 16 || maxHeaderBytes < 16 || maxTagsBytes < 16) {
				throw new IllegalArgumentException("limits must be at least 16 bytes: " + maxClusterBytes + ", "
						+ maxHeaderBytes + ", " + maxTagsBytes);
			}
			if (maxClusterBytes > Integer.MAX_VALUE - 64 || maxHeaderBytes > Integer.MAX_VALUE - 64) {
				throw new IllegalArgumentException("limits must fit a Java array");
			}
		}

		/**
		 * @param maxClusterBytes the largest Cluster in bytes
		 * @return these limits with another Cluster limit; never {@literal null}
		 */
		public Limits withMaxClusterBytes(int maxClusterBytes) {
			return new Limits(maxClusterBytes, this.maxHeaderBytes, this.maxTagsBytes);
		}

	}

}
