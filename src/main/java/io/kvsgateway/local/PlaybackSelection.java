package io.kvsgateway.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;

/**
 * Which fragments an HLS media playlist or a DASH manifest of a session lists right now, with their media sequence
 * numbers and discontinuities, following the PlaybackMode, FragmentSelectorType and DiscontinuityMode sections of the
 * GetHLSStreamingSessionURL and GetDASHStreamingSessionURL pages.
 * <p>
 * ON_DEMAND and LIVE_REPLAY are pure functions of the stored fragments, the session and the clock. LIVE keeps a
 * {@link LiveCursor} per session, because its media sequence numbers must keep counting up as the window of newest
 * fragments slides, and a fragment that turns up after a newer one was listed must never be inserted.
 */
final class PlaybackSelection {

	/** DiscontinuityMode ON_DISCONTINUITY: "a gap or overlap of more than 50 milliseconds". */
	static final Duration DISCONTINUITY_TOLERANCE = Duration.ofMillis(50);

	private final Clock clock;

	PlaybackSelection(Clock clock) {
		this.clock = clock;
	}

	/**
	 * @param session the session
	 * @param stored every fragment of the session's stream, in ingestion (fragment-number) order
	 * @param cursor the session's live state; only LIVE uses it
	 * @return what to list now
	 */
	Selection select(StreamingSession session, List<Fragment> stored, LiveCursor cursor) {
		return switch (session.playbackMode()) {
			case ON_DEMAND -> onDemand(session, stored);
			case LIVE_REPLAY -> liveReplay(session, stored);
			case LIVE -> live(session, stored, cursor);
		};
	}

	/** "Contains all the fragments for the session, up to the number that is specified" - the oldest ones. */
	private Selection onDemand(StreamingSession session, List<Fragment> stored) {
		List<Candidate> candidates = deduplicated(session, inRange(session, stored));
		List<Entry> entries = numbered(session, candidates, candidates.size());
		return new Selection(entries.subList(0, Math.min(entries.size(), session.maxFragmentResults())), true);
	}

	/**
	 * "Instead of fragments being added as they are ingested, fragments are added as the duration of the next fragment
	 * elapses": the first fragment from StartTimestamp is listed when the session begins, each next one once the
	 * fragments before it have had time to play. The window then keeps the newest MaxResults, as in LIVE.
	 */
	private Selection liveReplay(StreamingSession session, List<Fragment> stored) {
		List<Candidate> candidates = withoutBackfill(deduplicated(session, inRange(session, stored)));
		Duration elapsed = Duration.between(session.issuedAt(), clock.instant());
		Duration played = Duration.ZERO;
		int due = 0;
		while (due < candidates.size() && played.compareTo(elapsed) <= 0) {
			played = played.plus(candidates.get(due).fragment().duration());
			due++;
		}
		List<Entry> entries = numbered(session, candidates, due);
		int from = Math.max(0, entries.size() - session.maxFragmentResults());
		// "If the EndTimestamp is not set for LIVE_REPLAY mode then the session will continue to include newly
		// ingested fragments": with one, the session ends once everything up to it has been listed and no more can
		// arrive (server timestamps at or before a past EndTimestamp never can; producer ones can until it passes).
		Instant end = session.endTimestamp();
		boolean ended = end != null && due == candidates.size()
				&& (session.fragmentSelectorType() == FragmentSelectorType.SERVER_TIMESTAMP
						|| clock.instant().isAfter(end));
		return new Selection(entries.subList(from, entries.size()), ended);
	}

	/**
	 * "The newest available fragments are included ... even if there is a gap", "fragments are not added ... if they
	 * are older than the newest fragment in the playlist", and the newest are chosen by server timestamp (ingestion
	 * order) whatever the selector type.
	 */
	private Selection live(StreamingSession session, List<Fragment> stored, LiveCursor cursor) {
		// The "newest fragment in the playlist" is the cursor's to remember: judged over the whole history instead,
		// one old fragment with a far-future producer timestamp would hide every later one.
		List<Candidate> candidates = deduplicated(session, timestamped(session, stored));
		List<Candidate> window = candidates.subList(Math.max(0, candidates.size() - session.maxFragmentResults()),
				candidates.size());
		List<Entry> entries = cursor.admit(window, session.discontinuityMode());
		return new Selection(entries, false);
	}

