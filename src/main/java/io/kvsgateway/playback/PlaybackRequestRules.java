package io.kvsgateway.playback;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.kvs.StreamNames;
import io.kvsgateway.kvs.PlaybackUrlRequest.ContainerFormat;
import io.kvsgateway.kvs.PlaybackUrlRequest.DiscontinuityMode;
import io.kvsgateway.kvs.PlaybackUrlRequest.Display;
import io.kvsgateway.kvs.PlaybackUrlRequest.FragmentSelectorType;
import io.kvsgateway.kvs.PlaybackUrlRequest.PlaybackMode;
import io.kvsgateway.kvs.PlaybackUrlRequest.Protocol;

/**
 * The KVS rules of GetHLSStreamingSessionURL and GetDASHStreamingSessionURL (API reference pages, "Request
 * Parameters"), checked before KVS is called so that a viewer learns every broken rule at once, by field name.
 * Defaults are the documented KVS defaults, filled in so that the answer can state them.
 */
final class PlaybackRequestRules {

	private static final Set<String> FIELDS = Set.of("protocol", "playbackMode", "fragmentSelectorType",
			"startTimestamp", "endTimestamp", "containerFormat", "discontinuityMode", "displayFragmentTimestamp",
			"displayFragmentNumber", "expiresInSeconds", "maxFragmentResults");

	/** "EndTimestamp ... must be within 24 hours of the specified StartTimestamp". */
	private static final Duration MAX_RANGE = Duration.ofHours(24);

	private PlaybackRequestRules() {
	}

	/**
	 * A required ISO-8601 timestamp query parameter (timeline, clip).
	 * @return the instant, or {@literal null} after adding the broken rule to {@code violations}
	 */
	static @Nullable Instant requiredTimestamp(String field, @Nullable String value,
			List<InvalidPlaybackRequest.Violation> violations) {
		if (value == null) {
			violations.add(new InvalidPlaybackRequest.Violation(field, "is required"));
			return null;
		}
		try {
			return OffsetDateTime.parse(value).toInstant();
		}
		catch (DateTimeParseException e) {
			violations.add(new InvalidPlaybackRequest.Violation(field,
					"must be an ISO-8601 timestamp with a UTC offset, such as 2026-11-22T10:15:30Z"));
			return null;
		}
	}

	static boolean isValidStreamName(@Nullable String name) {
		return StreamNames.isValid(name);
	}

	/**
	 * @param streamName the path variable, already checked with {@link #isValidStreamName}
	 * @param body the JSON body, {@literal null} when none was sent (all defaults)
	 * @param now the gateway clock's now
	 * @return the request with KVS defaults filled in
	 * @throws InvalidPlaybackRequest naming every broken rule
	 */
	static PlaybackUrlRequest check(String streamName, @Nullable Map<String, Object> body, Instant now) {
		Map<String, Object> fields = body == null ? Map.of() : body;
		List<InvalidPlaybackRequest.Violation> violations = new ArrayList<>();
		Checker c = new Checker(fields, violations);
		for (String name : fields.keySet()) {
			if (!FIELDS.contains(name)) {
				c.fail(name, "is not a field of a playback request; known fields: " + String.join(", ",
						FIELDS.stream().sorted().toList()));
			}
		}

		Protocol protocol = c.oneOf("protocol", Protocol.class, Protocol.HLS);
		PlaybackMode mode = c.oneOf("playbackMode", PlaybackMode.class, PlaybackMode.LIVE);
		FragmentSelectorType selector = c.oneOf("fragmentSelectorType", FragmentSelectorType.class,
				FragmentSelectorType.SERVER_TIMESTAMP);
		Instant start = c.timestamp("startTimestamp");
		Instant end = c.timestamp("endTimestamp");
		ContainerFormat container = c.oneOf("containerFormat", ContainerFormat.class, ContainerFormat.FRAGMENTED_MP4);
		DiscontinuityMode discontinuity = c.oneOf("discontinuityMode", DiscontinuityMode.class,
				selector == FragmentSelectorType.PRODUCER_TIMESTAMP ? DiscontinuityMode.NEVER
						: DiscontinuityMode.ALWAYS);
		Display displayTimestamp = c.oneOf("displayFragmentTimestamp", Display.class, Display.NEVER);
		Display displayNumber = c.oneOf("displayFragmentNumber", Display.class, Display.NEVER);
		int expires = c.integer("expiresInSeconds", 300, 43_200, 300);
		int maxResults = c.integer("maxFragmentResults", 1, 5_000, mode == PlaybackMode.ON_DEMAND ? 1_000 : 5);

		if (protocol == Protocol.DASH) {
			c.absent("containerFormat", "is an HLS parameter; DASH sessions always use fragmented MP4");
			c.absent("discontinuityMode", "is an HLS parameter; GetDASHStreamingSessionURL has no DiscontinuityMode");
		}
		else {
			c.absent("displayFragmentNumber", "is a DASH parameter; GetHLSStreamingSessionURL has no DisplayFragmentNumber");
		}

		switch (mode) {
			case LIVE -> {
				c.absent("startTimestamp", "must be absent when playbackMode is LIVE (KVS: no TimestampRange for LIVE)");
				c.absent("endTimestamp", "must be absent when playbackMode is LIVE (KVS: no TimestampRange for LIVE)");
			}
			case LIVE_REPLAY -> c.present("startTimestamp", start, "is required when playbackMode is LIVE_REPLAY");
			case ON_DEMAND -> {
				c.present("startTimestamp", start, "is required when playbackMode is ON_DEMAND");
				c.present("endTimestamp", end, "is required when playbackMode is ON_DEMAND");
			}
		}
		if (start != null && end != null) {
			if (!end.isAfter(start)) {
				c.fail("endTimestamp", "must be after startTimestamp");
			}
			else if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
				c.fail("endTimestamp", "must be within 24 hours of startTimestamp");
			}
		}
		if (end != null && selector == FragmentSelectorType.SERVER_TIMESTAMP && end.isAfter(now)) {
			c.fail("endTimestamp", "must be in the past when fragmentSelectorType is SERVER_TIMESTAMP");
		}

