package io.kvsgateway.playback;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.kvsgateway.ingest.StreamHealth;
import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.kvs.StreamSummary;

/** The viewer API of architecture.md: playback sessions and the streams a viewer may watch. */
@RestController
class PlaybackController {

	private final PlaybackManagement playback;

	private final StreamHealth health;

	PlaybackController(PlaybackManagement playback, StreamHealth health) {
		this.playback = playback;
		this.health = health;
	}

	@PostMapping(path = "/v1/streams/{streamName}/playback-sessions", produces = "application/json")
	ResponseEntity<SessionView> open(@AuthenticationPrincipal Jwt viewer, @PathVariable String streamName,
			@RequestBody(required = false) @Nullable Map<String, Object> body) {
		PlaybackSession session = playback.open(viewer, streamName, body);
		return ResponseEntity.created(URI.create("/v1/playback-sessions/" + session.sessionId()))
			.body(SessionView.of(session));
	}

	@DeleteMapping("/v1/playback-sessions/{sessionId}")
	ResponseEntity<Void> end(@AuthenticationPrincipal Jwt viewer, @PathVariable String sessionId) {
		playback.end(viewer, sessionId);
		return ResponseEntity.noContent().build();
	}

	@GetMapping(path = "/v1/streams", produces = "application/json")
	StreamList streams(@AuthenticationPrincipal Jwt viewer) {
		return new StreamList(playback.streams(viewer)
			.stream()
			.map(stream -> StreamView.of(stream, health.notPlayableReason(stream.streamName()).orElse(null)))
			.toList());
	}

	/** A granted session as the viewer sees it: the URL and every effective parameter, defaults included. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record SessionView(String sessionId, String streamName, String protocol, String url, Instant expiresAt,
			String playbackMode, String fragmentSelectorType, @Nullable Instant startTimestamp,
			@Nullable Instant endTimestamp, @Nullable String containerFormat, @Nullable String discontinuityMode,
			String displayFragmentTimestamp, @Nullable String displayFragmentNumber, int expiresInSeconds,
			int maxFragmentResults) {

		static SessionView of(PlaybackSession session) {
			PlaybackUrlRequest r = session.request();
			return new SessionView(session.sessionId(), r.streamName(), r.protocol().name(), session.url(),
					session.expiresAt(), r.playbackMode().name(), r.fragmentSelectorType().name(), r.startTimestamp(),
					r.endTimestamp(), name(r.containerFormat()), name(r.discontinuityMode()),
					r.displayFragmentTimestamp().name(), name(r.displayFragmentNumber()), r.expiresInSeconds(),
					r.maxFragmentResults());
		}

		private static @Nullable String name(@Nullable Enum<?> value) {
			return value == null ? null : value.name();
		}

	}

	/** The streams a viewer may watch. */
	record StreamList(List<StreamView> streams) {
	}

	/**
	 * One stream in the list; {@code playable} is false, with the reason, when ingest saw media KVS will refuse to play
	 * (video without codec private data), so a viewer learns it before asking for a session.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record StreamView(String streamName, String status, @Nullable String mediaType, int dataRetentionInHours,
			@Nullable Instant creationTime, boolean playable, @Nullable String notPlayableReason) {

		static StreamView of(StreamSummary s, @Nullable String notPlayableReason) {
			return new StreamView(s.streamName(), s.status(), s.mediaType(), s.dataRetentionInHours(), s.creationTime(),
					notPlayableReason == null, notPlayableReason);
		}

	}

}
