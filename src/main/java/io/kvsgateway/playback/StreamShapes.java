package io.kvsgateway.playback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.kvsgateway.ingest.IngestedShape;
import io.kvsgateway.kvs.FragmentTimeline;
import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.kvs.PlaybackUrlRequest.FragmentSelectorType;
import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.Permit;

/**
 * The track count and fragment duration of each stream, which price its playback sessions. From the gateway's own
 * ingest when the camera uploads through it; otherwise from one ListFragments call over the last minutes (the median
 * {@code FragmentLengthInMilliseconds}), cached for a minute. ListFragments says nothing about tracks, so a stream the
 * gateway has not ingested is assumed to carry two (audio and video): a video-only stream is then priced at twice its
 * cost, which refuses sessions early rather than letting KVS throttle the ones already playing.
 */
@Component
class StreamShapes {

	/** Tracks assumed when ingest has not seen the stream: audio and video, the guide's example and the dearer case. */
	static final int ASSUMED_TRACKS = 2;

	/**
	 * Fragment duration assumed when no fragment is found: the shortest KVS sees (producer SDKs make 1 to 10 s), so the
	 * dearest, because a live player refreshes once per fragment.
	 */
	static final Duration ASSUMED_FRAGMENT_DURATION = Duration.ofSeconds(1);

	/** The probe's MaxResults, and so its fragment-metadata cost (developer guide, quota consumption tables). */
	static final int PROBE_FRAGMENTS = 10;

	private static final Duration PROBE_WINDOW = Duration.ofMinutes(5);

	private static final Logger log = LoggerFactory.getLogger(StreamShapes.class);

	private final IngestedShape ingested;

	private final FragmentTimeline timeline;

	private final Admission admission;

	private final Clock clock;

	private final Cache<String, Shape> probed;

	StreamShapes(IngestedShape ingested, FragmentTimeline timeline, Admission admission, Clock clock) {
		this.ingested = ingested;
		this.timeline = timeline;
		this.admission = admission;
		this.clock = clock;
		this.probed = Caffeine.newBuilder()
			.maximumSize(10_000)
			.expireAfterWrite(Duration.ofMinutes(1))
			.ticker(() -> clock.millis() * 1_000_000)
			.build();
	}

	/**
	 * @param streamName a valid stream name
	 * @return the stream's shape, as observed or else assumed; never {@literal null}
	 */
	Shape of(String streamName) {
		Optional<IngestedShape.Shape> seen = ingested.shapeOf(streamName);
		if (seen.isPresent()) {
			return new Shape(seen.get().tracks(), seen.get().fragmentDuration(), Source.INGEST);
		}
		Shape cached = probed.getIfPresent(streamName);
		if (cached != null) {
			return cached;
		}
		Shape shape = probe(streamName);
		if (shape != null) {
			probed.put(streamName, shape);
			return shape;
		}
		// Not cached: the probe could not be afforded or KVS failed; the next session tries again.
		return new Shape(ASSUMED_TRACKS, ASSUMED_FRAGMENT_DURATION, Source.ASSUMED);
	}

	/** @return the shape from recent fragments, the assumed one when there are none, null when the probe failed */
	private @Nullable Shape probe(String streamName) {
		// The gateway's own ListFragments costs its MaxResults like a viewer's; when the stream cannot afford it now,
		// price the session with the assumptions instead of refusing it for the probe's sake.
		if (!(admission.debit(streamName, PROBE_FRAGMENTS, 0) instanceof Permit.Acquired)) {
			return null;
		}
		Instant now = clock.instant();
		List<FragmentTimeline.Fragment> fragments;
		try {
			fragments = timeline.list(new FragmentTimeline.Query(streamName, FragmentSelectorType.SERVER_TIMESTAMP,
					now.minus(PROBE_WINDOW), now, PROBE_FRAGMENTS, null)).fragments();
		}
		catch (KvsException e) {
			log.debug("Could not list fragments of {} to price its sessions: {}", streamName, e.toString());
			return null;
		}
		long[] millis = fragments.stream().mapToLong(FragmentTimeline.Fragment::durationMillis).filter(ms -> ms > 0)
			.sorted().toArray();
		if (millis.length == 0) {
			return new Shape(ASSUMED_TRACKS, ASSUMED_FRAGMENT_DURATION, Source.ASSUMED);
		}
		return new Shape(ASSUMED_TRACKS, Duration.ofMillis(median(millis)), Source.LIST_FRAGMENTS);
	}

	private static long median(long[] sorted) {
		return sorted[sorted.length / 2];
	}

	/**
	 * @param tracks the track count, at least 1
	 * @param fragmentDuration the typical fragment duration, positive
	 * @param source where the figures come from
	 */
	record Shape(int tracks, Duration fragmentDuration, Source source) {
	}

	/** Where a shape comes from. */
	enum Source {

		/** Both figures from media this gateway ingested. */
		INGEST,

		/** The fragment duration from ListFragments; the track count assumed. */
		LIST_FRAGMENTS,

		/** Both assumed: no recent fragment was found. */
		ASSUMED

	}

}
