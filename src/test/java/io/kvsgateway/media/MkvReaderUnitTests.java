package io.kvsgateway.media;

import static io.kvsgateway.media.Ebml.bytes;
import static io.kvsgateway.media.Ebml.concat;
import static io.kvsgateway.media.Ebml.element;
import static io.kvsgateway.media.Ebml.filled;
import static io.kvsgateway.media.Ebml.header;
import static io.kvsgateway.media.Ebml.simpleBlock;
import static io.kvsgateway.media.Ebml.uint;
import static io.kvsgateway.media.Ebml.unknownSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MkvReader} on the ffmpeg-made fixtures and on hand-built EBML. Expected frame counts come from ffprobe:
 * {@code ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 FILE}
 * (and {@code a:0} for audio), run on the committed files with ffmpeg 5.1.9.
 */
class MkvReaderUnitTests {

	/** ffprobe nb_read_frames of v:0: 180 for every fixture (6 s at 30 fps). */
	private static final int VIDEO_FRAMES = 180;

	/** ffprobe nb_read_frames of a:0 of h264-aac.mkv (6.02 s of 1024-sample AAC frames at 48 kHz). */
	private static final int AUDIO_FRAMES = 283;

	@Test
	void readsH264VideoOnly() throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(MkvFixtures.H264));

		assertThat(events.getFirst()).isInstanceOfSatisfying(SegmentStarted.class, started -> {
			assertThat(started.docType()).isEqualTo("matroska");
			assertThat(started.size()).isPositive();
		});
		assertThat(first(events, InfoRead.class).timecodeScale()).isEqualTo(1_000_000);
		List<Track> tracks = first(events, TracksRead.class).tracks();
		assertThat(tracks).singleElement().satisfies(track -> {
			assertThat(track.number()).isEqualTo(1);
			assertThat(track.type()).isEqualTo(Track.Type.VIDEO);
			assertThat(track.codecId()).isEqualTo("V_MPEG4/ISO/AVC");
			assertThat(track.hasCodecPrivate()).isTrue();
			assertThat(track.codecPrivate().get(0)).as("avcC configurationVersion").isEqualTo((byte) 1);
			assertThat(track.video()).isEqualTo(new Track.Video(320, 180));
			assertThat(track.audio()).isNull();
		});
		assertThat(clusterTimecodes(events)).containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 5000L);
		assertThat(framesPerTrack(events)).containsExactly(Map.entry(1L, VIDEO_FRAMES));
		assertThat(frames(events).filter(Frame::keyframe).count()).as("one keyframe per 1 s GOP").isEqualTo(6);
		assertEveryClusterStartsWithAVideoKeyframe(events, 1);
		assertThat(events.getLast()).isInstanceOf(SegmentEnded.class);
	}

	@Test
	void readsH264WithAac() throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(MkvFixtures.H264_AAC));

		List<Track> tracks = first(events, TracksRead.class).tracks();
		assertThat(tracks).extracting(Track::codecId).containsExactly("V_MPEG4/ISO/AVC", "A_AAC");
		assertThat(tracks).allSatisfy(track -> assertThat(track.hasCodecPrivate()).isTrue());
		assertThat(tracks.get(1).type()).isEqualTo(Track.Type.AUDIO);
		assertThat(tracks.get(1).audio()).isEqualTo(new Track.Audio(48_000, 1));
		assertThat(clusterTimecodes(events)).containsExactly(0L, 1002L, 2005L, 3008L, 3989L, 4992L, 5994L);
		assertThat(framesPerTrack(events)).containsExactly(Map.entry(1L, VIDEO_FRAMES), Map.entry(2L, AUDIO_FRAMES));
		assertEveryClusterStartsWithAVideoKeyframe(events, 1);
	}

	@Test
	void readsH265() throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(MkvFixtures.H265));

		assertThat(first(events, TracksRead.class).tracks()).singleElement().satisfies(track -> {
			assertThat(track.codecId()).isEqualTo("V_MPEGH/ISO/HEVC");
			assertThat(track.hasCodecPrivate()).isTrue();
		});
		assertThat(clusterTimecodes(events)).hasSize(6);
		assertThat(framesPerTrack(events)).containsExactly(Map.entry(1L, VIDEO_FRAMES));
		assertEveryClusterStartsWithAVideoKeyframe(events, 1);
	}

	@Test
	void readsUnknownSizeSegmentFromPipe() throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(MkvFixtures.H264_LIVE));

		assertThat(first(events, SegmentStarted.class).size()).as("unknown size").isEqualTo(-1);
		assertThat(clusterTimecodes(events)).containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 5000L);
		assertThat(framesPerTrack(events)).containsExactly(Map.entry(1L, VIDEO_FRAMES));
		assertThat(events.getLast()).isInstanceOf(SegmentEnded.class);
	}

	@Test
	void readsKvsShapedStreamWithUnknownSizeClustersAndEndOfFragmentTags() throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(MkvFixtures.H264_KVS));

		List<ClusterEnded> clusters = all(events, ClusterEnded.class);
		assertThat(clusters).hasSize(6).allSatisfy(cluster -> assertThat(prefix(cluster.raw(), 12))
			.as("Cluster ID and unknown size, as sent").isEqualTo(concat(Ebml.id(MkvReader.CLUSTER), Ebml.UNKNOWN_SIZE)));
		assertThat(clusters.stream().mapToInt(cluster -> cluster.frames().size()).sum()).isEqualTo(VIDEO_FRAMES);
		for (int i = 0; i < clusters.size(); i++) {
			String fragment = String.valueOf(i + 1);
			assertThat(events.get(events.indexOf(clusters.get(i)) + 1)).as("Tags right after fragment %s", fragment)
				.isInstanceOfSatisfying(TagsRead.class, tags -> {
					assertThat(tags.endOfFragment()).isTrue();
					assertThat(tags.tags()).containsExactly(new SimpleTag("fragment", fragment),
							new SimpleTag(SimpleTag.END_OF_FRAGMENT, ""));
				});
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_LIVE,
			MkvFixtures.H264_KVS })
	void givesTheSameEventsWhenTheStreamDeliversOneByteAtATime(String fixture) throws IOException {
		byte[] bytes = MkvFixtures.bytes(fixture);

		List<MkvEvent> whole = MkvFixtures.readAll(bytes);
		List<MkvEvent> trickled = MkvFixtures.readAll(MkvFixtures.oneByteAtATime(bytes), MkvReader.Limits.KVS);

		assertThat(trickled).isEqualTo(whole);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_LIVE,
			MkvFixtures.H264_KVS })
	void rawHeaderAndClustersReparseToTheSameEvents(String fixture) throws IOException {
		List<MkvEvent> events = MkvFixtures.readAll(MkvFixtures.bytes(fixture));
		ByteArrayOutputStream stored = new ByteArrayOutputStream();
		stored.writeBytes(array(first(events, HeaderEnded.class).raw()));
		all(events, ClusterEnded.class).forEach(cluster -> stored.writeBytes(array(cluster.raw())));

		List<MkvEvent> reread = new ArrayList<>();
		MkvReader reader = MkvReader.of(new ByteArrayInputStream(stored.toByteArray()));
		try {
			for (MkvEvent event = reader.next(); event != null; event = reader.next()) {
				reread.add(event);
			}
		}
		catch (MalformedMkvException ex) {
			// A Segment of known size still counts the Cues and Tags that were not stored: reading the stored bytes
			// ends after the last Cluster with TRUNCATED, as it must for a cut file.
			assertThat(first(events, SegmentStarted.class).size()).isPositive();
			assertThat(ex.reason()).isEqualTo(Reason.TRUNCATED);
		}

		assertThat(withoutOffsets(reread)).isEqualTo(withoutOffsets(events));
	}

	@Test
	void reportsClusterStartBeforeTheRestOfTheClusterArrives() throws IOException {
		byte[] bytes = MkvFixtures.bytes(MkvFixtures.H264_KVS);
		List<MkvEvent> events = MkvFixtures.readAll(bytes);
		ClusterStarted second = all(events, ClusterStarted.class).get(1);
		// Cluster ID, unknown size, CRC-32 element, Timecode element: the first 24 bytes of the Cluster.
		int available = (int) second.offset() + 24;
		InputStream stalled = new InputStream() {

			private int position;

			@Override
			public int read() {
				throw new UnsupportedOperationException();
			}

			@Override
			public int read(byte[] b, int off, int len) {
				if (this.position >= available) {
					throw new AssertionError("the reader waited for bytes past the Cluster's Timecode");
				}
				int n = Math.min(len, available - this.position);
				System.arraycopy(bytes, this.position, b, off, n);
				this.position += n;
				return n;
			}

		};

		MkvReader reader = MkvReader.of(stalled);
		List<ClusterStarted> started = new ArrayList<>();
		while (started.size() < 2) {
			if (reader.next() instanceof ClusterStarted clusterStarted) {
				started.add(clusterStarted);
			}
		}

		assertThat(started.get(1)).isEqualTo(second);
	}

	@Test
	void endsAnUnknownSizeClusterAtTheEndOfInput() throws IOException {
		byte[] bytes = MkvFixtures.bytes(MkvFixtures.H264_KVS);
		List<MkvEvent> events = MkvFixtures.readAll(bytes);
		TagsRead lastTags = all(events, TagsRead.class).getLast();
		long lastTagsOffset = all(events, ClusterEnded.class).getLast().offset()
				+ all(events, ClusterEnded.class).getLast().raw().remaining();

		List<MkvEvent> cut = MkvFixtures.readAll(Arrays.copyOf(bytes, (int) lastTagsOffset));

		assertThat(cut).isEqualTo(withoutElement(events, lastTags).stream()
			.map(event -> (event instanceof SegmentEnded) ? new SegmentEnded(lastTagsOffset) : event)
			.toList());
	}

	@Test
	void splitsXiphFixedAndEbmlLacedFrames() throws IOException {
		byte[] a = filled(300, 0xA1);
		byte[] b = filled(2, 0xB2);
		byte[] c = filled(5, 0xC3);
		byte[] xiph = simpleBlock(0, 0x80 | 0x02, concat(bytes(2, 0xFF, 300 - 255, 2), a, b, c));
		byte[] fixed = simpleBlock(1, 0x80 | 0x04, concat(bytes(2), filled(4, 1), filled(4, 2), filled(4, 3)));
		byte[] ebml = simpleBlock(2, 0x06, concat(bytes(2), Ebml.size(300), Ebml.signed(2 - 300), a, b, c));
		byte[] stream = concat(header(), unknownSize(MkvReader.CLUSTER, uint(MkvReader.TIMECODE, 7), xiph, fixed, ebml));

		List<Frame> frames = frames(MkvFixtures.readAll(stream)).toList();

		assertThat(frames).extracting(Frame::payloadLength).containsExactly(300, 2, 5, 4, 4, 4, 300, 2, 5);
		assertThat(frames).extracting(Frame::relativeTimecode)
			.containsExactly((short) 0, (short) 0, (short) 0, (short) 1, (short) 1, (short) 1, (short) 2, (short) 2,
					(short) 2);
		assertThat(frames).extracting(Frame::keyframe)
			.containsExactly(true, true, true, true, true, true, false, false, false);
		assertThat(frames.get(1).payload()).isEqualTo(ByteBuffer.wrap(b));
		assertThat(frames.get(5).payload()).isEqualTo(ByteBuffer.wrap(filled(4, 3)));
		assertThat(frames.get(8).payload()).isEqualTo(ByteBuffer.wrap(c));
		assertThat(frames).allSatisfy(frame -> assertThat(frame.timecode()).isEqualTo(7 + frame.relativeTimecode()));
	}

	@Test
	void refusesLacesThatDoNotAddUp() {
		byte[] fixed = simpleBlock(0, 0x04, concat(bytes(2), filled(10, 1)));
		byte[] xiph = simpleBlock(0, 0x02, concat(bytes(1, 0xFF, 0xFF, 0x10), filled(10, 1)));

		for (byte[] block : List.of(fixed, xiph)) {
			byte[] stream = concat(header(), unknownSize(MkvReader.CLUSTER, uint(MkvReader.TIMECODE, 0), block));
			assertMalformed(stream, Reason.BAD_LACING);
		}
	}

	@Test
	void takesBlockGroupsWithoutReferenceBlockAsKeyframes() throws IOException {
		byte[] block = concat(bytes(0x81, 0, 40, 0), filled(3, 9));
		byte[] key = element(MkvReader.BLOCK_GROUP, element(MkvReader.BLOCK, block));
		byte[] delta = element(MkvReader.BLOCK_GROUP, element(MkvReader.BLOCK, block),
				element(MkvReader.REFERENCE_BLOCK, bytes(0xFF)));
		byte[] stream = concat(header(), unknownSize(MkvReader.CLUSTER, uint(MkvReader.TIMECODE, 0), key, delta));

		List<Frame> frames = frames(MkvFixtures.readAll(stream)).toList();

		assertThat(frames).extracting(Frame::keyframe).containsExactly(true, false);
		assertThat(frames).extracting(Frame::trackNumber).containsExactly(1L, 1L);
		assertThat(frames).extracting(Frame::relativeTimecode).containsExactly((short) 40, (short) 40);
	}

	@Test
	void reportsEachKindOfMalformedInput() {
		byte[] cluster = unknownSize(MkvReader.CLUSTER, uint(MkvReader.TIMECODE, 0), simpleBlock(0, 0x80, bytes(1)));
		assertMalformed(bytes(0x00, 0x81, 0x00), Reason.BAD_VINT);
		assertMalformed(concat(header(), Ebml.id(MkvReader.CLUSTER), bytes(0x00)), Reason.BAD_VINT);
		assertMalformed(cluster, Reason.WRONG_NESTING);
		assertMalformed(concat(header(), Ebml.id(MkvReader.SEGMENT), Ebml.UNKNOWN_SIZE), Reason.WRONG_NESTING);
		assertMalformed(concat(header(), element(MkvReader.INFO, bytes(0x2A, 0xD7, 0xB1, 0x88, 0, 0))),
				Reason.IMPOSSIBLE_SIZE);
		assertMalformed(
				concat(element(MkvReader.EBML, Ebml.string(MkvReader.DOC_TYPE, "matroska")),
						Ebml.id(MkvReader.SEGMENT), Ebml.size(10), element(MkvReader.INFO, filled(20, 0xEC))),
				Reason.IMPOSSIBLE_SIZE);
		assertMalformed(concat(header(), unknownSize(MkvReader.CLUSTER, simpleBlock(0, 0x80, bytes(1)))),
				Reason.MISSING_ELEMENT);
		assertMalformed(concat(element(MkvReader.EBML, Ebml.string(MkvReader.DOC_TYPE, "mp4"))), Reason.UNSUPPORTED);
		assertMalformed(concat(header(), unknownSize(MkvReader.CUES)), Reason.UNSUPPORTED);
		assertMalformed(concat(header(), cluster, element(MkvReader.TAGS, filled(100_000, 0xEC))), Reason.TOO_LARGE);
		byte[] h264 = MkvFixtures.bytes(MkvFixtures.H264);
		assertMalformed(Arrays.copyOf(h264, h264.length / 2), Reason.TRUNCATED);
		assertMalformed(Arrays.copyOf(header(), 20), Reason.TRUNCATED);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_KVS })
	void refusesClustersLargerThanTheLimit(String fixture) {
		byte[] bytes = MkvFixtures.bytes(fixture);

		assertThatExceptionOfType(MalformedMkvException.class)
			.isThrownBy(() -> MkvFixtures.readAll(new ByteArrayInputStream(bytes),
					MkvReader.Limits.KVS.withMaxClusterBytes(10_000)))
			.satisfies(ex -> assertThat(ex.reason()).isEqualTo(Reason.TOO_LARGE));
	}

	@Test
	void readsSeveralSegmentsInOneStream() throws IOException {
		byte[] cluster = unknownSize(MkvReader.CLUSTER, uint(MkvReader.TIMECODE, 5), simpleBlock(0, 0x80, bytes(1)));
		byte[] stream = concat(header(), cluster, header(), cluster);

		List<MkvEvent> events = MkvFixtures.readAll(stream);

		assertThat(events).extracting(event -> event.getClass().getSimpleName())
			.containsExactly("SegmentStarted", "InfoRead", "TracksRead", "HeaderEnded", "ClusterStarted", "Frame",
					"ClusterEnded", "SegmentEnded", "SegmentStarted", "InfoRead", "TracksRead", "HeaderEnded",
					"ClusterStarted", "Frame", "ClusterEnded", "SegmentEnded");
		assertThat(first(events, InfoRead.class).timecodeScale()).isEqualTo(1000);
	}

	// ---- helpers

	private static void assertMalformed(byte[] stream, Reason reason) {
		assertThatExceptionOfType(MalformedMkvException.class).isThrownBy(() -> MkvFixtures.readAll(stream))
			.satisfies(ex -> assertThat(ex.reason()).as(ex.getMessage()).isEqualTo(reason));
	}

	static void assertEveryClusterStartsWithAVideoKeyframe(List<MkvEvent> events, long videoTrack) {
		for (ClusterEnded cluster : all(events, ClusterEnded.class)) {
			cluster.frames()
				.stream()
				.filter(frame -> frame.trackNumber() == videoTrack)
				.findFirst()
				.ifPresent(frame -> assertThat(frame.keyframe()).as("first video frame of Cluster %d", cluster.timecode())
					.isTrue());
		}
	}

	static <T extends MkvEvent> T first(List<MkvEvent> events, Class<T> type) {
		return all(events, type).getFirst();
	}

	static <T extends MkvEvent> List<T> all(List<MkvEvent> events, Class<T> type) {
		return events.stream().filter(type::isInstance).map(type::cast).toList();
	}

	static java.util.stream.Stream<Frame> frames(List<MkvEvent> events) {
		return events.stream().filter(Frame.class::isInstance).map(Frame.class::cast);
	}

	static List<Long> clusterTimecodes(List<MkvEvent> events) {
		return all(events, ClusterStarted.class).stream().map(ClusterStarted::timecode).toList();
	}

	static Map<Long, Integer> framesPerTrack(List<MkvEvent> events) {
		return frames(events).collect(Collectors.toMap(Frame::trackNumber, frame -> 1, Integer::sum, TreeMap::new));
	}

	private static byte[] array(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	private static byte[] prefix(ByteBuffer buffer, int length) {
		return Arrays.copyOf(array(buffer), length);
	}

	private static List<MkvEvent> withoutElement(List<MkvEvent> events, MkvEvent removed) {
		List<MkvEvent> copy = new ArrayList<>(events);
		copy.remove(removed);
		return copy;
	}

	/** Events as stored bytes would give them: stream offsets zeroed, Tags after the header dropped. */
	private static List<MkvEvent> withoutOffsets(List<MkvEvent> events) {
		List<MkvEvent> result = new ArrayList<>();
		boolean inHeader = true;
		for (MkvEvent event : events) {
			switch (event) {
				case HeaderEnded headerEnded -> {
					inHeader = false;
					result.add(headerEnded);
				}
				case TagsRead tags -> {
					if (inHeader) {
						result.add(tags);
					}
				}
				case SegmentStarted started -> result.add(new SegmentStarted(started.docType(), started.size(), 0));
				case ClusterStarted started -> result.add(new ClusterStarted(started.timecode(), 0));
				case ClusterEnded ended -> result.add(new ClusterEnded(ended.timecode(), 0, ended.frames(), ended.raw()));
				case SegmentEnded ignored -> {
					// absent when the stored bytes end inside a Segment of known size
				}
				default -> result.add(event);
			}
		}
		return result;
	}

}
