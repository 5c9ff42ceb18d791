package io.kvsgateway.playback;

import java.util.List;
import java.util.Map;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.kvsgateway.Problems;
import io.kvsgateway.quota.Budget;

/** The viewer API's own failures as RFC 9457 problems; each 400 names the field and the rule it broke. */
// Before Spring Boot's generic problem handler, so that an unreadable body also names its field.
@RestControllerAdvice(assignableTypes = { PlaybackController.class, TimelineController.class, ClipController.class })
@Order(Ordered.HIGHEST_PRECEDENCE)
class PlaybackProblems {

	@ExceptionHandler
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	ProblemDetail invalid(InvalidPlaybackRequest e) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid playback request",
				e.getMessage() + ": " + String.join("; ",
						e.violations().stream().map(v -> v.field() + " " + v.rule()).toList()));
		problem.setProperty("errors", e.violations().stream()
			.map(v -> Map.of("field", v.field(), "rule", v.rule()))
			.toList());
		return problem;
	}

	@ExceptionHandler
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	ProblemDetail unreadable(HttpMessageNotReadableException e) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid playback request",
				"The body must be a JSON object of playback parameters.");
		problem.setProperty("errors", List.of(Map.of("field", "body", "rule", "must be a JSON object")));
		return problem;
	}

	@ExceptionHandler
	@ResponseStatus(HttpStatus.FORBIDDEN)
	ProblemDetail forbidden(PlaybackManagement.StreamForbidden e) {
		return Problems.of(HttpStatus.FORBIDDEN, "stream-forbidden", "Stream not covered by the token", e.getMessage());
	}

	@ExceptionHandler
	@ResponseStatus(HttpStatus.NOT_FOUND)
	ProblemDetail idle(PlaybackManagement.StreamIdle e) {
		ProblemDetail problem = Problems.of(HttpStatus.NOT_FOUND, "stream-idle", "Stream has no live media",
				e.getMessage());
		problem.setProperty("streamName", e.streamName());
		return problem;
	}

	@ExceptionHandler
	@ResponseStatus(HttpStatus.NOT_FOUND)
	ProblemDetail sessionNotFound(PlaybackManagement.SessionNotFound e) {
		return Problems.of(HttpStatus.NOT_FOUND, "session-not-found", "Playback session not found", e.getMessage());
	}

	/**
	 * A budget of the stream is full: 429 with when to retry and which budget, so a client can tell the gateway's own
	 * refusal (before KVS is asked) from KVS's throttling ({@code kvs-throttled}). When the shared quota store is
	 * unreachable and configured to fail closed ({@code gateway.quota.redis-unavailable=reject}), nothing is full:
	 * the gateway cannot tell, so it answers 503, as for any dependency that is down.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> quotaExhausted(QuotaExhausted e) {
		boolean storeDown = e.budget() == Budget.QUOTA_STORE;
		HttpStatus status = storeDown ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.TOO_MANY_REQUESTS;
		ProblemDetail problem = storeDown
				? Problems.of(status, "quota-store-unavailable", "Quota store unavailable",
						"The gateway cannot reach its shared quota store and is configured to refuse playback meanwhile.")
				: Problems.of(status, "quota-exhausted", "Stream budget exhausted", e.getMessage());
		problem.setProperty("streamName", e.streamName());
		problem.setProperty("budget", e.budget().name());
		problem.setProperty("retryAfterSeconds", e.retryAfterSeconds());
		return ResponseEntity.status(status)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
			.body(problem);
	}

}
