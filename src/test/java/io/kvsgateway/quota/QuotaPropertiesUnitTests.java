package io.kvsgateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.kvsgateway.quota.QuotaProperties.Capacities;

class QuotaPropertiesUnitTests {

	@Test
	void defaultsAreTheKvsQuotasWithAFivePercentMargin() {
		QuotaProperties defaults = QuotaProperties.defaults();

		assertThat(defaults.store()).isEqualTo(QuotaProperties.Store.LOCAL);
		assertThat(defaults.safetyMargin()).isEqualTo(0.05);
		assertThat(defaults.kvs()).isEqualTo(new Capacities(10_000.0, 500.0, 25.0, 5.0));
		assertThat(defaults.maxViewerShare()).isEqualTo(0.5);
		assertThat(defaults.maxWait()).isZero();
		assertThat(defaults.onDemandFetchRate()).isEqualTo(5.0);
		assertThat(defaults.replicas()).isEqualTo(1);
		assertThat(defaults.maxTrackedStreams()).isEqualTo(10_000);
		assertThat(defaults.redisUnavailable()).isEqualTo(QuotaProperties.RedisUnavailable.LOCAL_FALLBACK);
		assertThat(defaults.redis()).isEqualTo(
				new QuotaProperties.Redis("redis://localhost:6379", Duration.ofMillis(200), Duration.ofSeconds(1)));
		Capacity capacity = Capacity.of(defaults.capacitiesOf("lobby"), defaults.safetyMargin(),
				defaults.maxViewerShare());
		assertThat(capacity).isEqualTo(new Capacity(9_500_000_000L, 475_000_000L, 23_750_000L, 4_750_000L,
				4_750_000_000L, 237_500_000L));
	}

	@Test
	void anExactNameWinsOverPatternsAndALongerPatternOverAShorterOne() {
		QuotaProperties properties = QuotaTestSupport.withStreams(Map.of("*", new Capacities(null, 400.0, null, null),
				"garage-*", new Capacities(null, 100.0, null, null), "garage-1",
				new Capacities(null, 50.0, null, null), "*-lobby", new Capacities(2000.0, null, null, null)));

		assertThat(properties.capacitiesOf("garage-1")).isEqualTo(new Capacities(10_000.0, 50.0, 25.0, 5.0));
		assertThat(properties.capacitiesOf("garage-7")).isEqualTo(new Capacities(10_000.0, 100.0, 25.0, 5.0));
		assertThat(properties.capacitiesOf("east-lobby")).isEqualTo(new Capacities(2000.0, 500.0, 25.0, 5.0));
		assertThat(properties.capacitiesOf("yard")).isEqualTo(new Capacities(10_000.0, 400.0, 25.0, 5.0));
	}

	@Test
	void bindsTheRedisStoreSettings() {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource(Map.of("gateway.quota.store",
				"redis", "gateway.quota.redis-unavailable", "reject", "gateway.quota.redis.url", "rediss://cache:6380",
				"gateway.quota.redis.timeout", "50ms", "gateway.quota.replicas", "3"));

		QuotaProperties properties = new Binder(source).bind("gateway.quota", QuotaProperties.class).get();

		assertThat(properties.store()).isEqualTo(QuotaProperties.Store.REDIS);
		assertThat(properties.redisUnavailable()).isEqualTo(QuotaProperties.RedisUnavailable.REJECT);
		assertThat(properties.redis())
			.isEqualTo(new QuotaProperties.Redis("rediss://cache:6380", Duration.ofMillis(50), Duration.ofSeconds(1)));
		assertThat(properties.replicas()).isEqualTo(3);
	}

	@Test
	void refusesARedisTimeoutOrRetryIntervalThatIsNotPositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new QuotaProperties.Redis(null, Duration.ZERO, null))
			.withMessageContaining("gateway.quota.redis.timeout");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties.Redis(null, null, Duration.ofSeconds(-1)))
			.withMessageContaining("gateway.quota.redis.retry-interval");
	}

	@Test
	void bindsBracketedPatternKeysFromConfiguration() {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource(Map.of(
				"gateway.quota.safety-margin", "0.1", "gateway.quota.streams[garage-*].fragment-media", "100",
				"gateway.quota.kvs.session-urls", "20", "gateway.quota.max-wait", "250ms"));

		QuotaProperties properties = new Binder(source).bind("gateway.quota", QuotaProperties.class).get();

		assertThat(properties.safetyMargin()).isEqualTo(0.1);
		assertThat(properties.maxWait()).isEqualTo(Duration.ofMillis(250));
		assertThat(properties.capacitiesOf("garage-3")).isEqualTo(new Capacities(10_000.0, 100.0, 20.0, 5.0));
		assertThat(properties.capacitiesOf("lobby")).isEqualTo(new Capacities(10_000.0, 500.0, 20.0, 5.0));
	}

	@Test
	void patternsMatchPiecesInOrder() {
		assertThat(QuotaProperties.matches("*", "anything")).isTrue();
		assertThat(QuotaProperties.matches("a*b*c", "a-b-c")).isTrue();
		assertThat(QuotaProperties.matches("a*b*c", "abc")).isTrue();
		assertThat(QuotaProperties.matches("a*b*c", "a-c-b")).isFalse();
		assertThat(QuotaProperties.matches("ab*ba", "aba")).isFalse();
		assertThat(QuotaProperties.matches("garage-*", "garage-")).isTrue();
		assertThat(QuotaProperties.matches("garage-*", "lobby")).isFalse();
		assertThat(QuotaProperties.matches("lobby", "lobby-2")).isFalse();
	}

	@Test
	void rejectsSettingsOutsideTheirRangeNamingTheProperty() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, 0.9, null, null, null, null, null, null, null))
			.withMessageContaining("gateway.quota.safety-margin");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, new Capacities(0.0, null, null, null), null, null, null,
					null, null, null))
			.withMessageContaining("gateway.quota.kvs.fragment-metadata");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null,
					Map.of("garage-*", new Capacities(null, -1.0, null, null)), null, null, null, null, null))
			.withMessageContaining("gateway.quota.streams[garage-*].fragment-media");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null, null, 0.0, null, null, null, null))
			.withMessageContaining("gateway.quota.max-viewer-share");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null, null, null, Duration.ofSeconds(-1), null, null,
					null))
			.withMessageContaining("gateway.quota.max-wait");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null, null, null, null, 0.0, null, null))
			.withMessageContaining("gateway.quota.on-demand-fetch-rate");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null, null, null, null, null, 0, null))
			.withMessageContaining("gateway.quota.replicas");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaProperties(null, null, null, null, null, null, null, null, 0))
			.withMessageContaining("gateway.quota.max-tracked-streams");
	}

}
