package io.kvsgateway.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.PlaybackFixtures.SettableClock;
import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.LiveCursor;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static io.kvsgateway.local.PlaybackFixtures.T0;
import static io.kvsgateway.local.PlaybackFixtures.fragment;
import static io.kvsgateway.local.PlaybackFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/** The PlaybackMode, FragmentSelectorType and DiscontinuityMode rules of the GetHLS/GetDASHStreamingSessionURL pages. */
class PlaybackSelectionUnitTests {

	final SettableClock clock = new SettableClock(T0);

	final PlaybackSelection selection = new PlaybackSelection(clock);

	/** {@code count} contiguous 1 s fragments from {@code first}, producer time an hour behind server time. */
	static List<Fragment> contiguous(int count, Instant first) {
		List<Fragment> fragments = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Instant server = first.plusSeconds(i);
			fragments.add(fragment(i, server.minus(Duration.ofHours(1)), server));
		}
		return fragments;
	}

	static List<String> numbers(Selection selection) {
		return selection.entries().stream().map(Entry::fragmentNumber).toList();
	}

	static List<Long> sequences(Selection selection) {
		return selection.entries().stream().map(Entry::sequence).toList();
	}

	@Test
	void onDemandListsTheOldestFragmentsInTheInclusiveRangeAndEnds() {
		List<Fragment> stored = contiguous(10, T0.minusSeconds(100));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND)
			.range(stored.get(2).serverTimestamp(), stored.get(8).serverTimestamp())
			.max(4)
			.build();

		Selection listed = selection.select(session, stored, new LiveCursor());

		// StartTimestamp and EndTimestamp are both inclusive; "the oldest fragments are returned, up to this maximum".
		assertThat(numbers(listed)).containsExactly("1002", "1003", "1004", "1005");
		assertThat(sequences(listed)).containsExactly(0L, 1L, 2L, 3L);
		assertThat(listed.ended()).isTrue();
	}

	@Test
	void onDemandExcludesAFragmentThatStartsBeforeStartTimestamp() {
		List<Fragment> stored = contiguous(3, T0.minusSeconds(100));
		StreamingSession session = session(Protocol.DASH, PlaybackMode.ON_DEMAND)
			.range(stored.get(0).serverTimestamp().plusMillis(1), stored.get(2).serverTimestamp().minusMillis(1))
			.build();

		assertThat(numbers(selection.select(session, stored, new LiveCursor()))).containsExactly("1001");
	}

	@Test
	void onDemandSelectsAndTimesByProducerTimestamps() {
		List<Fragment> stored = contiguous(5, T0.minusSeconds(100));
		Instant producerFirst = stored.get(0).producerTimestamp();
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND).producer()
			.range(producerFirst, producerFirst.plusSeconds(1))
			.build();

		Selection listed = selection.select(session, stored, new LiveCursor());

		assertThat(numbers(listed)).containsExactly("1000", "1001");
		assertThat(listed.entries().getFirst().timestamp()).isEqualTo(producerFirst);
	}

	@Test
	void producerTimestampDuplicatesKeepTheNewestFragment() {
		// "if there are multiple fragments with the same start timestamp, the fragment that has the largest fragment
		// number (that is, the newest fragment) is included"
		Instant p = T0.minusSeconds(50);
		List<Fragment> stored = List.of(fragment(0, p, T0.minusSeconds(50)), fragment(1, p.plusSeconds(1),
				T0.minusSeconds(49)), fragment(2, p, T0.minusSeconds(48)), fragment(3, p.plusSeconds(2),
						T0.minusSeconds(47)));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND).producer()
			.range(p.minusSeconds(1), p.plusSeconds(5))
			.build();

		assertThat(numbers(selection.select(session, stored, new LiveCursor())))
			.containsExactly("1001", "1002", "1003");
	}

	@Test
	void serverTimestampSessionsDoNotDeduplicateEqualProducerTimestamps() {
		Instant p = T0.minusSeconds(50);
		List<Fragment> stored = List.of(fragment(0, p, T0.minusSeconds(50)), fragment(1, p, T0.minusSeconds(49)));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND)
			.range(T0.minusSeconds(60), T0.minusSeconds(1))
			.build();

		assertThat(numbers(selection.select(session, stored, new LiveCursor()))).containsExactly("1000", "1001");
	}

	@Test
	void liveListsTheNewestFragmentsAndCountsTheMediaSequenceUp() {
		List<Fragment> stored = new ArrayList<>(contiguous(8, T0.minusSeconds(8)));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE).max(5).build();
		LiveCursor cursor = new LiveCursor();

		Selection first = selection.select(session, stored, cursor);
		assertThat(numbers(first)).containsExactly("1003", "1004", "1005", "1006", "1007");
		assertThat(first.firstSequence()).isZero();
		assertThat(first.ended()).isFalse();

		// The same playlist asked for again (the audio track's, say) numbers the same fragments the same way.
		assertThat(sequences(selection.select(session, stored, cursor))).containsExactly(0L, 1L, 2L, 3L, 4L);

		stored.add(fragment(8, T0, T0));
		stored.add(fragment(9, T0.plusSeconds(1), T0.plusSeconds(1)));
		Selection later = selection.select(session, stored, cursor);
		assertThat(numbers(later)).containsExactly("1005", "1006", "1007", "1008", "1009");
		assertThat(sequences(later)).containsExactly(2L, 3L, 4L, 5L, 6L);
	}

	@Test
	void liveNeverBackfillsAFragmentOlderThanOneAlreadyListed() {
		// "If the missing fragment becomes available after a subsequent fragment is added to the playlist, the older
		// fragment is not added, and the gap is not filled."
		Instant p = T0.minusSeconds(10);
		List<Fragment> stored = new ArrayList<>(List.of(fragment(0, p, T0.minusSeconds(3)),
				fragment(2, p.plusSeconds(2), T0.minusSeconds(2))));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE).producer().max(5).build();
		LiveCursor cursor = new LiveCursor();
		assertThat(numbers(selection.select(session, stored, cursor))).containsExactly("1000", "1002");

		stored.add(fragment(1, p.plusSeconds(1), T0.minusSeconds(1)));
		stored.add(fragment(3, p.plusSeconds(3), T0));
		Selection later = selection.select(session, stored, cursor);

		assertThat(numbers(later)).containsExactly("1000", "1002", "1003");
		assertThat(sequences(later)).containsExactly(0L, 1L, 2L);
	}

	@Test
	void liveChoosesTheNewestByIngestionEvenWithProducerTimestamps() {
		// "even if fragments ingested in the past have producer timestamps with values now, they are not included"
		List<Fragment> stored = List.of(fragment(0, T0, T0.minusSeconds(600)),
				fragment(1, T0.minusSeconds(3), T0.minusSeconds(2)), fragment(2, T0.minusSeconds(2), T0.minusSeconds(1)));
		StreamingSession session = session(Protocol.DASH, PlaybackMode.LIVE).producer().max(2).build();

		Selection listed = selection.select(session, stored, new LiveCursor());

		assertThat(numbers(listed)).containsExactly("1001", "1002");
		assertThat(listed.entries().getFirst().timestamp()).isEqualTo(T0.minusSeconds(3));
	}

	@Test
	void liveReplayAddsAFragmentEachTimeTheDurationOfThePreviousOneElapses() {
		List<Fragment> stored = contiguous(6, T0.minusSeconds(300));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE_REPLAY)
			.range(stored.get(1).serverTimestamp(), null)
			.max(3)
			.build();

		assertThat(numbers(selection.select(session, stored, new LiveCursor()))).containsExactly("1001");
		clock.set(T0.plusMillis(999));
		assertThat(numbers(selection.select(session, stored, new LiveCursor()))).containsExactly("1001");
		clock.set(T0.plusSeconds(1));
		assertThat(numbers(selection.select(session, stored, new LiveCursor()))).containsExactly("1001", "1002");
		clock.set(T0.plusSeconds(3));
		Selection window = selection.select(session, stored, new LiveCursor());
		assertThat(numbers(window)).containsExactly("1002", "1003", "1004");
		assertThat(window.firstSequence()).isEqualTo(1);
		assertThat(window.ended()).isFalse();
	}

	@Test
	void liveReplayWithoutEndContinuesIntoLiveAndWithEndFinishes() {
		List<Fragment> stored = new ArrayList<>(contiguous(2, T0.minusSeconds(2)));
		clock.set(T0.plusSeconds(60));
		StreamingSession open = session(Protocol.HLS, PlaybackMode.LIVE_REPLAY)
			.range(T0.minusSeconds(2), null)
			.build();
		assertThat(numbers(selection.select(open, stored, new LiveCursor()))).containsExactly("1000", "1001");

		stored.add(fragment(2, T0.plusSeconds(59), T0.plusSeconds(59)));
		Selection continued = selection.select(open, stored, new LiveCursor());
		assertThat(numbers(continued)).containsExactly("1000", "1001", "1002");
		assertThat(continued.ended()).isFalse();

		StreamingSession bounded = session(Protocol.HLS, PlaybackMode.LIVE_REPLAY)
			.range(T0.minusSeconds(2), T0.minusSeconds(1))
			.build();
		Selection finished = selection.select(bounded, stored, new LiveCursor());
		assertThat(numbers(finished)).containsExactly("1000", "1001");
		assertThat(finished.ended()).isTrue();
	}

	@Test
	void liveReplayHasNotEndedWhileFragmentsInRangeAreStillToBeAdded() {
		List<Fragment> stored = contiguous(3, T0.minusSeconds(30));
		StreamingSession bounded = session(Protocol.HLS, PlaybackMode.LIVE_REPLAY)
			.range(T0.minusSeconds(30), T0.minusSeconds(28))
			.build();

		assertThat(selection.select(bounded, stored, new LiveCursor()).ended()).isFalse();
		clock.set(T0.plusSeconds(2));
		assertThat(selection.select(bounded, stored, new LiveCursor()).ended()).isTrue();
	}

	@Test
	void discontinuityAlwaysMarksEveryFragmentButTheFirst() {
		List<Fragment> stored = contiguous(3, T0.minusSeconds(10));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND)
			.range(T0.minusSeconds(10), T0.minusSeconds(1))
			.build();

		Selection listed = selection.select(session, stored, new LiveCursor());

		assertThat(listed.entries()).extracting(Entry::discontinuity).containsExactly(false, true, true);
		assertThat(listed.entries()).extracting(Entry::discontinuitySequence).containsExactly(0L, 1L, 2L);
	}

	@Test
	void discontinuityNeverMarksNothing() {
		List<Fragment> stored = List.of(fragment(0, T0.minusSeconds(10), T0.minusSeconds(10)),
				fragment(1, T0.minusSeconds(5), T0.minusSeconds(5)));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND)
			.discontinuity(DiscontinuityMode.NEVER)
			.range(T0.minusSeconds(10), T0.minusSeconds(1))
			.build();

		assertThat(selection.select(session, stored, new LiveCursor()).entries()).extracting(Entry::discontinuity)
			.containsExactly(false, false);
	}

	@Test
	void onDiscontinuityMarksGapsAndOverlapsOfMoreThanFiftyMilliseconds() {
		// "a gap or overlap of more than 50 milliseconds"
		Instant t = T0.minusSeconds(60);
		List<Fragment> stored = List.of(fragment(0, t, t), // ends at t+1000
				fragment(1, t.plusMillis(1_050), t.plusMillis(1_050)), // gap of 50: none
				fragment(2, t.plusMillis(2_101), t.plusMillis(2_101)), // gap of 51: marked
				fragment(3, t.plusMillis(3_050), t.plusMillis(3_050)), // overlap of 51: marked
				fragment(4, t.plusMillis(4_000), t.plusMillis(4_000))); // overlap of 50: none
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND)
			.discontinuity(DiscontinuityMode.ON_DISCONTINUITY)
			.range(t, t.plusSeconds(10))
			.build();

		assertThat(selection.select(session, stored, new LiveCursor()).entries()).extracting(Entry::discontinuity)
			.containsExactly(false, false, true, true, false);
	}

	@Test
	void liveCountsDiscontinuitiesOfFragmentsThatLeftTheWindow() {
		List<Fragment> stored = new ArrayList<>(contiguous(3, T0.minusSeconds(10)));
		StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE).max(2).build();
		LiveCursor cursor = new LiveCursor();
		Selection first = selection.select(session, stored, cursor);
		assertThat(first.firstDiscontinuitySequence()).isZero();

		stored.add(fragment(3, T0.minusSeconds(7), T0.minusSeconds(7)));
		Selection later = selection.select(session, stored, cursor);

		assertThat(numbers(later)).containsExactly("1002", "1003");
		assertThat(later.firstSequence()).isEqualTo(1);
		assertThat(later.firstDiscontinuitySequence()).isEqualTo(1);
	}

	@Test
	void liveWithNoFragmentsListsNothing() {
		Selection listed = selection.select(session(Protocol.HLS, PlaybackMode.LIVE).build(), List.of(),
				new LiveCursor());

		assertThat(listed.entries()).isEmpty();
		assertThat(listed.firstSequence()).isZero();
	}

}
