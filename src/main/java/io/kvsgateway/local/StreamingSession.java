package io.kvsgateway.local;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An HLS or DASH streaming session with every effective parameter, defaults included, as sealed into its token.
 *
 * @param sessionId random id, unique per issued URL
 * @param streamName the stream played
 * @param streamId the stream's id at issue time, so a deleted-and-recreated stream does not honour old tokens
 * @param protocol HLS or DASH
 * @param playbackMode LIVE, LIVE_REPLAY or ON_DEMAND
 * @param fragmentSelectorType which timestamps select fragments
 * @param startTimestamp start of the range (LIVE_REPLAY, ON_DEMAND)
 * @param endTimestamp end of the range (ON_DEMAND, optionally LIVE_REPLAY)
 * @param containerFormat HLS only
 * @param discontinuityMode HLS only
 * @param displayFragmentTimestamp HLS and DASH
 * @param displayFragmentNumber DASH only
 * @param maxFragmentResults fragments per playlist or manifest
 * @param issuedAt when the URL was issued
 * @param expiresAt when the session stops answering
 */
record StreamingSession(String sessionId, String streamName, String streamId, Protocol protocol,
		PlaybackMode playbackMode, FragmentSelectorType fragmentSelectorType, @Nullable Instant startTimestamp,
		@Nullable Instant endTimestamp, @Nullable ContainerFormat containerFormat,
		@Nullable DiscontinuityMode discontinuityMode, Display displayFragmentTimestamp,
		@Nullable Display displayFragmentNumber, int maxFragmentResults, Instant issuedAt, Instant expiresAt) {

	/** Streaming protocol of a session. */
	enum Protocol {

		HLS, DASH

	}

	/** KVS PlaybackMode. */
	enum PlaybackMode {

		LIVE, LIVE_REPLAY, ON_DEMAND

	}

	/** KVS FragmentSelectorType. */
	enum FragmentSelectorType {

		PRODUCER_TIMESTAMP, SERVER_TIMESTAMP

	}

	/** KVS HLS ContainerFormat. */
	enum ContainerFormat {

		FRAGMENTED_MP4, MPEG_TS

	}

	/** KVS HLS DiscontinuityMode. */
	enum DiscontinuityMode {

		ALWAYS, NEVER, ON_DISCONTINUITY

	}

	/** KVS DisplayFragmentTimestamp / DisplayFragmentNumber. */
	enum Display {

		ALWAYS, NEVER

	}

}
