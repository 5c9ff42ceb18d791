package io.kvsgateway.playback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.kvsgateway.kvs.FragmentTimeline;
import io.kvsgateway.kvs.PlaybackUrlRequest.FragmentSelectorType;
import io.kvsgateway.security.StreamAccess;

/**
 * The fragment timeline of a stream ({@code GET /v1/streams/{streamName}/fragments}), one KVS ListFragments page per
 * request, so a viewer can pick a range to replay. Each page costs the stream {@code maxResults} fragment-metadata
 * points (developer guide, "Fragment-metadata and fragment-media quotas"), which is why the page size is the
 * viewer's to choose, and why the page is charged to the stream's budget before KVS is asked (429 when it is spent).
 */
@RestController
class TimelineController {

	/** ListFragments' NextToken pattern (KVS API reference). */
	private static final Pattern NEXT_TOKEN = Pattern.compile("[a-zA-Z0-9+/]{1,4096}={0,2}");

	private final FragmentTimeline timeline;

	private final StreamAccess access;

	private final QuotaCharges charges;

	private final PlaybackMetrics metrics;

	TimelineController(FragmentTimeline timeline, StreamAccess access, QuotaCharges charges, PlaybackMetrics metrics) {
		this.timeline = timeline;
		this.metrics = metrics;
		this.access = access;
		this.charges = charges;
	}

	@GetMapping(path = "/v1/streams/{streamName}/fragments", produces = "application/json")
	Timeline fragments(@AuthenticationPrincipal Jwt viewer, @PathVariable String streamName,
			@RequestParam(required = false) @Nullable String start, @RequestParam(required = false) @Nullable String end,
			@RequestParam(required = false) @Nullable String selector,
			@RequestParam(required = false) @Nullable String maxResults,
			@RequestParam(required = false) @Nullable String nextToken) {
		PlaybackManagement.checkStreamName(streamName);
		if (!access.permits(viewer, streamName)) {
			throw new PlaybackManagement.StreamForbidden(streamName);
		}
		List<InvalidPlaybackRequest.Violation> violations = new ArrayList<>();
		Instant from = PlaybackRequestRules.requiredTimestamp("start", start, violations);
		Instant to = PlaybackRequestRules.requiredTimestamp("end", end, violations);
		if (from != null && to != null && to.isBefore(from)) {
			violations.add(new InvalidPlaybackRequest.Violation("end", "must not be before start"));
		}
		FragmentSelectorType type = FragmentSelectorType.SERVER_TIMESTAMP;
		if (selector != null) {
			try {
				type = FragmentSelectorType.valueOf(selector);
			}
			catch (IllegalArgumentException e) {
				violations.add(new InvalidPlaybackRequest.Violation("selector",
						"must be one of SERVER_TIMESTAMP, PRODUCER_TIMESTAMP"));
			}
		}
		int pageSize = 1000;
		if (maxResults != null) {
			try {
				pageSize = Integer.parseInt(maxResults);
			}
			catch (NumberFormatException e) {
				pageSize = 0;
			}
			if (pageSize < 1 || pageSize > 1000) {
				violations.add(new InvalidPlaybackRequest.Violation("maxResults", "must be an integer from 1 to 1000"));
			}
		}
		if (nextToken != null && !NEXT_TOKEN.matcher(nextToken).matches()) {
			violations.add(new InvalidPlaybackRequest.Violation("nextToken", "must be a token from a previous page"));
		}
		if (!violations.isEmpty() || from == null || to == null) {
			throw new InvalidPlaybackRequest(violations);
		}
		// ListFragments costs its MaxResults in fragment-metadata points however few fragments come back.
		charges.debit(streamName, pageSize, 0);
		FragmentTimeline.Query query = new FragmentTimeline.Query(streamName, type, from, to, pageSize, nextToken);
		FragmentTimeline.Page page;
		long started = System.nanoTime();
		try {
			page = timeline.list(query);
		}
		catch (RuntimeException e) {
			metrics.called(PlaybackMetrics.Api.LIST_FRAGMENTS, streamName, System.nanoTime() - started, e);
			throw e;
		}
		metrics.called(PlaybackMetrics.Api.LIST_FRAGMENTS, streamName, System.nanoTime() - started, null);
		return new Timeline(streamName, page.fragments().stream().map(TimelineFragment::of).toList(),
				page.nextToken());
	}

	/** One page of a stream's timeline. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Timeline(String streamName, List<TimelineFragment> fragments, @Nullable String nextToken) {
	}

	/** One fragment on the timeline. */
	record TimelineFragment(String fragmentNumber, Instant producerTimestamp, Instant serverTimestamp,
			long durationMillis, long sizeBytes) {

		static TimelineFragment of(FragmentTimeline.Fragment f) {
			return new TimelineFragment(f.fragmentNumber(), f.producerTimestamp(), f.serverTimestamp(),
					f.durationMillis(), f.sizeBytes());
		}

	}

}
