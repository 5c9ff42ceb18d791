package io.kvsgateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;

class QuotaConfigurationUnitTests {

	private final QuotaConfiguration configuration = new QuotaConfiguration();

	@Test
	void keepsBudgetsInProcessByDefault() {
		assertThat(configuration.quotaStore(QuotaProperties.defaults())).isInstanceOf(LocalQuotaStore.class);
	}

	@Test
	void refusesToStartWithTheRedisStoreUntilItExists() {
		QuotaProperties redis = new QuotaProperties(QuotaProperties.Store.REDIS, null, null, null, null, null, null,
				null, null);

		assertThatIllegalStateException().isThrownBy(() -> configuration.quotaStore(redis))
			.withMessageContaining("gateway.quota.store=redis");
	}

}
