package io.kvsgateway.quota;

import java.time.Duration;

/**
 * What admission needs to know about a playback session to price it: how it is played and the shape of the stream.
 *
 * @param protocol HLS or DASH
 * @param playbackMode LIVE, LIVE_REPLAY or ON_DEMAND
 * @param maxFragmentResults {@code MaxMediaPlaylistFragmentResults} or {@code MaxManifestFragmentResults} (1–5,000):
 * the fragment-metadata points each playlist or manifest request costs
 * @param tracks the stream's track count (1 or more)
 * @param fragmentDuration the stream's fragment duration (KVS: 1–20 s), how often live players refresh
 */
public record SessionProfile(Protocol protocol, PlaybackMode playbackMode, int maxFragmentResults, int tracks,
		Duration fragmentDuration) {

	public SessionProfile {
		if (maxFragmentResults < 1 || maxFragmentResults > 5000) {
			throw new IllegalArgumentException("maxFragmentResults must be 1–5000, was " + maxFragmentResults);
		}
		if (tracks < 1) {
			throw new IllegalArgumentException("tracks must be at least 1, was " + tracks);
		}
		if (fragmentDuration.isNegative() || fragmentDuration.isZero()) {
			throw new IllegalArgumentException("fragmentDuration must be positive, was " + fragmentDuration);
		}
	}

	/** Streaming protocol of the session. */
	public enum Protocol {

		HLS, DASH

	}

	/** KVS playback mode of the session. */
	public enum PlaybackMode {

		LIVE, LIVE_REPLAY, ON_DEMAND

	}

}
