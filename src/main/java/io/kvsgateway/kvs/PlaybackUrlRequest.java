package io.kvsgateway.kvs;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What a viewer's playback session asks KVS for: the parameters of {@code GetHLSStreamingSessionURL} or
 * {@code GetDASHStreamingSessionURL}, already checked against the KVS rules and with KVS's documented defaults filled in.
 *
 * @param streamName a valid KVS stream name
 * @param protocol HLS or DASH
 * @param playbackMode LIVE, LIVE_REPLAY or ON_DEMAND
 * @param fragmentSelectorType which timestamps select fragments
 * @param startTimestamp start of the range; {@literal null} for LIVE
 * @param endTimestamp end of the range; {@literal null} for LIVE and an open-ended LIVE_REPLAY
 * @param containerFormat HLS only; {@literal null} for DASH
 * @param discontinuityMode HLS only; {@literal null} for DASH
 * @param displayFragmentTimestamp whether playlists carry fragment timestamps
 * @param displayFragmentNumber DASH only; {@literal null} for HLS
 * @param expiresInSeconds session lifetime, 300–43200
 * @param maxFragmentResults fragments per playlist or manifest, 1–5000
 */
public record PlaybackUrlRequest(
		String streamName,
		Protocol protocol,
		PlaybackMode playbackMode,
		FragmentSelectorType fragmentSelectorType,
		@Nullable Instant startTimestamp,
		@Nullable Instant endTimestamp,
		@Nullable ContainerFormat containerFormat,
		@Nullable DiscontinuityMode discontinuityMode,
		Display displayFragmentTimestamp,
		@Nullable Display displayFragmentNumber,
		int expiresInSeconds,
		int maxFragmentResults) {

	public PlaybackUrlRequest {
		Objects.requireNonNull(streamName, "streamName");
		Objects.requireNonNull(protocol, "protocol");
		Objects.requireNonNull(playbackMode, "playbackMode");
		Objects.requireNonNull(fragmentSelectorType, "fragmentSelectorType");
		Objects.requireNonNull(displayFragmentTimestamp, "displayFragmentTimestamp");
	}

	/** Streaming protocol of a session. */
	public enum Protocol {
		HLS, DASH
	}

	/** KVS {@code PlaybackMode}. */
	public enum PlaybackMode {
		LIVE, LIVE_REPLAY, ON_DEMAND
	}

	/** KVS {@code FragmentSelectorType}. */
	public enum FragmentSelectorType {
		PRODUCER_TIMESTAMP, SERVER_TIMESTAMP
	}

	/** KVS {@code ContainerFormat} (HLS only). */
	public enum ContainerFormat {
		FRAGMENTED_MP4, MPEG_TS
	}

	/** KVS {@code DiscontinuityMode} (HLS only). */
	public enum DiscontinuityMode {
		ALWAYS, NEVER, ON_DISCONTINUITY
	}

	/** KVS {@code DisplayFragmentTimestamp} / {@code DisplayFragmentNumber}. */
	public enum Display {
		ALWAYS, NEVER
	}

}
