package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the few Matroska elements a server adds around stored media: {@code Tags} with {@code SimpleTag}s, and a
 * stream header re-framed as a live (unknown-size) Segment.
 *
 * <pre>{@code
 * out.write(MkvWriter.liveHeader(storedHeader));             // EBML header, Segment of unknown size, Info, Tracks
 * out.write(MkvWriter.tags(List.of(new SimpleTag("AWS_KINESISVIDEO_FRAGMENT_NUMBER", number))));
 * out.write(clusterBytes);
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class MkvWriter {

	/** The Segment element ID. */
	public static final int SEGMENT = 0x18538067;

	/** The EBML header element ID. */
	public static final int EBML = 0x1A45DFA3;

	/** The SeekHead element ID. */
	public static final int SEEK_HEAD = 0x114D9B74;

	/** The Tags element ID. */
	public static final int TAGS = 0x1254C367;

	private static final int TAG = 0x7373;

	private static final int TARGETS = 0x63C0;

	private static final int SIMPLE_TAG = 0x67C8;

	private static final int TAG_NAME = 0x45A3;

	private static final int TAG_STRING = 0x4487;

	/** An 8-byte EBML size with every value bit set: "unknown size", as live producers write a Segment. */
	private static final byte[] UNKNOWN_SIZE = { 0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
			(byte) 0xFF, (byte) 0xFF, (byte) 0xFF };

	private MkvWriter() {
	}

	/**
	 * One {@code Tags} element holding one {@code Tag} (with empty {@code Targets}, which Matroska requires) with one
	 * {@code SimpleTag} (TagName, TagString) per entry.
	 * @param tags the tags in order; must not be {@literal null}
	 * @return the element's bytes; never {@literal null}
	 */
	public static byte[] tags(List<SimpleTag> tags) {
		ByteArrayOutputStream tag = new ByteArrayOutputStream();
		element(tag, TARGETS, new byte[0]);
		for (SimpleTag simpleTag : tags) {
			ByteArrayOutputStream simple = new ByteArrayOutputStream();
			element(simple, TAG_NAME, simpleTag.name().getBytes(StandardCharsets.UTF_8));
			element(simple, TAG_STRING, simpleTag.value().getBytes(StandardCharsets.UTF_8));
			element(tag, SIMPLE_TAG, simple.toByteArray());
		}
		ByteArrayOutputStream tagsElement = new ByteArrayOutputStream();
		element(tagsElement, TAG, tag.toByteArray());
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		element(out, TAGS, tagsElement.toByteArray());
		return out.toByteArray();
	}

	/**
	 * A stream header (EBML header, Segment start, then the Segment's elements before its first Cluster, as
	 * {@link FragmentReader.Header#raw()} holds it) re-framed so that fragments can follow it one by one, as a live
	 * producer sends them: the Segment's size becomes unknown and any {@code SeekHead} is left out, since its
	 * positions point into the file the header was cut from. Every other element is copied byte for byte.
	 * @param header the header bytes; must not be {@literal null}; not modified
	 * @return the new header bytes; never {@literal null}
	 * @throws IllegalArgumentException when the bytes are not an EBML header followed by a Segment start
	 */
	public static byte[] liveHeader(ByteBuffer header) {
		ByteBuffer in = header.duplicate();
		ByteArrayOutputStream out = new ByteArrayOutputStream(in.remaining());
		int start = in.position();
		if (readId(in) != EBML) {
			throw new IllegalArgumentException("a stream header starts with an EBML header");
		}
		long ebmlSize = readSize(in);
		skip(in, ebmlSize);
		copy(in, start, in.position(), out);
		if (readId(in) != SEGMENT) {
			throw new IllegalArgumentException("an EBML header is followed by a Segment");
		}
		readSize(in);
		writeId(out, SEGMENT);
		out.writeBytes(UNKNOWN_SIZE);
		while (in.hasRemaining()) {
			int elementStart = in.position();
			int id = readId(in);
			long size = readSize(in);
			if (size < 0) {
				throw new IllegalArgumentException("only a Segment or a Cluster may have an unknown size");
			}
			skip(in, size);
			if (id != SEEK_HEAD) {
				copy(in, elementStart, in.position(), out);
			}
		}
		return out.toByteArray();
	}

	/**
	 * Writes one element with a known size: its ID, the shortest size VINT, then the payload.
	 * @param out where to write; must not be {@literal null}
	 * @param id the element ID as written, marker bits included (e.g. {@code 0x1254C367} for Tags)
	 * @param payload the element's content; must not be {@literal null}
	 */
	public static void element(ByteArrayOutputStream out, int id, byte[] payload) {
		writeId(out, id);
		writeSize(out, payload.length);
		out.writeBytes(payload);
	}

	private static void writeId(ByteArrayOutputStream out, int id) {
		int length = (id >>> 24 != 0) ? 4 : (id >>> 16 != 0) ? 3 : (id >>> 8 != 0) ? 2 : 1;
		for (int i = length - 1; i >= 0; i--) {
			out.write(id >>> (8 * i));
		}
	}

	private static void writeSize(ByteArrayOutputStream out, long value) {
		int length = 1;
		// All-ones is reserved for "unknown", so a value needs a length whose all-ones pattern is larger.
		while (value >= (1L << (7 * length)) - 1) {
			length++;
		}
		long encoded = value | (1L << (7 * length));
		for (int i = length - 1; i >= 0; i--) {
			out.write((int) (encoded >>> (8 * i)));
		}
	}

	private static int readId(ByteBuffer in) {
		int first = unsigned(in);
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (first == 0 || length > 4) {
			throw new IllegalArgumentException("bad element ID");
		}
		int id = first;
		for (int i = 1; i < length; i++) {
			id = (id << 8) | unsigned(in);
		}
		return id;
	}

	/** @return the size, or -1 when unknown */
	private static long readSize(ByteBuffer in) {
		int first = unsigned(in);
		int length = Integer.numberOfLeadingZeros(first) - 23;
		if (first == 0 || length > 8) {
			throw new IllegalArgumentException("bad element size");
		}
		long value = first & (0xFF >>> length);
		boolean allOnes = value == (0xFF >>> length);
		for (int i = 1; i < length; i++) {
			int next = unsigned(in);
			allOnes &= next == 0xFF;
			value = (value << 8) | next;
		}
		return allOnes ? -1 : value;
	}

	private static int unsigned(ByteBuffer in) {
		if (!in.hasRemaining()) {
			throw new IllegalArgumentException("the header ends inside an element");
		}
		return in.get() & 0xFF;
	}

	private static void skip(ByteBuffer in, long size) {
		if (size < 0 || size > in.remaining()) {
			throw new IllegalArgumentException("an element is larger than the header");
		}
		in.position(in.position() + (int) size);
	}

	private static void copy(ByteBuffer in, int from, int to, ByteArrayOutputStream out) {
		ByteBuffer slice = in.duplicate().position(from).limit(to);
		byte[] bytes = new byte[slice.remaining()];
		slice.get(bytes);
		out.writeBytes(bytes);
	}

}
