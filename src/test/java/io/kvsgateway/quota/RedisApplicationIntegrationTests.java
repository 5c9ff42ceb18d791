package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import io.kvsgateway.KvsGatewayApplication;
import io.kvsgateway.support.RedisServer;

/**
 * Two whole gateways started with {@code gateway.quota.store=redis} on one redis-server: the settings bind, each
 * wires the Redis store with its health indicator and gauge, and their admissions share one stream's budget.
 */
class RedisApplicationIntegrationTests {

	private static ConfigurableApplicationContext gateway(RedisServer redis) {
		return new SpringApplicationBuilder(KvsGatewayApplication.class).run("--server.port=0",
				"--gateway.local.data-dir=" + Path.of("target", "test-data", UUID.randomUUID().toString()),
				"--gateway.quota.store=redis", "--gateway.quota.redis.url=" + redis.url(),
				"--gateway.quota.redis.timeout=500ms", "--gateway.quota.redis-unavailable=reject",
				"--gateway.quota.replicas=2", "--gateway.quota.streams.lobby.session-urls=1000000");
	}

	@Test
	void twoGatewaysShareOneStreamsBudgetThroughRedis() {
		try (RedisServer redis = RedisServer.start();
				ConfigurableApplicationContext one = gateway(redis);
				ConfigurableApplicationContext other = gateway(redis)) {
			QuotaProperties properties = one.getBean(QuotaProperties.class);
			assertThat(properties.redisUnavailable()).isEqualTo(QuotaProperties.RedisUnavailable.REJECT);
			assertThat(properties.redis().timeout()).isEqualTo(Duration.ofMillis(500));
			assertThat(one.getBean(QuotaStore.class)).isInstanceOf(FailoverQuotaStore.class);

			List<Admission> admissions = List.of(one.getBean(Admission.class), other.getBean(Admission.class));
			Instant expiry = Instant.now().plus(Duration.ofHours(1));
			int granted = 0;
			for (int i = 0; i < 300; i++) {
				Decision decision = admissions.get(i % 2)
					.admit(new AdmissionRequest("lobby", "viewer-" + i, "session-" + i, liveHls(5, 2), expiry));
				if (decision instanceof Decision.Granted) {
					granted++;
				}
			}

			// 95% of the stream's 500 media points, across both gateways: 237 sessions of 2 points.
			assertThat(granted).isEqualTo(237);
			assertThat(one.getBean(QuotaStoreHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			assertThat(other.getBean(MeterRegistry.class).get("kvs.gateway.quota.store.fallback").gauge().value())
				.isZero();
		}
	}

}
