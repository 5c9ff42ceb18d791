package io.kvsgateway.quota;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the quota-aware scheduler ({@code gateway.quota.*}). Unset values take the defaults below; invalid ones
 * stop start-up with a message naming the property.
 *
 * @param store where budgets and leases live: {@code local} (in this process; one replica) or {@code redis} (shared by
 * all replicas). Default {@code local}.
 * @param safetyMargin the share of every KVS quota admission keeps free, for callers it does not see (other
 * applications on the same stream, players that refresh early); 0.05 admits up to 95% of each quota. 0–0.5, default
 * 0.05.
 * @param kvs the per-stream quotas KVS documents as hard limits; override only when KVS itself changes them
 * @param streams per-stream capacities by stream name or {@code *}-pattern ({@code garage-*}); unset values come from
 * {@code kvs}. An exact name wins over patterns, a longer pattern over a shorter one. Spring Boot drops {@code *}
 * from map keys unless they are bracketed: {@code gateway.quota.streams[garage-*].fragment-media=250}, in YAML
 * {@code "[garage-*]":}.
 * @param maxViewerShare the largest share of a stream's fragment-metadata or fragment-media budget one viewer (token
 * subject) may hold, so that one viewer cannot crowd out the others. Above 0, at most 1; default 0.5.
 * @param maxWait how long admission may wait for budget to free before it rejects; 0 (default) rejects at once
 * @param onDemandFetchRate media fragments per second an on-demand player requests per session while it loads (the
 * developer guide's example 2 uses 5); default 5
 * @param replicas how many gateway replicas share the streams; with the Redis store, the share of each budget a
 * replica may use on its own while Redis cannot be reached. Default 1.
 * @param maxTrackedStreams how many streams the local store keeps state for; idle streams are forgotten first, and
 * when every tracked stream is busy a new one is rejected. Default 10,000.
 * @param redisUnavailable what the Redis store does while Redis cannot be reached (unreachable, slower than
 * {@code redis.timeout}, refusing): {@code local-fallback} (default) keeps budgets in this replica, each its
 * capacity divided by {@code replicas}, so that the replicas together stay within the stream's quota; {@code reject}
 * fails closed (every admission and call is refused with {@link Budget#QUOTA_STORE}, a 503); {@code admit} fails
 * open (everything is allowed, nothing counted, so KVS's own limits are all that is left). Either way the
 * {@code quotaStore} health indicator and the {@code kvs.gateway.quota.store.fallback} gauge say so, and the store
 * goes back to Redis once it answers again.
 * @param redis where the Redis store's Redis is and how long it may take
 */
@ConfigurationProperties("gateway.quota")
@Validated
record QuotaProperties(Store store, Double safetyMargin, Capacities kvs, Map<String, Capacities> streams,
		Double maxViewerShare, Duration maxWait, Double onDemandFetchRate, Integer replicas,
		Integer maxTrackedStreams, RedisUnavailable redisUnavailable, Redis redis) {

	/** KVS's largest per-stream quota is 10,000 points/s; this bound keeps the store's integer arithmetic exact. */
	static final double MAX_CAPACITY = 1_000_000;

	@ConstructorBinding
	QuotaProperties {
		store = store == null ? Store.LOCAL : store;
		safetyMargin = safetyMargin == null ? 0.05 : safetyMargin;
		Capacities defaults = Capacities.KVS;
		kvs = kvs == null ? defaults : kvs.orElse(defaults);
		streams = streams == null ? Map.of() : Map.copyOf(streams);
		maxViewerShare = maxViewerShare == null ? 0.5 : maxViewerShare;
		maxWait = maxWait == null ? Duration.ZERO : maxWait;
		onDemandFetchRate = onDemandFetchRate == null ? 5.0 : onDemandFetchRate;
		replicas = replicas == null ? 1 : replicas;
		maxTrackedStreams = maxTrackedStreams == null ? 10_000 : maxTrackedStreams;
		redisUnavailable = redisUnavailable == null ? RedisUnavailable.LOCAL_FALLBACK : redisUnavailable;
		redis = redis == null ? new Redis(null, null, null) : redis;
		if (!(safetyMargin >= 0 && safetyMargin <= 0.5)) {
			throw new IllegalArgumentException("gateway.quota.safety-margin must be between 0 and 0.5, was " + safetyMargin);
		}
		kvs.check("gateway.quota.kvs");
		for (Map.Entry<String, Capacities> entry : streams.entrySet()) {
			if (entry.getKey().isBlank()) {
				throw new IllegalArgumentException("gateway.quota.streams: a stream name or pattern must not be blank");
			}
			entry.getValue().check("gateway.quota.streams[" + entry.getKey() + "]");
		}
		if (!(maxViewerShare > 0 && maxViewerShare <= 1)) {
			throw new IllegalArgumentException(
					"gateway.quota.max-viewer-share must be above 0 and at most 1, was " + maxViewerShare);
		}
		if (maxWait.isNegative()) {
			throw new IllegalArgumentException("gateway.quota.max-wait must not be negative, was " + maxWait);
		}
		if (!(onDemandFetchRate > 0 && onDemandFetchRate <= 1000)) {
			throw new IllegalArgumentException(
					"gateway.quota.on-demand-fetch-rate must be above 0 and at most 1000 per second, was "
							+ onDemandFetchRate);
		}
		if (replicas < 1) {
			throw new IllegalArgumentException("gateway.quota.replicas must be at least 1, was " + replicas);
		}
		if (maxTrackedStreams < 1) {
			throw new IllegalArgumentException(
					"gateway.quota.max-tracked-streams must be at least 1, was " + maxTrackedStreams);
		}
	}

	/** Every setting but the Redis store's, which take their defaults. */
	QuotaProperties(Store store, Double safetyMargin, Capacities kvs, Map<String, Capacities> streams,
			Double maxViewerShare, Duration maxWait, Double onDemandFetchRate, Integer replicas,
			Integer maxTrackedStreams) {
		this(store, safetyMargin, kvs, streams, maxViewerShare, maxWait, onDemandFetchRate, replicas,
				maxTrackedStreams, null, null);
	}

	/** The defaults, for code and tests that run without Spring. */
	static QuotaProperties defaults() {
		return new QuotaProperties(null, null, null, null, null, null, null, null, null);
	}

	/**
	 * @param streamName a stream name
	 * @return the stream's capacities before the safety margin: its exact override, else its longest matching
	 * pattern, else the KVS defaults; unset values of an override come from the KVS defaults
	 */
	Capacities capacitiesOf(String streamName) {
		Capacities exact = streams.get(streamName);
		if (exact != null) {
			return exact.orElse(kvs);
		}
		Capacities best = null;
		int bestLength = -1;
		for (Map.Entry<String, Capacities> entry : patterns()) {
			String pattern = entry.getKey();
			if (pattern.length() > bestLength && matches(pattern, streamName)) {
				best = entry.getValue();
				bestLength = pattern.length();
			}
		}
		return best == null ? kvs : best.orElse(kvs);
	}

	private List<Map.Entry<String, Capacities>> patterns() {
		return streams.entrySet()
			.stream()
			.filter(entry -> entry.getKey().indexOf('*') >= 0)
			.sorted(Comparator.comparing(Map.Entry::getKey))
			.toList();
	}

	/**
	 * Whether {@code name} matches {@code pattern}, where {@code *} stands for any run of characters: the literal
	 * pieces between stars must appear in order, the first at the start and the last at the end.
	 */
	static boolean matches(String pattern, String name) {
		String[] pieces = pattern.split("\\*", -1);
		if (pieces.length == 1) {
			return pattern.equals(name);
		}
		String first = pieces[0];
		String last = pieces[pieces.length - 1];
		if (!name.startsWith(first) || !name.endsWith(last) || name.length() < first.length() + last.length()) {
			return false;
		}
		int from = first.length();
		int end = name.length() - last.length();
		for (int i = 1; i < pieces.length - 1; i++) {
			int at = name.indexOf(pieces[i], from);
			if (at < 0 || at + pieces[i].length() > end) {
				return false;
			}
			from = at + pieces[i].length();
		}
		return true;
	}

	/** Where budgets and leases are kept. */
	enum Store {

		LOCAL, REDIS

	}

	/** What the Redis store does while Redis cannot be reached. */
	enum RedisUnavailable {

		/** Keep budgets in this replica, each capacity divided by {@code replicas}. */
		LOCAL_FALLBACK,

		/** Fail closed: refuse with {@link Budget#QUOTA_STORE}. */
		REJECT,

		/** Fail open: allow everything, count nothing. */
		ADMIT

	}

	/**
	 * The Redis store's connection ({@code gateway.quota.redis.*}).
	 *
	 * @param url {@code redis://[user:password@]host:port[/database]}, or {@code rediss://} for TLS. Default
	 * {@code redis://localhost:6379}.
	 * @param timeout how long one store call may take before Redis counts as unreachable; keep it short, admission
	 * waits for it. Default 200ms.
	 * @param retryInterval while Redis is unreachable, how often a call tries it again (and Lettuce reconnects at
	 * least as often). Default 1s.
	 */
	record Redis(String url, Duration timeout, Duration retryInterval) {

		Redis {
			url = url == null ? "redis://localhost:6379" : url;
			timeout = timeout == null ? Duration.ofMillis(200) : timeout;
			retryInterval = retryInterval == null ? Duration.ofSeconds(1) : retryInterval;
			if (!timeout.isPositive()) {
				throw new IllegalArgumentException("gateway.quota.redis.timeout must be positive, was " + timeout);
			}
			if (!retryInterval.isPositive()) {
				throw new IllegalArgumentException(
						"gateway.quota.redis.retry-interval must be positive, was " + retryInterval);
			}
		}

	}

	/**
	 * Per-stream quotas in points (or calls) per second; {@literal null} means "as the KVS default".
	 *
	 * @param fragmentMetadata fragment-metadata points per second (KVS: 10,000)
	 * @param fragmentMedia fragment-media points per second (KVS: 500)
	 * @param sessionUrls GetHLSStreamingSessionURL / GetDASHStreamingSessionURL calls per second (KVS: 25)
	 * @param dataEndpoint GetDataEndpoint calls per second (KVS: 5)
	 */
	record Capacities(@Nullable Double fragmentMetadata, @Nullable Double fragmentMedia, @Nullable Double sessionUrls,
			@Nullable Double dataEndpoint) {

		/** The per-stream quotas of the developer guide's service quota tables. */
		static final Capacities KVS = new Capacities(10_000.0, 500.0, 25.0, 5.0);

		Capacities orElse(Capacities defaults) {
			return new Capacities(fragmentMetadata == null ? defaults.fragmentMetadata : fragmentMetadata,
					fragmentMedia == null ? defaults.fragmentMedia : fragmentMedia,
					sessionUrls == null ? defaults.sessionUrls : sessionUrls,
					dataEndpoint == null ? defaults.dataEndpoint : dataEndpoint);
		}

		void check(String prefix) {
			check(prefix + ".fragment-metadata", fragmentMetadata);
			check(prefix + ".fragment-media", fragmentMedia);
			check(prefix + ".session-urls", sessionUrls);
			check(prefix + ".data-endpoint", dataEndpoint);
		}

		private static void check(String name, @Nullable Double value) {
			if (value != null && !(value > 0 && value <= MAX_CAPACITY)) {
				throw new IllegalArgumentException(
						name + " must be above 0 and at most " + (long) MAX_CAPACITY + " per second, was " + value);
			}
		}

		double value(Budget budget) {
			Double value = switch (budget) {
				case FRAGMENT_METADATA -> fragmentMetadata;
				case FRAGMENT_MEDIA -> fragmentMedia;
				case SESSION_URLS -> sessionUrls;
				case DATA_ENDPOINT -> dataEndpoint;
				default -> throw new IllegalArgumentException(budget + " has no capacity of its own");
			};
			if (value == null) {
				throw new IllegalStateException(budget + " is unset; resolve with orElse first");
			}
			return value;
		}

	}

}
