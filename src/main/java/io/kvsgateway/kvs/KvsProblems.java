package io.kvsgateway.kvs;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.kvsgateway.Problems;

/**
 * Answers KVS failures as RFC 9457 problems: unknown stream 404, rejected argument 400, throttled 429 and KVS down
 * 503 (both with {@code Retry-After}) — never a 500 with a stack trace.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE - 10)
class KvsProblems {

	private static final Logger log = LoggerFactory.getLogger(KvsProblems.class);

	@ExceptionHandler
	ResponseEntity<ProblemDetail> handle(KvsException e) {
		return switch (e) {
			case KvsException.StreamNotFound notFound -> {
				ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "stream-not-found", "Stream not found",
						notFound.getMessage());
				problem.setProperty("streamName", notFound.streamName());
				yield ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
			}
			case KvsException.ArgumentRejected rejected -> ResponseEntity.badRequest()
				.body(problem(HttpStatus.BAD_REQUEST, "kvs-rejected-argument", "KVS rejected a parameter",
						rejected.getMessage()));
			// Viewer calls change nothing in KVS, so this is KVS refusing a parameter as far as a viewer can tell.
			case KvsException.Refused refused -> ResponseEntity.badRequest()
				.body(problem(HttpStatus.BAD_REQUEST, "kvs-rejected-argument", "KVS rejected a parameter",
						refused.getMessage()));
			case KvsException.Throttled throttled -> retryLater(HttpStatus.TOO_MANY_REQUESTS,
					problem(HttpStatus.TOO_MANY_REQUESTS, "kvs-throttled", "KVS throttled the stream",
							throttled.getMessage()),
					throttled.retryAfter());
			case KvsException.StreamNotPlayable notPlayable -> {
				ProblemDetail problem = problem(HttpStatus.CONFLICT, "stream-not-playable", "Stream cannot be played",
						notPlayable.getMessage());
				problem.setProperty("kvsError", notPlayable.errorCode());
				yield ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
			}
			case KvsException.GatewayNotAuthorized denied -> {
				log.warn("KVS refused the gateway's credentials: {}", denied.errorCode());
				yield ResponseEntity.status(HttpStatus.BAD_GATEWAY)
					.body(problem(HttpStatus.BAD_GATEWAY, "kvs-access-denied", "KVS refused the gateway",
							"KVS refused the gateway's own credentials; operators have been told in the log."));
			}
			case KvsException.Unavailable unavailable -> {
				log.warn("KVS unavailable: {}", unavailable.getMessage(), unavailable.getCause());
				yield retryLater(HttpStatus.SERVICE_UNAVAILABLE,
						problem(HttpStatus.SERVICE_UNAVAILABLE, "kvs-unavailable", "KVS is unavailable",
								unavailable.getMessage()),
						unavailable.retryAfter());
			}
		};
	}

	private static ResponseEntity<ProblemDetail> retryLater(HttpStatus status, ProblemDetail problem, Duration after) {
		long seconds = Math.max(1, (after.toMillis() + 999) / 1000);
		problem.setProperty("retryAfterSeconds", seconds);
		return ResponseEntity.status(status).header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(problem);
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		return Problems.of(status, type, title, detail);
	}

}
