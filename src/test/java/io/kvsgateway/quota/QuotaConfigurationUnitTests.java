package io.kvsgateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

import io.micrometer.core.instrument.MeterRegistry;

class QuotaConfigurationUnitTests {

	private final QuotaConfiguration configuration = new QuotaConfiguration();

	@Test
	void keepsBudgetsInProcessByDefault() {
		assertThat(configuration.quotaStore(QuotaProperties.defaults(),
				new StaticListableBeanFactory().getBeanProvider(MeterRegistry.class)))
			.isInstanceOf(LocalQuotaStore.class);
	}

	@Test
	void sharesBudgetsThroughRedisWhenAskedToWithoutNeedingItAtStartUp() throws Exception {
		// Nothing listens on port 1: the store is made, and falls back at its first call.
		QuotaProperties redis = new QuotaProperties(QuotaProperties.Store.REDIS, null, null, null, null, null, null,
				null, null, null, new QuotaProperties.Redis("redis://127.0.0.1:1", null, null));

		QuotaStore store = configuration.quotaStore(redis,
				new StaticListableBeanFactory().getBeanProvider(MeterRegistry.class));

		try (FailoverQuotaStore failover = (FailoverQuotaStore) store) {
			assertThat(failover.choice()).isEqualTo(QuotaProperties.RedisUnavailable.LOCAL_FALLBACK);
			assertThat(failover.address()).isEqualTo("127.0.0.1:1");
		}
	}

}