	private static List<Candidate> timestamped(StreamingSession session, List<Fragment> stored) {
		List<Candidate> candidates = new ArrayList<>(stored.size());
		for (Fragment fragment : stored) {
			candidates.add(new Candidate(fragment, timestampOf(session, fragment)));
		}
		return candidates;
	}

	/**
	 * StartTimestamp: "Only fragments that start exactly at or after StartTimestamp are included"; EndTimestamp: "This
	 * value is inclusive ... compared to the (starting) timestamp of the fragment".
	 */
	private static List<Candidate> inRange(StreamingSession session, List<Fragment> stored) {
		Instant start = session.startTimestamp();
		Instant end = session.endTimestamp();
		List<Candidate> candidates = new ArrayList<>();
		for (Candidate candidate : timestamped(session, stored)) {
			if ((start == null || !candidate.timestamp().isBefore(start))
					&& (end == null || !candidate.timestamp().isAfter(end))) {
				candidates.add(candidate);
			}
		}
		return candidates;
	}

	/**
	 * "If FragmentSelectorType is PRODUCER_TIMESTAMP, and if there are multiple fragments with the same start
	 * timestamp, the fragment that has the largest fragment number (that is, the newest fragment) is included".
	 */
	private static List<Candidate> deduplicated(StreamingSession session, List<Candidate> candidates) {
		if (session.fragmentSelectorType() != FragmentSelectorType.PRODUCER_TIMESTAMP) {
			return candidates;
		}
		Map<Instant, Integer> newest = new HashMap<>();
		for (int i = 0; i < candidates.size(); i++) {
			newest.put(candidates.get(i).timestamp(), i);
		}
		List<Candidate> kept = new ArrayList<>(newest.size());
		for (int i = 0; i < candidates.size(); i++) {
			if (newest.get(candidates.get(i).timestamp()) == i) {
				kept.add(candidates.get(i));
			}
		}
		return kept;
	}

	/** A fragment ingested after one with a later timestamp is a gap filled late: it is never inserted. */
	private static List<Candidate> withoutBackfill(List<Candidate> candidates) {
		List<Candidate> kept = new ArrayList<>(candidates.size());
		Instant newest = null;
		for (Candidate candidate : candidates) {
			if (newest != null && candidate.timestamp().isBefore(newest)) {
				continue;
			}
			kept.add(candidate);
			newest = candidate.timestamp();
		}
		return kept;
	}

	/** Numbers the first {@code count} candidates from 0, the position in the session's timeline. */
	private static List<Entry> numbered(StreamingSession session, List<Candidate> candidates, int count) {
		List<Entry> entries = new ArrayList<>(count);
		long discontinuities = 0;
		Candidate previous = null;
		for (int i = 0; i < count; i++) {
			Candidate candidate = candidates.get(i);
			boolean discontinuity = discontinuity(session.discontinuityMode(), previous, candidate);
			if (discontinuity) {
				discontinuities++;
			}
			entries.add(new Entry(candidate.fragment(), candidate.timestamp(), i, discontinuity, discontinuities));
			previous = candidate;
		}
		return entries;
	}

	/** Whether a discontinuity marker goes between two consecutive fragments (never before the first). */
	static boolean discontinuity(@Nullable DiscontinuityMode mode, @Nullable Candidate previous, Candidate next) {
		if (previous == null || mode == null) {
			return false;
		}
		return switch (mode) {
			case ALWAYS -> true;
			case NEVER -> false;
			case ON_DISCONTINUITY -> Duration.between(previous.end(), next.timestamp()).abs()
				.compareTo(DISCONTINUITY_TOLERANCE) > 0;
		};
	}

