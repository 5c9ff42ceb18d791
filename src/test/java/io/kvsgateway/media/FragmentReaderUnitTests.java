package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.FragmentReader.FragmentRead;
import io.kvsgateway.media.FragmentReader.FragmentStarted;
import io.kvsgateway.media.FragmentReader.HeaderRead;
import io.kvsgateway.media.MkvEvent.ClusterEnded;
import io.kvsgateway.media.MkvEvent.TagsRead;
import org.junit.jupiter.api.Test;

/** {@link FragmentReader} on the KVS-shaped and the ffmpeg fixtures. */
class FragmentReaderUnitTests {

	@Test
	void groupsEachClusterWithTheTagsThatFollowIt() throws IOException {
		List<FragmentReader.Event> events = readAll(
				FragmentReader.of(new ByteArrayInputStream(MkvFixtures.bytes(MkvFixtures.H264_KVS))));

		assertThat(events.getFirst()).isInstanceOfSatisfying(HeaderRead.class, header -> {
			assertThat(header.header().timecodeScale()).isEqualTo(1_000_000);
			assertThat(header.header().tracks()).extracting(Track::codecId).containsExactly("V_MPEG4/ISO/AVC");
		});
		List<Fragment> fragments = fragments(events);
		assertThat(fragments).extracting(Fragment::timecode).containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 5000L);
		assertThat(fragments).allSatisfy(fragment -> {
			assertThat(fragment.endOfFragmentMarked()).isTrue();
			assertThat(fragment.tags()).contains(new SimpleTag(SimpleTag.END_OF_FRAGMENT, ""));
			assertThat(fragment.rawTags()).hasSize(1);
			assertThat(fragment.frames().getFirst().keyframe()).isTrue();
		});
		assertThat(fragments.stream().mapToInt(fragment -> fragment.frames().size()).sum()).isEqualTo(180);
		assertThat(events.subList(1, events.size())).extracting(event -> event.getClass().getSimpleName())
			.containsExactly("FragmentStarted", "FragmentRead", "FragmentStarted", "FragmentRead", "FragmentStarted",
					"FragmentRead", "FragmentStarted", "FragmentRead", "FragmentStarted", "FragmentRead",
					"FragmentStarted", "FragmentRead");
	}

	@Test
	void completesAMarkedFragmentWithoutWaitingForTheNextCluster() throws IOException {
		byte[] bytes = MkvFixtures.bytes(MkvFixtures.H264_KVS);
		List<MkvEvent> events = MkvFixtures.readAll(bytes);
		ClusterEnded firstCluster = MkvReaderUnitTests.first(events, ClusterEnded.class);
		TagsRead firstTags = (TagsRead) events.get(events.indexOf(firstCluster) + 1);
		int endOfFirstFragment = (int) firstCluster.offset() + firstCluster.raw().remaining()
				+ firstTags.raw().remaining();
		InputStream stalled = new InputStream() {

			private int position;

			@Override
			public int read() {
				throw new UnsupportedOperationException();
			}

			@Override
			public int read(byte[] b, int off, int len) {
				if (this.position >= endOfFirstFragment) {
					throw new AssertionError("read past the end-of-fragment Tags");
				}
				int n = Math.min(len, endOfFirstFragment - this.position);
				System.arraycopy(bytes, this.position, b, off, n);
				this.position += n;
				return n;
			}

		};

		FragmentReader reader = FragmentReader.of(stalled);
		FragmentReader.Event event;
		do {
			event = reader.next();
		}
		while (!(event instanceof FragmentRead));

		assertThat(((FragmentRead) event).fragment().raw()).isEqualTo(firstCluster.raw());
	}

	@Test
	void completesUnmarkedFragmentsAtTheNextClusterAndAtTheEnd() throws IOException {
		List<FragmentReader.Event> events = readAll(
				FragmentReader.of(new ByteArrayInputStream(MkvFixtures.bytes(MkvFixtures.H264_AAC))));

		List<Fragment> fragments = fragments(events);
		assertThat(fragments).hasSize(7).allSatisfy(fragment -> {
			assertThat(fragment.endOfFragmentMarked()).isFalse();
			assertThat(fragment.tags()).isEmpty();
			assertThat(fragment.size()).isPositive();
		});
		assertThat(events.stream().filter(FragmentStarted.class::isInstance).count()).isEqualTo(7);
		assertThat(fragments.stream().mapToLong(fragment -> fragment.frames().size()).sum()).isEqualTo(180 + 283);
	}

	private static List<FragmentReader.Event> readAll(FragmentReader reader) throws IOException {
		List<FragmentReader.Event> events = new ArrayList<>();
		for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
			events.add(event);
		}
		return events;
	}

	private static List<Fragment> fragments(List<FragmentReader.Event> events) {
		return events.stream()
			.filter(FragmentRead.class::isInstance)
			.map(event -> ((FragmentRead) event).fragment())
			.toList();
	}

}
