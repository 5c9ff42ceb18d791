package io.kvsgateway.quota;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires admission to the store {@code gateway.quota.store} names. */
@Configuration(proxyBeanMethods = false)
class QuotaConfiguration {

	@Bean
	QuotaStore quotaStore(QuotaProperties properties) {
		return switch (properties.store()) {
			case LOCAL -> new LocalQuotaStore(properties.maxTrackedStreams());
			// Fail at start-up rather than silently keep budgets per replica while the operator expects them shared.
			case REDIS -> throw new IllegalStateException(
					"gateway.quota.store=redis is not available yet; use local (one replica)");
		};
	}

	@Bean
	Admission admission(QuotaProperties properties, QuotaStore store, Clock clock) {
		return new Admission(properties, store, clock);
	}

}
