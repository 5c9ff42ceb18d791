package io.kvsgateway.putmedia;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.FragmentReader.Header;
import io.kvsgateway.media.SimpleTag;
import io.kvsgateway.media.Track;

/** Per-fragment limits of the developer guide's PutMedia quota row, on fragments of the ffmpeg-made fixtures. */
class FragmentRulesUnitTests {

	private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

	static List<Fragment> fragments;

	@BeforeAll
	static void readFixture() throws IOException {
		fragments = new ArrayList<>();
		try (InputStream in = FragmentRulesUnitTests.class.getResourceAsStream("/media/h264.mkv")) {
			FragmentReader reader = FragmentReader.of(in);
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.FragmentRead read) {
					fragments.add(read.fragment());
				}
			}
		}
	}

	@Test
	void acceptsEveryFragmentOfARealOneSecondGopStream() {
		Long previous = null;
		for (Fragment fragment : fragments) {
			assertThat(FragmentRules.KVS.check(fragment, previous, NOW, NOW)).isEmpty();
			previous = fragment.timecode();
		}
		assertThat(FragmentRules.duration(fragments.getFirst())).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void refusesATimecodeThatDoesNotIncrease() {
		Fragment second = fragments.get(1);

		assertThat(FragmentRules.KVS.check(second, second.timecode(), NOW, NOW))
			.contains(AckError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS);
	}

	@Test
	void refusesAFragmentLongerThanTheLimit() {
		FragmentRules halfSecond = new FragmentRules(50_000_000L, Duration.ofMillis(500), 3, 10, 128, 256,
				Duration.ofMinutes(5));

		assertThat(halfSecond.check(fragments.getFirst(), null, NOW, NOW)).contains(AckError.MAX_FRAGMENT_DURATION_REACHED);
	}

	@Test
	void refusesAFragmentLargerThanTheLimit() {
		FragmentRules tiny = new FragmentRules(100, Duration.ofSeconds(20), 3, 10, 128, 256, Duration.ofMinutes(5));

		assertThat(tiny.check(fragments.getFirst(), null, NOW, NOW)).contains(AckError.MAX_FRAGMENT_SIZE_REACHED);
	}

	@Test
	void refusesAProducerClockFarAhead() {
		assertThat(FragmentRules.KVS.check(fragments.getFirst(), null, NOW.plus(Duration.ofMinutes(6)), NOW))
			.contains(AckError.INVALID_PRODUCER_TIMESTAMP);
		assertThat(FragmentRules.KVS.check(fragments.getFirst(), null, NOW.plus(Duration.ofMinutes(4)), NOW)).isEmpty();
	}

	@Test
	void refusesMoreThanThreeTracks() {
		Fragment first = fragments.getFirst();
		Track video = first.header().tracks().getFirst();
		List<Track> four = List.of(video, video, video, video);
		Fragment fourTracks = new Fragment(new Header("matroska", first.header().timecodeScale(), four,
				first.header().raw()), first.timecode(), first.offset(), first.frames(), first.tags(), false,
				first.raw(), List.of());

		assertThat(FragmentRules.KVS.check(fourTracks, null, NOW, NOW)).contains(AckError.MORE_THAN_ALLOWED_TRACKS_FOUND);
	}

	@Test
	void countsMetadataTagsButNotKvsOwnMarkers() {
		List<SimpleTag> ten = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			ten.add(new SimpleTag("name-" + i, "value"));
		}
		ten.add(new SimpleTag(SimpleTag.END_OF_FRAGMENT, ""));
		List<SimpleTag> eleven = new ArrayList<>(ten);
		eleven.add(new SimpleTag("one-too-many", "x"));

		assertThat(FragmentRules.KVS.check(withTags(ten), null, NOW, NOW)).isEmpty();
		assertThat(FragmentRules.KVS.check(withTags(eleven), null, NOW, NOW))
			.contains(AckError.FRAGMENT_METADATA_LIMIT_REACHED);
		assertThat(FragmentRules.KVS.check(withTags(List.of(new SimpleTag("AWS_mine", "x"))), null, NOW, NOW))
			.contains(AckError.FRAGMENT_METADATA_LIMIT_REACHED);
		assertThat(FragmentRules.KVS.check(withTags(List.of(new SimpleTag("n".repeat(129), "x"))), null, NOW, NOW))
			.contains(AckError.FRAGMENT_METADATA_LIMIT_REACHED);
		assertThat(FragmentRules.KVS.check(withTags(List.of(new SimpleTag("n", "v".repeat(257)))), null, NOW, NOW))
			.contains(AckError.FRAGMENT_METADATA_LIMIT_REACHED);
	}

	private static Fragment withTags(List<SimpleTag> tags) {
		Fragment first = fragments.getFirst();
		return new Fragment(first.header(), first.timecode(), first.offset(), first.frames(), tags, true, first.raw(),
				List.of(ByteBuffer.allocate(0)));
	}

}
