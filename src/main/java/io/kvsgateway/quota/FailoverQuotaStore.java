package io.kvsgateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis store with what {@code gateway.quota.redis-unavailable} says to do while Redis cannot be reached. A call
 * that fails on Redis (unreachable, slower than the command timeout, refusing) is answered by the fallback instead,
 * and so is every call after it until the retry interval has passed; then one call tries Redis again, and the first
 * that succeeds brings the store back to Redis.
 * <p>
 * The choice is made here, deliberately: {@code local-fallback} (default) keeps serving with each replica holding a
 * share of every budget (capacity divided by {@code gateway.quota.replicas}), so the replicas together stay within
 * the quota without talking to each other; {@code reject} fails closed, so no stream can exceed its quota but nobody
 * can start a session; {@code admit} fails open, so viewers are never refused by the gateway and KVS's own
 * {@code ClientLimitExceededException} is all that is left. Alert on the {@code kvs.gateway.quota.store.fallback}
 * gauge whichever is chosen.
 * <p>
 * Leases granted during an outage live only in this replica's fallback store: they are released there, are not
 * counted in Redis once it is back (so a stream can briefly hold up to its Redis budget plus the fallback shares
 * still leased), and leases held in Redis cannot be released during the outage (they end at their expiry). A call
 * that timed out may still have been carried out by Redis; a reservation made so is held until it expires, which errs
 * towards admitting less. A Redis that restarts without persistence forgets its leases, which errs the other way.
 */
