package io.kvsgateway.playback;

import java.time.Duration;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.kvsgateway.kvs.DataEndpointBudget;
import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.Decision;

/**
 * Charges the kvs adapter's GetDataEndpoint cache misses to the stream's {@link Budget#DATA_ENDPOINT} budget. It lives
 * here because {@code kvs} depends on no other module: it declares the port, the playback side wires it to the
 * scheduler.
 */
@Component
class QuotaDataEndpointBudget implements DataEndpointBudget {

	private final Admission admission;

	QuotaDataEndpointBudget(Admission admission) {
		this.admission = admission;
	}

	@Override
	public Optional<Duration> take(String streamName) {
		return admission.tryAcquire(streamName, Budget.DATA_ENDPOINT) instanceof Decision.Rejected rejected
				? Optional.of(rejected.retryAfter()) : Optional.empty();
	}

}
