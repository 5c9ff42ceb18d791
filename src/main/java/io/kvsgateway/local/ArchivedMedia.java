package io.kvsgateway.local;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import io.kvsgateway.local.LocalFragmentStore.Fragment;

import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

/**
 * The archived-media API: GetHLSStreamingSessionURL and GetDASHStreamingSessionURL check every parameter rule of the
 * two API pages, then issue a session URL carrying a sealed {@link StreamingSession}; ListFragments lists stored
 * fragments.
 */
class ArchivedMedia {

	static final int MIN_EXPIRES = 300;

	static final int MAX_EXPIRES = 43_200;

	static final int MAX_FRAGMENT_RESULTS = 5_000;

	static final Duration MAX_RANGE = Duration.ofHours(24);

	static final int MAX_LIST_RESULTS = 1_000;

	private final LocalStreams streams;

	private final LocalFragmentStore fragments;

	private final SessionTokens tokens;

	private final Clock clock;

	private final Duration liveWindow;

	private final LocalQuotas quotas;

	ArchivedMedia(LocalStreams streams, LocalFragmentStore fragments, SessionTokens tokens, Clock clock,
			Duration liveWindow, LocalQuotas quotas) {
		this.quotas = quotas;
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
		quotas.call(stream.streamName(), (protocol == Protocol.HLS) ? LocalQuotas.Api.GET_HLS_STREAMING_SESSION_URL
				: LocalQuotas.Api.GET_DASH_STREAMING_SESSION_URL);
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
		checkEndTimestamp(selectorType, range, start, end, now);
	}

