package io.kvsgateway.ingest;

import java.time.Duration;
import java.util.Optional;

/**
 * What ingest has seen of a stream's shape: how many tracks its cameras send and how long their fragments last. The
 * quota scheduler prices a playback session by both (developer guide, "Fragment-metadata and fragment-media quotas",
 * example 1), and the gateway knows them for free when the media came through it. Kept in memory by the replica that
 * received the upload, for a while after the upload ends.
 */
public interface IngestedShape {

	/**
	 * @param streamName a stream name; must not be {@literal null}
	 * @return the stream's track count and median recent fragment duration, or empty when this gateway has not seen
	 * two fragments of it lately; never {@literal null}
	 */
	Optional<Shape> shapeOf(String streamName);

	/**
	 * @param tracks tracks in the latest Segment header, at least 1
	 * @param fragmentDuration the median of the latest fragment durations, positive
	 */
	record Shape(int tracks, Duration fragmentDuration) {
	}

}
