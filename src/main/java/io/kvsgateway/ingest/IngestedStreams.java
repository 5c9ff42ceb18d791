package io.kvsgateway.ingest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.kvsgateway.media.Track;

/**
 * The streams whose latest header lacked what playback needs. Only not-playable streams are held, so the map is as
 * large as the number of broken cameras; a later header with codec private data clears the entry. Also the shape
 * (tracks, fragment duration) of streams uploaded lately, bounded and forgotten some minutes after the last fragment.
 */
@Component
class IngestedStreams implements StreamHealth, IngestedShape {

	/** Fragment durations kept per stream for the median: enough to outvote one short fragment at a rotation. */
	private static final int DURATIONS = 5;

	private static final Logger log = LoggerFactory.getLogger(IngestedStreams.class);

	private final Map<String, String> notPlayable = new ConcurrentHashMap<>();

	private final Cache<String, Observed> shapes = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterWrite(Duration.ofMinutes(10))
		.build();

	@Override
	public Optional<Shape> shapeOf(String streamName) {
		Observed observed = shapes.getIfPresent(streamName);
		return observed == null ? Optional.empty() : Optional.ofNullable(observed.shape());
	}

	/**
	 * Records one fragment's duration, the distance between its Cluster timecode and the one before (the last
	 * fragment's own duration is not known until the next starts).
	 */
	void fragmentRead(String streamName, Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			return;
		}
		Observed observed = shapes.getIfPresent(streamName);
		if (observed != null) {
			shapes.put(streamName, observed.with(duration));
		}
	}

	@Override
	public Optional<String> notPlayableReason(String streamName) {
		return Optional.ofNullable(notPlayable.get(streamName));
	}

	/** Records what a Segment header says about the stream's playability. */
	void headerRead(String streamName, List<Track> tracks) {
		if (!tracks.isEmpty()) {
			shapes.asMap().compute(streamName, (name, observed) -> observed == null
					? new Observed(tracks.size(), new long[0]) : new Observed(tracks.size(), observed.durations));
		}
		Optional<String> reason = tracks.stream()
			.filter(track -> track.type() == Track.Type.VIDEO && !track.hasCodecPrivate())
			.findFirst()
			.map(track -> "MissingCodecPrivateDataException: video track " + track.number() + " ("
					+ track.codecId() + ") has no codec private data, so KVS cannot play it back");
		if (reason.isPresent()) {
			if (!reason.get().equals(notPlayable.put(streamName, reason.get()))) {
				log.warn("Stream {} is not playable: {}", streamName, reason.get());
			}
		}
		else {
			notPlayable.remove(streamName);
		}
	}

	/** A stream's track count and its latest fragment durations in nanoseconds, oldest first; immutable. */
	private record Observed(int tracks, long[] durations) {

		Observed with(Duration duration) {
			long[] kept = Arrays.copyOfRange(durations, Math.max(0, durations.length - DURATIONS + 1),
					durations.length + 1);
			kept[kept.length - 1] = duration.toNanos();
			return new Observed(tracks, kept);
		}

		@Nullable Shape shape() {
			if (durations.length == 0) {
				return null;
			}
			long[] sorted = durations.clone();
			Arrays.sort(sorted);
			return new Shape(tracks, Duration.ofNanos(sorted[sorted.length / 2]));
		}

	}

}