	/**
	 * The EndTimestamp rules the session-URL and GetClip pages share: "This value must be within 24 hours of the
	 * specified StartTimestamp, and it must be later than the StartTimestamp value. If FragmentSelectorType for the
	 * request is SERVER_TIMESTAMP, this value must be in the past."
	 */
	static void checkEndTimestamp(FragmentSelectorType selectorType, KvsRequest range, Instant start, Instant end,
			Instant now) {
		if (!end.isAfter(start)) {
			throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " must be later than "
					+ range.qualified("StartTimestamp") + ".");
		}
		if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
			throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " must be within 24 hours of "
					+ range.qualified("StartTimestamp") + ".");
		}
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

	/**
	 * ListFragments, as its API page describes it: the fragments of a stream whose server or producer timestamp lies
	 * in an inclusive range, paged by MaxResults and NextToken.
	 */
	ObjectNode listFragments(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);

		// ListFragmentsMaxResults: "min":1, "max":1000 in the service model; the page names no default, so the
		// largest page is the default.
		Long max = request.integer("MaxResults");
		long maxResults = (max != null) ? max : MAX_LIST_RESULTS;
		if (maxResults < 1 || maxResults > MAX_LIST_RESULTS) {
			throw KvsError.invalidArgument("1 validation error detected: Value '" + maxResults
					+ "' at 'maxResults' failed to satisfy constraint: Member must have value "
					+ (maxResults < 1 ? "greater than or equal to 1" : "less than or equal to " + MAX_LIST_RESULTS)
					+ ".");
		}

		// FragmentSelector: "This is only required when the NextToken isn't passed in the API."
		KvsRequest selector = request.object("FragmentSelector");
		ListQuery query = (selector != null) ? ListQuery.of(selector) : null;
		String token = request.string("NextToken");
		String after = null;
		LocalStream stream;
		if (token != null) {
			ListToken decoded = ListToken.decode(token);
			if (query != null && !query.equals(decoded.query())) {
				throw KvsError.invalidArgument("FragmentSelector does not match the query the NextToken continues.");
			}
			stream = streams.resolve(name, arn);
			if (!stream.streamId().equals(decoded.streamId())) {
				throw KvsError.invalidArgument("NextToken does not belong to this stream.");
			}
			query = decoded.query();
			after = decoded.after();
		}
		else {
			if (query == null) {
				throw KvsError.invalidArgument("FragmentSelector is required when NextToken is not specified.");
			}
			stream = streams.resolve(name, arn);
		}

		// FragmentSelector: "Only fragments with a start timestamp greater than or equal to the given start time and
		// less than or equal to the end time are returned." The output's "Results are in no specific order" allows
		// fragment-number order, which is also what makes "after the last number returned" a stable NextToken.
		// "Fragment-metadata quota consumption": ListFragments costs its MaxResults, however many fragments it finds.
		quotas.consume(stream.streamName(), LocalQuotas.Api.LIST_FRAGMENTS, maxResults, 0);
		List<Fragment> page = fragments.select(stream.streamId(),
				LocalFragmentStore.within(timestampOf(query.type()), query.start(), query.end()), after,
				(int) maxResults + 1);
		boolean more = page.size() > maxResults;
		if (more) {
			page = page.subList(0, (int) maxResults);
		}
		ObjectNode result = JsonNodeFactory.instance.objectNode();
		ArrayNode list = result.putArray("Fragments");
		for (Fragment fragment : page) {
			ObjectNode f = list.addObject();
			f.put("FragmentNumber", fragment.fragmentNumber());
			f.put("FragmentSizeInBytes", fragment.sizeInBytes());
			f.put("ProducerTimestamp", epochSeconds(fragment.producerTimestamp()));
			f.put("ServerTimestamp", epochSeconds(fragment.serverTimestamp()));
			f.put("FragmentLengthInMilliseconds", fragment.duration().toMillis());
		}
		if (more) {
			result.put("NextToken", new ListToken(stream.streamId(), query, page.getLast().fragmentNumber()).encode());
		}
		return result;
	}

	/** REST-JSON timestamps are epoch seconds; fragments carry milliseconds. */
	private static BigDecimal epochSeconds(Instant instant) {
		return BigDecimal.valueOf(instant.toEpochMilli(), 3);
	}

	/** A ListFragments FragmentSelector, validated. */
	record ListQuery(FragmentSelectorType type, Instant start, Instant end) {

		static ListQuery of(KvsRequest selector) {
			// FragmentSelector and TimestampRange list both of their members as required in the service model.
			FragmentSelectorType type = selector.enumValue("FragmentSelectorType", FragmentSelectorType.class);
			if (type == null) {
				throw KvsError.invalidArgument(selector.qualified("FragmentSelectorType") + " is required.");
			}
			KvsRequest range = selector.object("TimestampRange");
			if (range == null) {
				throw KvsError.invalidArgument(selector.qualified("TimestampRange") + " is required.");
			}
			Instant start = range.timestamp("StartTimestamp");
			Instant end = range.timestamp("EndTimestamp");
			if (start == null) {
				throw KvsError.invalidArgument(range.qualified("StartTimestamp") + " is required.");
			}
			if (end == null) {
				throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " is required.");
			}
			if (end.isBefore(start)) {
				throw KvsError.invalidArgument(range.qualified("EndTimestamp") + " must not be earlier than "
						+ range.qualified("StartTimestamp") + ".");
			}
			return new ListQuery(type, start, end);
		}

	}

	/**
	 * What a ListFragments NextToken carries: the stream, the query and the last fragment number returned. Encoded in
	 * standard Base64, which the service model's NextToken pattern {@code [a-zA-Z0-9+/]+={0,2}} requires.
	 */
	record ListToken(String streamId, ListQuery query, String after) {

		private static final String VERSION = "lf1";

		private static final Pattern NUMBER = Pattern.compile("[0-9]{1,128}");

		String encode() {
			String plain = String.join("|", VERSION, streamId, query.type().name(), query.start().toString(),
					query.end().toString(), after);
			return Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
		}

		static ListToken decode(String token) {
			try {
				if (token.length() <= 4096) {
					String[] parts = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).split("\\|");
					if (parts.length == 6 && VERSION.equals(parts[0]) && NUMBER.matcher(parts[1]).matches()
							&& NUMBER.matcher(parts[5]).matches()) {
						ListQuery query = new ListQuery(FragmentSelectorType.valueOf(parts[2]),
								Instant.parse(parts[3]), Instant.parse(parts[4]));
						return new ListToken(parts[1], query, parts[5]);
					}
				}
			}
			catch (IllegalArgumentException | DateTimeParseException ex) {
				// answered below
			}
			throw KvsError.invalidArgument("NextToken is not valid.");
		}

	}

	private static KvsError noFragments() {
		return KvsError.resourceNotFound("No fragments found in the stream for the streaming request.");
	}

}
