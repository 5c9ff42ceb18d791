package io.kvsgateway.quota;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.kvsgateway.support.RedisServer;

/**
 * Every scenario of {@link AdmissionUnitTests} (the guide's worked examples, the margin, expiry, release, viewer
 * share, buckets, waiting, rejection counts) on the Redis store against a real redis-server: the two stores must
 * decide alike, down to the retry-after. Only the bound on tracked streams is the local store's own.
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

	@Override
	boolean tracksBoundedStreams() {
		return false;
	}

}
