package io.kvsgateway.kvs;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/** A stream's media in a time range as one MP4 file, as KVS GetClip makes it. */
public interface ClipSource {

	/**
	 * Asks KVS for a clip. KVS's refusals (no media in the range, more than 200 fragments or 100 MB, codecs it
	 * cannot package) arrive here, before any byte of the clip; the clip itself streams from the returned body.
	 *
	 * @param query must not be {@literal null}
	 * @return the open clip, which the caller must close; never {@literal null}
	 * @throws KvsException when KVS refuses or cannot be reached
	 */
	Clip open(Query query);

	/**
	 * What to clip.
	 *
	 * @param streamName a valid stream name
	 * @param selector which timestamps the range applies to
	 * @param start inclusive start: fragments that start at or after it
	 * @param end inclusive end: fragments that start at or before it
	 */
	record Query(String streamName, PlaybackUrlRequest.FragmentSelectorType selector, Instant start, Instant end) {
	}

	/**
	 * An open clip.
	 *
	 * @param contentType the media type KVS declared, {@code video/mp4}
	 * @param body the MP4 bytes as KVS sends them
	 */
	record Clip(String contentType, InputStream body) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			this.body.close();
		}

	}

}
