package io.kvsgateway.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.local.LocalFragmentStore.Fragment;

import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

/**
 * GetHLSStreamingSessionURL and GetDASHStreamingSessionURL: checks every parameter rule of the two API pages, then
 * issues a session URL carrying a sealed {@link StreamingSession}.
 */
class ArchivedMedia {

	static final int MIN_EXPIRES = 300;

	static final int MAX_EXPIRES = 43_200;

	static final int MAX_FRAGMENT_RESULTS = 5_000;

	static final Duration MAX_RANGE = Duration.ofHours(24);

	private final LocalStreams streams;

	private final LocalFragmentStore fragments;

	private final SessionTokens tokens;

	private final Clock clock;

	private final Duration liveWindow;

	ArchivedMedia(LocalStreams streams, LocalFragmentStore fragments, SessionTokens tokens, Clock clock,
			Duration liveWindow) {
		this.streams = streams;
		this.fragments = fragments;
		this.tokens = tokens;
		this.clock = clock;
		this.liveWindow = liveWindow;
	}

	/**
	 * Issues a new session URL under {@code baseUrl} (the data endpoint, ending in {@code /kvs}).
	 * @return the full URL of the HLS master playlist or the DASH manifest
	 */
	String sessionUrl(Protocol protocol, KvsRequest request, String baseUrl) {
		StreamingSession session = session(protocol, request);
		String token = tokens.seal(session);
		return switch (protocol) {
			case HLS -> baseUrl + "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=" + token;
			case DASH -> baseUrl + "/dash/v1/getDASHManifest.mpd?SessionToken=" + token;
		};
	}

	StreamingSession session(Protocol protocol, KvsRequest request) {
		Instant now = clock.instant();
		// Both pages: "You must specify either the StreamName or the StreamARN."
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);

		// "PlaybackMode ... The default is LIVE."
		PlaybackMode mode = request.enumValue("PlaybackMode", PlaybackMode.class, PlaybackMode.LIVE);

		KvsRequest selector = request.object(protocol == Protocol.HLS ? "HLSFragmentSelector" : "DASHFragmentSelector");
		// "FragmentSelectorType ... The default is SERVER_TIMESTAMP."
		FragmentSelectorType selectorType = (selector != null)
				? selector.enumValue("FragmentSelectorType", FragmentSelectorType.class,
						FragmentSelectorType.SERVER_TIMESTAMP)
				: FragmentSelectorType.SERVER_TIMESTAMP;
		KvsRequest range = (selector != null) ? selector.object("TimestampRange") : null;
		Instant start = (range != null) ? range.timestamp("StartTimestamp") : null;
		Instant end = (range != null) ? range.timestamp("EndTimestamp") : null;
		String rangeName = (selector != null) ? selector.qualified("TimestampRange") : "TimestampRange";
		checkRange(mode, selectorType, range, rangeName, start, end, now);

		ContainerFormat containerFormat = null;
		DiscontinuityMode discontinuityMode = null;
		Display displayFragmentNumber = null;
		if (protocol == Protocol.HLS) {
			// "ContainerFormat ... The default is FRAGMENTED_MP4."
			containerFormat = request.enumValue("ContainerFormat", ContainerFormat.class,
					ContainerFormat.FRAGMENTED_MP4);
			// "DiscontinuityMode ... The default is ALWAYS when HLSFragmentSelector is set to SERVER_TIMESTAMP, and
			// NEVER when it is set to PRODUCER_TIMESTAMP."
			discontinuityMode = request.enumValue("DiscontinuityMode", DiscontinuityMode.class,
					selectorType == FragmentSelectorType.SERVER_TIMESTAMP ? DiscontinuityMode.ALWAYS
							: DiscontinuityMode.NEVER);
		}
		else {
			// "DisplayFragmentNumber ... The default value is NEVER."
			displayFragmentNumber = request.enumValue("DisplayFragmentNumber", Display.class, Display.NEVER);
		}
		// "DisplayFragmentTimestamp ... The default is NEVER."
		Display displayFragmentTimestamp = request.enumValue("DisplayFragmentTimestamp", Display.class, Display.NEVER);

		// "Expires ... can be between 300 (5 minutes) and 43200 (12 hours) ... The default is 300."
		Long expires = request.integer("Expires");
		long expiresSeconds = (expires != null) ? expires : MIN_EXPIRES;
		if (expiresSeconds < MIN_EXPIRES || expiresSeconds > MAX_EXPIRES) {
			throw KvsError.invalidArgument("Expires must be between " + MIN_EXPIRES + " and " + MAX_EXPIRES
					+ " seconds, but was " + expiresSeconds + ".");
		}

