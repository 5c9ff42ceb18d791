package io.kvsgateway.quota;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kvsgateway.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every scenario of {@link AdmissionUnitTests} (the guide's worked examples, the margin, expiry, release, viewer
 * share, buckets, waiting, rejection counts) on the Redis store against a real redis-server: the two stores must
 * decide alike, down to the retry-after. Only the bound on tracked streams is the local store's own: on Redis a
 * stream past it is still admitted.
 */
class RedisAdmissionIntegrationTests extends AdmissionUnitTests {

	private static RedisServer redis;

	private final List<RedisQuotaStore> stores = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	@BeforeEach
	void emptyRedis() {
		redis.flushAll();
	}

	@AfterEach
	void closeStores() {
		stores.forEach(RedisQuotaStore::close);
	}

	@Override
	QuotaStore store(QuotaProperties properties) {
		RedisQuotaStore store = QuotaTestSupport.redisStore(redis.url());
		stores.add(store);
		return store;
	}

	/** Redis holds every stream (its own {@code maxmemory} is the bound), so the local store's limit does not apply. */
	@Override
	@Test
	void tracksABoundedNumberOfStreamsForgettingIdleOnes() {
		QuotaProperties properties = new QuotaProperties(null, 0.0, null, null, 1.0, null, null, null, 2);
		Admission admission = admission(properties);

		for (String stream : List.of("a", "b", "c")) {
			assertThat(admit(admission, stream, "ann", QuotaTestSupport.liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
		}
		assertThat(admission.snapshot()).extracting(StreamQuota::streamName).containsExactlyInAnyOrder("a", "b", "c");
	}

}