		if (!violations.isEmpty()) {
			throw new InvalidPlaybackRequest(violations);
		}
		boolean hls = protocol == Protocol.HLS;
		boolean live = mode == PlaybackMode.LIVE;
		return new PlaybackUrlRequest(streamName, protocol, mode, selector, live ? null : start, live ? null : end,
				hls ? container : null, hls ? discontinuity : null, displayTimestamp, hls ? null : displayNumber,
				expires, maxResults);
	}

	/** Reads fields of an untyped JSON object, recording a violation for each wrong one. */
	private record Checker(Map<String, Object> fields, List<InvalidPlaybackRequest.Violation> violations) {

		void fail(String field, String rule) {
			violations.add(new InvalidPlaybackRequest.Violation(field, rule));
		}

		<E extends Enum<E>> E oneOf(String field, Class<E> type, E fallback) {
			Object value = fields.get(field);
			if (value == null) {
				return fallback;
			}
			if (value instanceof String text) {
				for (E constant : type.getEnumConstants()) {
					if (constant.name().equals(text)) {
						return constant;
					}
				}
			}
			fail(field, "must be one of " + Arrays.stream(type.getEnumConstants())
				.map(Enum::name)
				.collect(Collectors.joining(", ")));
			return fallback;
		}

		@Nullable Instant timestamp(String field) {
			Object value = fields.get(field);
			if (value == null) {
				return null;
			}
			if (value instanceof String text) {
				try {
					return OffsetDateTime.parse(text).toInstant();
				}
				catch (DateTimeParseException e) {
					// reported below
				}
			}
			fail(field, "must be an ISO-8601 timestamp with a UTC offset, such as 2026-11-22T10:15:30Z");
			return null;
		}

		int integer(String field, int min, int max, int fallback) {
			Object value = fields.get(field);
			if (value == null) {
				return fallback;
			}
			if (value instanceof Integer || value instanceof Long) {
				long number = ((Number) value).longValue();
				if (number >= min && number <= max) {
					return (int) number;
				}
			}
			fail(field, "must be an integer from " + min + " to " + max);
			return fallback;
		}

		void absent(String field, String rule) {
			if (fields.get(field) != null) {
				fail(field, rule);
			}
		}

		void present(String field, @Nullable Object parsed, String rule) {
			// A present but malformed value was already reported; only report what is missing.
			if (parsed == null && fields.get(field) == null) {
				fail(field, rule);
			}
		}

	}

}
