package io.kvsgateway.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.mock.env.MockEnvironment;

import io.kvsgateway.support.FakeKvs;

/**
 * The aws-mode {@code kvs} readiness check against a fake control plane: one ListStreams per cache period however
 * often the probe asks, and DOWN when the control plane cannot be reached.
 */
class KvsControlPlaneHealthIndicatorUnitTests {

	@Test
	void upWhenListStreamsAnswersAndAskedAgainOnlyOnceTheCachedAnswerIsOld() throws Exception {
		try (FakeKvs kvs = FakeKvs.start()) {
			KvsClients clients = clients(URI.create(kvs.endpoint()));
			MutableClock clock = new MutableClock();
			KvsControlPlaneHealthIndicator indicator = new KvsControlPlaneHealthIndicator(clients, clock);

			Health first = indicator.health();
			indicator.health();
			clock.advance(KvsControlPlaneHealthIndicator.CACHE.minusSeconds(1));
			indicator.health();

			assertThat(first.getStatus()).isEqualTo(Status.UP);
			assertThat(kvs.calls("listStreams")).isEqualTo(1);

			clock.advance(Duration.ofSeconds(1));
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			assertThat(kvs.calls("listStreams")).isEqualTo(2);
			clients.destroy();
		}
	}

	@Test
	void downWhenTheControlPlaneCannotBeReached() throws Exception {
		int unused;
		try (ServerSocket socket = new ServerSocket(0)) {
			unused = socket.getLocalPort();
		}
		KvsClients clients = clients(URI.create("http://127.0.0.1:" + unused));
		try {
			Health health = new KvsControlPlaneHealthIndicator(clients, new MutableClock()).health();

			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsKeys("error", "checkedAt");
		}
		finally {
			clients.destroy();
		}
	}

	private static KvsClients clients(URI endpoint) {
		KvsProperties properties = new KvsProperties(KvsProperties.Mode.EMBEDDED, "us-east-1", endpoint, null, null, 0,
				Duration.ofSeconds(1), Duration.ofSeconds(2), 0, 1, null, null, null);
		return new KvsClients(properties, new MockEnvironment());
	}

	private static final class MutableClock extends Clock {

		private Instant now = Instant.parse("2026-11-22T10:00:00Z");

		void advance(Duration duration) {
			now = now.plus(duration);
		}

		@Override
		public Instant instant() {
			return now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
