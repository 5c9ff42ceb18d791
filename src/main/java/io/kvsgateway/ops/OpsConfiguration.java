package io.kvsgateway.ops;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.kvsgateway.quota.Admission;

/** The operators' metric binders. */
@Configuration(proxyBeanMethods = false)
class OpsConfiguration {

	@Bean(destroyMethod = "close")
	QuotaMetrics quotaMetrics(Admission admission, OpsProperties properties) {
		QuotaMetrics metrics = new QuotaMetrics(admission::snapshot, properties.maxTaggedStreams());
		metrics.start(properties.metricsRefresh());
		return metrics;
	}

}
