package io.kvsgateway.quota;

import java.time.Clock;

import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires admission to the store {@code gateway.quota.store} names. */
@Configuration(proxyBeanMethods = false)
class QuotaConfiguration {

	@Bean
	QuotaStore quotaStore(QuotaProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
		return switch (properties.store()) {
			case LOCAL -> new LocalQuotaStore(properties.maxTrackedStreams());
			case REDIS -> redisStore(properties, meterRegistry.getIfAvailable(SimpleMeterRegistry::new));
		};
	}

	/** The Redis store; a Redis that cannot be reached at start-up is handled like one lost later. */
	static FailoverQuotaStore redisStore(QuotaProperties properties, MeterRegistry meterRegistry) {
		QuotaProperties.Redis redis = properties.redis();
		RedisURI uri = RedisURI.create(redis.url());
		uri.setTimeout(redis.timeout());
		return new FailoverQuotaStore(new RedisQuotaStore(uri, redis.retryInterval()), properties, meterRegistry);
	}

	@Bean
	QuotaStoreHealthIndicator quotaStoreHealthIndicator(QuotaStore quotaStore) {
		return new QuotaStoreHealthIndicator(quotaStore);
	}

	@Bean
	Admission admission(QuotaProperties properties, QuotaStore store, Clock clock) {
		return new Admission(properties, store, clock);
	}

}