final class FailoverQuotaStore implements QuotaStore, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(FailoverQuotaStore.class);

	private final RedisQuotaStore redis;

	private final QuotaProperties.RedisUnavailable choice;

	private final LocalQuotaStore local;

	private final int replicas;

	private final long retryNanos;

	private final LongSupplier ticker;

	private final Counter errors;

	/** When the store fell back (wall clock, for the health details); {@literal null} while on Redis. */
	private volatile @Nullable Instant fallbackSince;

	private volatile @Nullable String lastError;

	/** The ticker value from which the next call may try Redis again, while falling back. */
	private final AtomicLong nextAttempt = new AtomicLong();

	FailoverQuotaStore(RedisQuotaStore redis, QuotaProperties properties, MeterRegistry registry) {
		this(redis, properties, registry, System::nanoTime);
	}

	FailoverQuotaStore(RedisQuotaStore redis, QuotaProperties properties, MeterRegistry registry, LongSupplier ticker) {
		this.redis = redis;
		this.choice = properties.redisUnavailable();
		this.local = new LocalQuotaStore(properties.maxTrackedStreams());
		this.replicas = properties.replicas();
		this.retryNanos = properties.redis().retryInterval().toNanos();
		this.ticker = ticker;
		this.errors = Counter.builder("kvs.gateway.quota.store.errors")
			.description("Calls to the shared quota store (Redis) that failed and were answered by the fallback")
			.register(registry);
		Gauge.builder("kvs.gateway.quota.store.fallback", this, store -> store.fallbackSince == null ? 0 : 1)
			.description("1 while the shared quota store (Redis) cannot be reached and "
					+ "gateway.quota.redis-unavailable decides, else 0")
			.register(registry);
	}

	@Override
	public Decision reserve(String streamName, Capacity capacity, Reservation reservation, long now) {
		if (tryRedis()) {
			try {
				return succeeded(redis.reserve(streamName, capacity, reservation, now));
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
		return switch (choice) {
			case LOCAL_FALLBACK -> local.reserve(streamName, share(capacity), reservation, now);
			case REJECT -> unavailable();
			case ADMIT -> new Decision.Granted(RedisQuotaStore.lease(reservation, streamName));
		};
	}

	@Override
	public @Nullable Lease release(String sessionId, long now) {
		// A lease granted during an outage is in the fallback store, whether or not Redis is back.
		Lease lease = local.release(sessionId, now);
		if (lease != null) {
			return lease;
		}
		if (tryRedis()) {
			try {
				return succeeded(redis.release(sessionId, now));
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
		return null;
	}

	@Override
	public Permit acquire(String streamName, Capacity capacity, Budget budget, long now) {
		if (tryRedis()) {
			try {
				return succeeded(redis.acquire(streamName, capacity, budget, now));
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
		return switch (choice) {
			case LOCAL_FALLBACK -> local.acquire(streamName, share(capacity), budget, now);
			case REJECT -> unavailable();
			case ADMIT -> Permit.ACQUIRED;
		};
	}

	@Override
	public Permit debit(String streamName, Capacity capacity, long metadata, long media, long now) {
		if (tryRedis()) {
			try {
				return succeeded(redis.debit(streamName, capacity, metadata, media, now));
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
		return switch (choice) {
			case LOCAL_FALLBACK -> local.debit(streamName, share(capacity), metadata, media, now);
			case REJECT -> unavailable();
			case ADMIT -> Permit.ACQUIRED;
		};
	}

	@Override
	public void rejected(String streamName, Budget budget) {
		if (fallbackSince != null) {
			local.rejected(streamName, budget);
			return;
		}
		try {
			redis.rejected(streamName, budget);
		}
		catch (RedisException ex) {
			failed(ex);
		}
	}

	/** Redis's streams while on Redis; during an outage, the fallback's (empty unless {@code local-fallback}). */
	@Override
	public List<StreamQuota> snapshot(long now) {
		if (tryRedis()) {
			try {
				return succeeded(redis.snapshot(now));
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
		return local.snapshot(now);
	}

	/** Tries Redis now if the store is falling back and a retry is due, so that an idle replica notices it is back. */
	void probe() {
		if (fallbackSince != null && tryRedis()) {
			try {
				redis.ping();
				succeeded(null);
			}
			catch (RedisException ex) {
				failed(ex);
			}
		}
	}

	/** @return when the store fell back to {@link #choice()}, {@literal null} while it uses Redis */
	@Nullable Instant fallbackSince() {
		return fallbackSince;
	}

	@Nullable String lastError() {
		return lastError;
	}

	QuotaProperties.RedisUnavailable choice() {
		return choice;
	}

	/** The choice as it is configured: {@code local-fallback}, {@code reject} or {@code admit}. */
	String choiceName() {
		return choice.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

	String address() {
		return redis.address();
	}

	int replicas() {
		return replicas;
	}

	/** Whether this call should go to Redis: always while on Redis, once per retry interval while falling back. */
	private boolean tryRedis() {
		if (fallbackSince == null) {
			return true;
		}
		long next = nextAttempt.get();
		long now = ticker.getAsLong();
		return now - next >= 0 && nextAttempt.compareAndSet(next, now + retryNanos);
	}

	private <T> T succeeded(T result) {
		if (fallbackSince != null) {
			synchronized (this) {
				if (fallbackSince != null) {
					logger.info("The quota store reaches Redis at {} again after falling back since {}", address(),
							fallbackSince);
					fallbackSince = null;
				}
			}
		}
		return result;
	}

	private void failed(RedisException ex) {
		errors.increment();
		lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
		if (fallbackSince == null) {
			synchronized (this) {
				if (fallbackSince == null) {
					nextAttempt.set(ticker.getAsLong() + retryNanos);
					fallbackSince = Instant.now();
					logger.warn("The quota store cannot reach Redis at {} ({}); gateway.quota.redis-unavailable={} "
							+ "until it answers again", address(), lastError, choiceName());
				}
			}
		}
	}

	/** This replica's share of a stream's capacity while the replicas cannot share budgets. */
	private Capacity share(Capacity capacity) {
		if (replicas == 1) {
			return capacity;
		}
		return new Capacity(capacity.metadata() / replicas, capacity.media() / replicas,
				capacity.sessionUrls() / replicas, capacity.dataEndpoint() / replicas,
				capacity.viewerMetadata() / replicas, capacity.viewerMedia() / replicas);
	}

	private Decision.Rejected unavailable() {
		return new Decision.Rejected(Budget.QUOTA_STORE, Duration.ofNanos(retryNanos));
	}

	@Override
	public void close() {
		redis.close();
	}

}
