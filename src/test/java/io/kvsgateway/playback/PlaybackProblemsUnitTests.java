package io.kvsgateway.playback;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import io.kvsgateway.quota.Budget;

import static org.assertj.core.api.Assertions.assertThat;

class PlaybackProblemsUnitTests {

	final PlaybackProblems problems = new PlaybackProblems();

	@Test
	void aFullBudgetIsTooManyRequestsWithWhenToRetry() {
		ResponseEntity<ProblemDetail> answer = problems
			.quotaExhausted(new QuotaExhausted("lobby", Budget.FRAGMENT_MEDIA, Duration.ofMillis(1_200)));

		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("2");
		assertThat(answer.getBody().getType().toString()).endsWith(":quota-exhausted");
		assertThat(answer.getBody().getProperties()).containsEntry("budget", "FRAGMENT_MEDIA");
	}

	@Test
	void anUnreachableQuotaStoreThatFailsClosedIsServiceUnavailableNotAFullStream() {
		ResponseEntity<ProblemDetail> answer = problems
			.quotaExhausted(new QuotaExhausted("lobby", Budget.QUOTA_STORE, Duration.ofSeconds(1)));

		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("1");
		assertThat(answer.getBody().getType().toString()).endsWith(":quota-store-unavailable");
	}

}