	/** "When HLSFragmentSelector is SERVER_TIMESTAMP, the timestamps will be the server start timestamps." */
	static Instant timestampOf(StreamingSession session, Fragment fragment) {
		return (session.fragmentSelectorType() == FragmentSelectorType.PRODUCER_TIMESTAMP)
				? fragment.producerTimestamp() : fragment.serverTimestamp();
	}

	/** A stored fragment with the timestamp the session selects and plays it by. */
	record Candidate(Fragment fragment, Instant timestamp) {

		Instant end() {
			return timestamp.plus(fragment.duration());
		}

	}

	/**
	 * One listed fragment.
	 *
	 * @param fragment the stored fragment
	 * @param timestamp its start on the session's clock (producer or server timestamp)
	 * @param sequence its media sequence number in the session, counting from 0
	 * @param discontinuity whether a discontinuity lies between it and the fragment before it in the session
	 * @param discontinuitySequence how many discontinuities lie before it in the session, its own included
	 */
	record Entry(Fragment fragment, Instant timestamp, long sequence, boolean discontinuity,
			long discontinuitySequence) {

		Duration duration() {
			return fragment.duration();
		}

		String fragmentNumber() {
			return fragment.fragmentNumber();
		}

	}

	/**
	 * What a playlist or manifest lists.
	 *
	 * @param entries the fragments in order, sequence numbers consecutive
	 * @param ended whether nothing will ever be added (ON_DEMAND, or a LIVE_REPLAY past its EndTimestamp)
	 */
	record Selection(List<Entry> entries, boolean ended) {

		Selection {
			entries = List.copyOf(entries);
		}

		long firstSequence() {
			return entries.isEmpty() ? 0 : entries.getFirst().sequence();
		}

		long firstDiscontinuitySequence() {
			return entries.isEmpty() ? 0 : entries.getFirst().discontinuitySequence();
		}

	}

	/**
	 * The memory of a LIVE session: which fragments got which media sequence numbers, and the newest timestamp
	 * listed. Bounded: only the last few windows' numbers are kept, which is all a sliding window can ask for again.
	 */
	static final class LiveCursor {

		private final Map<String, Entry> assigned = new LinkedHashMap<>();

		private long nextSequence;

		private long discontinuities;

		private @Nullable Candidate last;

		/** LIVE with producer timestamps: wall-clock (server) time minus media time, fixed at the first fragment. */
		private @Nullable Duration mediaToWallClock;

		synchronized List<Entry> admit(List<Candidate> window, @Nullable DiscontinuityMode mode) {
			List<Entry> entries = new ArrayList<>(window.size());
			for (Candidate candidate : window) {
				Entry known = assigned.get(candidate.fragment().fragmentNumber());
				if (known != null) {
					entries.add(known);
					continue;
				}
				if (last != null && candidate.timestamp().isBefore(last.timestamp())) {
					continue;
				}
				boolean discontinuity = discontinuity(mode, last, candidate);
				if (discontinuity) {
					discontinuities++;
				}
				Entry entry = new Entry(candidate.fragment(), candidate.timestamp(), nextSequence++, discontinuity,
						discontinuities);
				if (mediaToWallClock == null) {
					mediaToWallClock = Duration.between(candidate.timestamp(),
							candidate.fragment().serverTimestamp());
				}
				assigned.put(candidate.fragment().fragmentNumber(), entry);
				last = candidate;
				entries.add(entry);
			}
			int keep = 2 * window.size() + 16;
			var iterator = assigned.values().iterator();
			while (assigned.size() > keep && iterator.hasNext()) {
				iterator.next();
				iterator.remove();
			}
			return entries;
		}

		synchronized Duration mediaToWallClock() {
			return (mediaToWallClock != null) ? mediaToWallClock : Duration.ZERO;
		}

	}

}
