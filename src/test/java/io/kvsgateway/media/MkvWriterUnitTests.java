package io.kvsgateway.media;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kvsgateway.media.FragmentReader.FragmentRead;
import io.kvsgateway.media.FragmentReader.HeaderRead;
import io.kvsgateway.media.MkvEvent.SegmentStarted;
import io.kvsgateway.media.MkvEvent.TagsRead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MkvWriterUnitTests {

	@Test
	void writesTagsOurReaderReadsBack() throws IOException {
		List<SimpleTag> tags = List.of(new SimpleTag("AWS_KINESISVIDEO_FRAGMENT_NUMBER", "91343852333181481915235"),
				new SimpleTag("room", "lobby \u00e9"), new SimpleTag("empty", ""));
		byte[] header = headerOf(MkvFixtures.bytes(MkvFixtures.H264_LIVE));
		ByteArrayOutputStream stream = new ByteArrayOutputStream();
		stream.writeBytes(header);
		stream.writeBytes(MkvWriter.tags(tags));

		List<MkvEvent> events = MkvFixtures.readAll(stream.toByteArray());

		// ffmpeg's header has Tags of its own (ENCODER); ours come last
		assertThat(events).filteredOn(TagsRead.class::isInstance)
			.last()
			.satisfies(read -> assertThat(((TagsRead) read).tags()).isEqualTo(tags));
	}

	@Test
	void reframesAFileHeaderAsALiveSegmentWithoutItsSeekHead() throws IOException {
		byte[] file = MkvFixtures.bytes(MkvFixtures.H264);
		byte[] header = headerOf(file);
		assertThat(contains(header, MkvWriter.SEEK_HEAD)).as("ffmpeg writes a SeekHead").isTrue();

		byte[] live = MkvWriter.liveHeader(ByteBuffer.wrap(header));

		assertThat(contains(live, MkvWriter.SEEK_HEAD)).isFalse();
		// the header, then the file's first fragment, reads as one unknown-size Segment with the same tracks
		FragmentReader.Fragment first = firstFragment(file);
		ByteArrayOutputStream stream = new ByteArrayOutputStream();
		stream.writeBytes(live);
		byte[] cluster = new byte[first.size()];
		first.raw().get(cluster);
		stream.writeBytes(cluster);
		List<MkvEvent> events = MkvFixtures.readAll(stream.toByteArray());
		assertThat(events.getFirst()).isInstanceOfSatisfying(SegmentStarted.class, s -> assertThat(s.size()).isEqualTo(-1));
		FragmentReader.Fragment again = firstFragment(stream.toByteArray());
		assertThat(again.header().tracks()).isEqualTo(first.header().tracks());
		assertThat(again.frames()).hasSameSizeAs(first.frames());
	}

	@Test
	void refusesBytesThatAreNotAStreamHeader() {
		assertThatIllegalArgumentException().isThrownBy(() -> MkvWriter.liveHeader(ByteBuffer.wrap(new byte[] { 1, 2 })));
	}

	private static byte[] headerOf(byte[] mkv) throws IOException {
		FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(mkv));
		for (FragmentReader.Event event; (event = reader.next()) != null;) {
			if (event instanceof HeaderRead read) {
				ByteBuffer raw = read.header().raw();
				byte[] bytes = new byte[raw.remaining()];
				raw.get(bytes);
				return bytes;
			}
		}
		throw new AssertionError("no header");
	}

	private static FragmentReader.Fragment firstFragment(byte[] mkv) throws IOException {
		FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(mkv));
		for (FragmentReader.Event event; (event = reader.next()) != null;) {
			if (event instanceof FragmentRead read) {
				return read.fragment();
			}
		}
		throw new AssertionError("no fragment");
	}

	private static boolean contains(byte[] bytes, int id) {
		byte[] pattern = { (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id };
		outer: for (int i = 0; i + pattern.length <= bytes.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (bytes[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

}
