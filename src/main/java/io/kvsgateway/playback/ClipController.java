package io.kvsgateway.playback;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.kvsgateway.kvs.ClipSource;
import io.kvsgateway.kvs.PlaybackUrlRequest.FragmentSelectorType;
import io.kvsgateway.security.StreamAccess;

/**
 * A downloadable MP4 of a stream's media in a time range ({@code GET /v1/streams/{streamName}/clip}), made by KVS
 * GetClip and streamed through to the viewer as it arrives, never buffered whole (a clip may be up to 100 MB).
 * <p>
 * Every rule KVS applies to the range (ClipTimestampRange: end after start and within 24 hours of it, in the past for
 * SERVER_TIMESTAMP) is checked first, so a bad range is a problem naming the parameter, not a KVS round trip. KVS's
 * own refusals (no media in the range, more than 200 fragments or 100 MB — developer guide, data plane quotas) come
 * back as the usual KVS problems.
 */
@RestController
class ClipController {

	static final Duration MAX_RANGE = Duration.ofHours(24);

	/** GetClip's limit (developer guide, archived media quotas). */
	static final long MAX_CLIP_FRAGMENTS = 200;

	private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private static final Logger log = LoggerFactory.getLogger(ClipController.class);

	private final ClipSource clips;

	private final StreamAccess access;

	private final Clock clock;

	private final QuotaCharges charges;

	private final StreamShapes shapes;

	private final PlaybackMetrics metrics;

	ClipController(ClipSource clips, StreamAccess access, Clock clock, QuotaCharges charges, StreamShapes shapes,
			PlaybackMetrics metrics) {
		this.clips = clips;
		this.metrics = metrics;
		this.access = access;
		this.clock = clock;
		this.charges = charges;
		this.shapes = shapes;
	}

	@GetMapping("/v1/streams/{streamName}/clip")
	void clip(@AuthenticationPrincipal Jwt viewer, @PathVariable String streamName,
			@RequestParam(required = false) @Nullable String start, @RequestParam(required = false) @Nullable String end,
			@RequestParam(required = false) @Nullable String selector, HttpServletResponse response)
			throws IOException {
		PlaybackManagement.checkStreamName(streamName);
		if (!access.permits(viewer, streamName)) {
			throw new PlaybackManagement.StreamForbidden(streamName);
		}
		List<InvalidPlaybackRequest.Violation> violations = new ArrayList<>();
		Instant from = PlaybackRequestRules.requiredTimestamp("start", start, violations);
		Instant to = PlaybackRequestRules.requiredTimestamp("end", end, violations);
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
		if (from != null && to != null) {
			if (!to.isAfter(from)) {
				violations.add(new InvalidPlaybackRequest.Violation("end", "must be after start"));
			}
			else if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
				violations.add(new InvalidPlaybackRequest.Violation("end", "must be within 24 hours of start"));
			}
		}
		if (to != null && type == FragmentSelectorType.SERVER_TIMESTAMP && to.isAfter(clock.instant())) {
			violations.add(new InvalidPlaybackRequest.Violation("end",
					"must be in the past when selector is SERVER_TIMESTAMP"));
		}
		if (!violations.isEmpty() || from == null || to == null) {
			throw new InvalidPlaybackRequest(violations);
		}

		long fragments = estimatedFragments(Duration.between(from, to), shapes.of(streamName).fragmentDuration());
		charges.debit(streamName, fragments, fragments);
		try (ClipSource.Clip clip = open(new ClipSource.Query(streamName, type, from, to))) {
			response.setContentType(clip.contentType());
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
				.filename(streamName + "-" + FILE_TIME.format(from) + ".mp4")
				.build()
				.toString());
			metrics.clipBytes(streamName, copy(clip.body(), response.getOutputStream(), streamName));
		}
	}

	/** KVS GetClip, counted and timed until its answer as CloudWatch's {@code GetClip.Requests/.Latency/.Success}. */
	private ClipSource.Clip open(ClipSource.Query query) {
		long started = System.nanoTime();
		try {
			ClipSource.Clip clip = clips.open(query);
			metrics.called(PlaybackMetrics.Api.GET_CLIP, query.streamName(), System.nanoTime() - started, null);
			return clip;
		}
		catch (RuntimeException e) {
			metrics.called(PlaybackMetrics.Api.GET_CLIP, query.streamName(), System.nanoTime() - started, e);
			throw e;
		}
	}

	/**
	 * GetClip costs the fragments of the clip in both the fragment-metadata and the fragment-media budget (developer
	 * guide, quota consumption tables), a count known only after KVS made the clip. It is charged before, estimated
	 * from the range and the stream's fragment duration, capped at the 200 fragments KVS allows in one clip: charging
	 * after would let concurrent clips overdraw the budget KVS enforces, and the estimate errs high only for a range
	 * with gaps, by at most 200 points.
	 */
	static long estimatedFragments(Duration range, Duration fragmentDuration) {
		long fragments = (range.toNanos() + fragmentDuration.toNanos() - 1) / fragmentDuration.toNanos();
		return Math.clamp(fragments, 1, MAX_CLIP_FRAGMENTS);
	}

	/**
	 * Copies as the bytes arrive; once the first byte is out, a failure can only cut the download short.
	 * @return the bytes sent on
	 */
	private static long copy(InputStream in, OutputStream out, String streamName) {
		byte[] buffer = new byte[64 * 1024];
		long copied = 0;
		try {
			for (int n; (n = in.read(buffer)) >= 0;) {
				out.write(buffer, 0, n);
				copied += n;
			}
			out.flush();
		}
		catch (IOException e) {
			// Either the viewer went away or KVS stopped sending; the response is committed, so there is nobody to
			// answer but the log.
			log.debug("Clip of stream {} cut short: {}", streamName, e.toString());
		}
		return copied;
	}

}