		// "The default is 5 fragments if PlaybackMode is LIVE or LIVE_REPLAY, and 1,000 if PlaybackMode is ON_DEMAND."
		String maxName = (protocol == Protocol.HLS) ? "MaxMediaPlaylistFragmentResults" : "MaxManifestFragmentResults";
		Long max = request.integer(maxName);
		long maxResults = (max != null) ? max : (mode == PlaybackMode.ON_DEMAND ? 1_000 : 5);
		if (maxResults < 1 || maxResults > MAX_FRAGMENT_RESULTS) {
			throw KvsError.invalidArgument(
					maxName + " must be between 1 and " + MAX_FRAGMENT_RESULTS + ", but was " + maxResults + ".");
		}

		LocalStream stream = streams.resolve(name, arn);
		if (!stream.isActive()) {
			throw LocalStreams.notFound();
		}
		// Both pages: "Data retention must be greater than 0."
		if (stream.dataRetentionInHours() == 0) {
			throw KvsError.noDataRetention("The stream " + stream.streamName()
					+ " does not retain data (DataRetentionInHours is 0), so it cannot be played back.");
		}
		requireMedia(stream, mode, selectorType, start, end, now);

		return new StreamingSession(UUID.randomUUID().toString(), stream.streamName(), stream.streamId(), protocol,
				mode, selectorType, start, end, containerFormat, discontinuityMode, displayFragmentTimestamp,
				displayFragmentNumber, (int) maxResults, now, now.plusSeconds(expiresSeconds));
	}

	/** The TimestampRange rules of the HLSFragmentSelector / DASHFragmentSelector sections of the API pages. */
	private static void checkRange(PlaybackMode mode, FragmentSelectorType selectorType, @Nullable KvsRequest range,
			String rangeName, @Nullable Instant start, @Nullable Instant end, Instant now) {
		if (mode == PlaybackMode.LIVE) {
			// "If PlaybackMode is LIVE, the FragmentSelectorType can be set, but the TimestampRange should not be set."
			if (range != null) {
				throw KvsError.invalidArgument(rangeName + " must not be set when PlaybackMode is LIVE.");
			}
			return;
		}
		// "If PlaybackMode is ON_DEMAND or LIVE_REPLAY, both FragmentSelectorType and TimestampRange must be set."
		if (range == null) {
			throw KvsError.invalidArgument(rangeName + " is required when PlaybackMode is " + mode + ".");
		}
		// "If the TimestampRange value is specified, the StartTimestamp value is required."
		if (start == null) {
			throw KvsError.invalidArgument(range.qualified("StartTimestamp") + " is required when PlaybackMode is "
					+ mode + ".");
		}
		// "The EndTimestamp value is required for ON_DEMAND mode, but optional for LIVE_REPLAY mode."
		if (end == null) {
			if (mode == PlaybackMode.ON_DEMAND) {
				throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " is required when PlaybackMode is "
						+ "ON_DEMAND.");
			}
			return;
		}
		// "This value must be within 24 hours of the specified StartTimestamp, and it must be later than the
		// StartTimestamp value."
		if (!end.isAfter(start)) {
			throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " must be later than "
					+ range.qualified("StartTimestamp") + ".");
		}
		if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
			throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " must be within 24 hours of "
					+ range.qualified("StartTimestamp") + ".");
		}
		// "If FragmentSelectorType for the request is SERVER_TIMESTAMP, this value must be in the past."
		if (selectorType == FragmentSelectorType.SERVER_TIMESTAMP && end.isAfter(now)) {
			throw KvsError.invalidArgument(range.qualified("EndTimestamp")
					+ " must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.");
		}
	}

	private void requireMedia(LocalStream stream, PlaybackMode mode, FragmentSelectorType selectorType,
			@Nullable Instant start, @Nullable Instant end, Instant now) {
		switch (mode) {
			case LIVE -> {
				// KVS answers LIVE with 404 when nothing was ingested within about the last 30 s; LIVE always picks
				// the newest fragments by server timestamp, whatever the selector type.
				Optional<Instant> newest = fragments.newestOf(stream.streamId())
					.map(LocalFragmentStore.Fragment::serverTimestamp);
				if (newest.isEmpty() || newest.get().isBefore(now.minus(liveWindow))) {
					throw noFragments();
				}
			}
			case ON_DEMAND -> {
				if (fragments.select(stream.streamId(), LocalFragmentStore.within(timestampOf(selectorType), start, end),
						null, 1).isEmpty()) {
					throw noFragments();
				}
			}
			case LIVE_REPLAY -> {
				// May start before any media: the session continues into live as fragments arrive.
			}
		}
	}

	private static Function<Fragment, Instant> timestampOf(FragmentSelectorType selectorType) {
		return (selectorType == FragmentSelectorType.SERVER_TIMESTAMP) ? Fragment::serverTimestamp
				: Fragment::producerTimestamp;
	}

	private static KvsError noFragments() {
		return KvsError.resourceNotFound("No fragments found in the stream for the streaming request.");
	}

}
