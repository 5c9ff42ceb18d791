package io.kvsgateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * Groups the events of an {@link MkvReader} into what PutMedia deals in: a header, then fragments, each with the
 * Cluster's frames, the tags that followed it, and the exact bytes to store.
 *
 * <pre>{@code
 * FragmentReader fragments = FragmentReader.of(request.getInputStream());
 * for (FragmentReader.Event event; (event = fragments.next()) != null;) {
 *     switch (event) {
 *         case HeaderRead header -> store.header(header.header().raw());
 *         case FragmentStarted started -> acks.buffering(started.timecode());
 *         case FragmentRead read -> acks.received(store.fragment(read.fragment()));
 *     }
 * }
 * }</pre>
 *
 * <p>A fragment is complete, and {@link FragmentRead} returned, as soon as a Tags element with the KVS
 * {@value SimpleTag#END_OF_FRAGMENT} marker follows its Cluster; without the marker (ffmpeg, GStreamer's matroskamux)
 * only when the next Cluster starts, the Segment ends or the input ends. Memory and errors are those of
 * {@link MkvReader}. Not thread-safe.
 */
public final class FragmentReader {

	private final MkvReader reader;

	private final ArrayDeque<Event> ready = new ArrayDeque<>();

	private String docType = "matroska";

	private long timecodeScale = 1_000_000;

	private List<Track> tracks = List.of();

	private @Nullable Header header;

	private @Nullable ClusterEnded cluster;

	private final List<SimpleTag> tags = new ArrayList<>();

	private final List<ByteBuffer> rawTags = new ArrayList<>();

	private boolean done;

	/**
	 * @param reader the events to group; must not be {@literal null} and must not be read by anyone else
	 */
	public FragmentReader(MkvReader reader) {
		this.reader = reader;
	}

	/**
	 * @param in the stream; must not be {@literal null}
	 * @return a reader with the KVS limits ({@link MkvReader.Limits#KVS}); never {@literal null}
	 */
	public static FragmentReader of(InputStream in) {
		return new FragmentReader(MkvReader.of(in));
	}

	/**
	 * Reads until the next header, fragment start or complete fragment.
	 * @return the next event, or {@literal null} once the input has ended cleanly
	 * @throws MalformedMkvException when the input is not acceptable Matroska (a fragment being read is dropped)
	 * @throws IOException when the stream fails
	 */
	public @Nullable Event next() throws IOException {
		while (this.ready.isEmpty()) {
			if (this.done) {
				return null;
			}
			MkvEvent event = this.reader.next();
			if (event == null) {
				complete(false);
				this.done = true;
				continue;
			}
			switch (event) {
				case SegmentStarted started -> {
					complete(false);
					this.docType = started.docType();
					this.timecodeScale = 1_000_000;
					this.tracks = List.of();
				}
				case InfoRead info -> this.timecodeScale = info.timecodeScale();
				case TracksRead read -> this.tracks = read.tracks();
				case HeaderEnded ended -> {
					Header current = new Header(this.docType, this.timecodeScale, this.tracks, ended.raw());
					this.header = current;
					this.ready.add(new HeaderRead(current));
				}
				case ClusterStarted started -> {
					complete(false);
					this.ready.add(new FragmentStarted(started.timecode(), started.offset()));
				}
				case ClusterEnded ended -> this.cluster = ended;
				case TagsRead read -> {
					// Tags before the first Cluster belong to the header; they are in its raw bytes.
					if (this.cluster != null) {
						this.tags.addAll(read.tags());
						this.rawTags.add(read.raw());
						if (read.endOfFragment()) {
							complete(true);
						}
					}
				}
				case SegmentEnded ended -> complete(false);
				case Frame frame -> {
					// collected by the ClusterEnded event
				}
			}
		}
		return this.ready.poll();
	}

	private void complete(boolean marked) {
		ClusterEnded ended = this.cluster;
		if (ended == null) {
			return;
		}
		Header current = Objects.requireNonNull(this.header, "a Cluster is always preceded by a header");
		this.ready.add(new FragmentRead(new Fragment(current, ended.timecode(), ended.offset(), ended.frames(),
				this.tags, marked, ended.raw(), this.rawTags)));
		this.cluster = null;
		this.tags.clear();
		this.rawTags.clear();
	}

	/** What {@link FragmentReader#next()} returns. */
	public sealed interface Event permits HeaderRead, FragmentStarted, FragmentRead {

	}

	/**
	 * A Segment's header was read; the fragments that follow belong to it.
	 *
	 * @param header the header; never {@literal null}
	 */
	public record HeaderRead(Header header) implements Event {
	}

	/**
	 * A fragment's Cluster began (its Timecode is known, its other bytes may still be on the wire): KVS's
	 * {@code BUFFERING} point.
	 *
	 * @param timecode the Cluster Timecode
	 * @param offset the stream offset of the Cluster's first byte
	 */
	public record FragmentStarted(long timecode, long offset) implements Event {
	}

	/**
	 * A fragment is complete: KVS's {@code RECEIVED} point.
	 *
	 * @param fragment the fragment; never {@literal null}
	 */
	public record FragmentRead(Fragment fragment) implements Event {
	}

	/**
	 * Everything before a Segment's first Cluster.
	 *
	 * @param docType {@code matroska} or {@code webm}
	 * @param timecodeScale nanoseconds per timecode tick
	 * @param tracks the track entries
	 * @param raw the exact header bytes (EBML header to first Cluster), read-only
	 */
	public record Header(String docType, long timecodeScale, List<Track> tracks, ByteBuffer raw) {

		public Header {
			tracks = List.copyOf(tracks);
			raw = raw.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the bytes. */
		@Override
		public ByteBuffer raw() {
			return this.raw.duplicate();
		}

	}

	/**
	 * One fragment: a Cluster and the tags that followed it.
	 *
	 * @param header the header of the Segment the fragment belongs to
	 * @param timecode the Cluster Timecode, in {@code header.timecodeScale()} units
	 * @param offset the stream offset of the Cluster's first byte
	 * @param frames the frames in stream order
	 * @param tags the SimpleTags of the Tags elements that followed the Cluster (KVS fragment metadata)
	 * @param endOfFragmentMarked whether the producer marked the end with {@value SimpleTag#END_OF_FRAGMENT}
	 * @param raw the exact bytes of the Cluster, read-only
	 * @param rawTags the exact bytes of each Tags element that followed the Cluster, read-only
	 */
	public record Fragment(Header header, long timecode, long offset, List<Frame> frames, List<SimpleTag> tags,
			boolean endOfFragmentMarked, ByteBuffer raw, List<ByteBuffer> rawTags) {

		public Fragment {
			frames = List.copyOf(frames);
			tags = List.copyOf(tags);
			raw = raw.asReadOnlyBuffer();
			rawTags = rawTags.stream().map(ByteBuffer::asReadOnlyBuffer).toList();
		}

		/** @return a fresh read-only view of the Cluster bytes. */
		@Override
		public ByteBuffer raw() {
			return this.raw.duplicate();
		}

		/** @return the Cluster's size in bytes (what KVS's 50 MB fragment limit counts). */
		public int size() {
			return this.raw.remaining();
		}

	}

}
