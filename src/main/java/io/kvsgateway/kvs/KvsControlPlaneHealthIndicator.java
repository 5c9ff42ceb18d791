package io.kvsgateway.kvs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code kvs} health, part of readiness in aws mode: whether the KVS control plane answers a
 * {@code ListStreams} of one stream (the cheapest signed call that proves endpoint, network and credentials). The
 * answer is kept for {@link #CACHE} so that probes every few seconds from every replica cost KVS next to nothing (the
 * control plane allows only a few calls per second per account), and the call, retries included, gets {@link #TIMEOUT}
 * so a hanging endpoint does not hold the probe. In embedded mode the {@code embeddedStore} indicator stands in.
 */
@Component("kvsHealthIndicator")
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "aws")
class KvsControlPlaneHealthIndicator implements HealthIndicator {

	static final Duration CACHE = Duration.ofSeconds(15);

	static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final KvsClients clients;

	private final Clock clock;

	private volatile @Nullable Checked last;

	KvsControlPlaneHealthIndicator(KvsClients clients, Clock clock) {
		this.clients = clients;
		this.clock = clock;
	}

	@Override
	public Health health() {
		Checked checked = last;
		Instant now = clock.instant();
		if (checked == null || !now.isBefore(checked.at().plus(CACHE))) {
			checked = new Checked(now, check(now));
			last = checked;
		}
		return checked.health();
	}

	private Health check(Instant now) {
		try {
			clients.controlPlane()
				.listStreams(request -> request.maxResults(1)
					.overrideConfiguration(o -> o.apiCallTimeout(TIMEOUT).apiCallAttemptTimeout(TIMEOUT)));
			return Health.up().withDetail("checkedAt", now.toString()).build();
		}
		catch (RuntimeException e) {
			// The exception's class says enough (timeout, access denied, unknown host); messages may carry request ids.
			return Health.down()
				.withDetail("checkedAt", now.toString())
				.withDetail("error", e.getClass().getSimpleName())
				.build();
		}
	}

	private record Checked(Instant at, Health health) {
	}

}
