package io.kvsgateway.media;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What {@link MkvReader#next()} found, in stream order.
 *
 * <p>A well-formed PutMedia body gives: {@link SegmentStarted}, {@link InfoRead}, {@link TracksRead},
 * {@link HeaderEnded}, then per fragment {@link ClusterStarted}, one {@link Frame} per frame, {@link ClusterEnded}
 * and, from KVS producers, {@link TagsRead} with the {@value SimpleTag#END_OF_FRAGMENT} marker; finally
 * {@link SegmentEnded}. A stream may hold several Segments, each with its own EBML header.
 *
 * <p>Byte buffers in events are read-only views of the reader's per-unit buffers; the reader never writes into a
 * buffer it has handed out, so events stay valid after later calls to {@code next()}.
 */
public sealed interface MkvEvent {

	/**
	 * An EBML header and the start of a Segment were read.
	 *
	 * @param docType {@code matroska} or {@code webm}
	 * @param size the Segment's declared size, or -1 when unknown (live producers)
	 * @param offset the stream offset of the EBML header
	 */
	record SegmentStarted(String docType, long size, long offset) implements MkvEvent {
	}

	/**
	 * The Segment's Info element.
	 *
	 * @param timecodeScale nanoseconds per timecode tick (TimecodeScale, default 1,000,000: milliseconds)
	 */
	record InfoRead(long timecodeScale) implements MkvEvent {
	}

	/**
	 * The Segment's Tracks element.
	 *
	 * @param tracks the track entries in stream order; never {@literal null}
	 */
	record TracksRead(List<Track> tracks) implements MkvEvent {

		public TracksRead {
			tracks = List.copyOf(tracks);
		}

	}

	/**
	 * Everything before the Segment's first Cluster has been read.
	 *
	 * @param raw the exact bytes from the EBML header up to (not including) the first Cluster: EBML header, Segment
	 * ID and size, Info, Tracks and whatever else the producer put there (SeekHead, Void, ...)
	 */
	record HeaderEnded(ByteBuffer raw) implements MkvEvent {

		public HeaderEnded {
			raw = raw.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the bytes. */
		@Override
		public ByteBuffer raw() {
			return this.raw.duplicate();
		}

	}

	/**
	 * A Cluster (a KVS fragment) began; sent as soon as its Timecode is read, normally within its first 20 bytes.
	 *
	 * @param timecode the Cluster Timecode in TimecodeScale units (KVS producers: absolute or relative ms)
	 * @param offset the stream offset of the Cluster's first byte
	 */
	record ClusterStarted(long timecode, long offset) implements MkvEvent {
	}

	/**
	 * One frame of a SimpleBlock or a BlockGroup's Block; a laced block gives one {@code Frame} per laced frame.
	 *
	 * @param trackNumber the block's track number
	 * @param clusterTimecode the enclosing Cluster's Timecode
	 * @param relativeTimecode the block's signed 16-bit timecode relative to the Cluster
	 * @param keyframe the SimpleBlock keyframe flag; for a BlockGroup, whether it has no ReferenceBlock
	 * @param payload the frame's bytes (read-only)
	 */
	record Frame(long trackNumber, long clusterTimecode, short relativeTimecode, boolean keyframe,
			ByteBuffer payload) implements MkvEvent {

		public Frame {
			payload = payload.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the payload. */
		@Override
		public ByteBuffer payload() {
			return this.payload.duplicate();
		}

		/** @return the payload size in bytes, without creating a view. */
		public int payloadLength() {
			return this.payload.remaining();
		}

		/** @return the frame's timecode in TimecodeScale units: cluster timecode plus relative timecode. */
		public long timecode() {
			return this.clusterTimecode + this.relativeTimecode;
		}

	}

	/**
	 * A Cluster ended: its declared size was reached, or, for an unknown-size Cluster, the next Cluster, Tags, Cues,
	 * another top-level element, or the end of the input began.
	 *
	 * @param timecode the Cluster Timecode
	 * @param offset the stream offset of the Cluster's first byte
	 * @param frames the Cluster's frames, the same instances that were returned one by one
	 * @param raw the exact bytes of the Cluster (ID, size as sent, children including CRC-32 and Void)
	 */
	record ClusterEnded(long timecode, long offset, List<Frame> frames, ByteBuffer raw) implements MkvEvent {

		public ClusterEnded {
			frames = List.copyOf(frames);
			raw = raw.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the bytes. */
		@Override
		public ByteBuffer raw() {
			return this.raw.duplicate();
		}

	}

	/**
	 * A top-level Tags element; KVS producers send one after each fragment.
	 *
	 * @param tags every SimpleTag of every Tag, nested ones flattened, in stream order
	 * @param raw the exact bytes of the Tags element
	 */
	record TagsRead(List<SimpleTag> tags, ByteBuffer raw) implements MkvEvent {

		public TagsRead {
			tags = List.copyOf(tags);
			raw = raw.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the bytes. */
		@Override
		public ByteBuffer raw() {
			return this.raw.duplicate();
		}

		/** @return whether these tags hold the KVS end-of-fragment marker. */
		public boolean endOfFragment() {
			return this.tags.stream().anyMatch(SimpleTag::isEndOfFragment);
		}

	}

	/**
	 * A Segment ended: its declared size was reached, a new EBML header began, or the input ended.
	 *
	 * @param offset the stream offset just past the Segment
	 */
	record SegmentEnded(long offset) implements MkvEvent {
	}

}
