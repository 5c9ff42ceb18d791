package io.kvsgateway.quota;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import org.jspecify.annotations.Nullable;

/**
 * The store shared by every gateway replica: each stream's budgets, leases and token buckets live in Redis, and every
 * operation is one run of {@code quota-store.lua} (EVALSHA, EVAL when Redis does not know the script yet), so that a
 * check-and-reserve is atomic across replicas. The script does {@link LocalQuotaStore}'s arithmetic on integers, so
 * both stores decide alike.
 * <p>
 * Keys: {@code kvsq:{stream}} (state, lease records, viewer sums) and {@code kvsq:{stream}:ends} (when reservations
 * end), hash-tagged by stream so that one script only touches one Redis Cluster slot; both expire a while after the
 * last reservation ends, so Redis frees a stream nobody uses. {@code kvsq:session:<id>} names the stream a session's
 * lease is on, for {@link #release}, and expires with the session; {@code kvsq:streams} lists streams for
 * {@link #snapshot}. A grant costs one round trip (the script, with the session index claimed alongside), a release
 * two. Needs Redis 6.2 or later (GETDEL).
 * <p>
 * Time comes from the caller's clock, not Redis's {@code TIME}, so that tests can move it. That assumes the replicas'
 * clocks agree (NTP, within milliseconds): a replica that runs ahead ends leases and refills buckets early by its lead,
 * one that lags sees them end late; a bucket never refills backwards. Key expiry is set relative to the caller's
 * times, so Redis's own clock offset does not matter.
 * <p>
 * Failures (Redis unreachable, too slow, refusing) surface as Lettuce's {@code RedisException}; what happens then is
 * {@link FailoverQuotaStore}'s choice.
 */
final class RedisQuotaStore implements QuotaStore, AutoCloseable {

	private static final String SCRIPT = script();

	private static final String PREFIX = "kvsq:";

	private static final String STREAMS = PREFIX + "streams";

	private static final String ZEROS = "00000000000000000000";

	/** Lua numbers are doubles: larger amounts would not be exact in the script. */
	private static final long MAX_EXACT = 1L << 53;

	/**
	 * How long a stream's state outlives its last reservation end: a bucket in debt refills within it, and it is
	 * ample for the replicas' clock skew.
	 */
	private static final Duration KEEP = Duration.ofMinutes(10);

	private final RedisURI uri;

	private final ClientResources resources;

	private final RedisClient client;

	private final String sha;

	private volatile @Nullable StatefulRedisConnection<String, String> connection;

	private final ReentrantLock connecting = new ReentrantLock();

	private final AtomicLong attempts = new AtomicLong();

	/**
	 * @param uri where Redis is, with its command timeout: a call that takes longer fails
	 * @param reconnectDelay the longest wait between attempts to reconnect after the connection was lost
	 */
	RedisQuotaStore(RedisURI uri, Duration reconnectDelay) {
		this.uri = uri;
		Duration timeout = uri.getTimeout();
		this.resources = DefaultClientResources.builder()
			.reconnectDelay(Delay.exponential(Duration.ofMillis(10), reconnectDelay, 2, TimeUnit.MILLISECONDS))
			.build();
		this.client = RedisClient.create(this.resources, uri);
		// While disconnected, fail at once instead of queueing: the caller falls back without waiting for a timeout.
		this.client.setOptions(ClientOptions.builder()
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
			.timeoutOptions(TimeoutOptions.enabled(timeout))
			.build());
		this.sha = sha1(SCRIPT);
		try {
			connection();
		}
		catch (RedisException ex) {
			// Not fatal: the first call fails the same way and the store falls back until Redis answers.
		}
	}

	/** Where Redis is, without credentials. */
	String address() {
		return uri.getHost() + ":" + uri.getPort();
	}

	/** Answers when Redis does; throws Lettuce's {@code RedisException} when it does not. */
	void ping() {
		commands().ping();
	}

	@Override
	public Decision reserve(String streamName, Capacity capacity, Reservation reservation, long now) {
		// One id must not hold two leases. The session index is in another Redis Cluster slot than the stream, so it
		// cannot be claimed in the script: it is claimed alongside (one round trip), and given back when the
		// reservation is refused or holds nothing; a grant for a session whose index another lease holds is undone.
		String index = PREFIX + "session:" + reservation.sessionId();
		Script script = script(streamName, "reserve", now, capacity, reservation.sessionId(), reservation.viewer(),
				exact(reservation.metadataPerSecond()), time(reservation.metadataUntil()),
				exact(reservation.mediaPerSecond()), time(reservation.mediaUntil()), exact(reservation.metadataBurst()),
				time(reservation.expiresAt()));
		RedisAsyncCommands<String, String> async = connection().async();
		RedisFuture<String> claim = async.set(index, streamName,
				SetArgs.Builder.nx().px(Math.max(1, ceilMillis(reservation.expiresAt() - now))));
		RedisFuture<List<Object>> run = async.evalsha(this.sha, ScriptOutputType.MULTI, script.keys(),
				script.values());
		boolean claimed = await(claim) != null;
		List<Object> result = await(run, script);
		registerIfCreated(streamName, result);
		String outcome = (String) result.get(0);
		if ("held".equals(outcome)) {
			throw alreadyHeld(reservation.sessionId());
		}
		if ("rejected".equals(outcome)) {
			if (claimed) {
				commands().del(index);
			}
			return rejected(result);
		}
		if (!claimed) {
			run(streamName, "release", now, null, reservation.sessionId(), "1",
					Long.toString(reservation.metadataBurst()));
			throw alreadyHeld(reservation.sessionId());
		}
		if ((Long) result.get(2) == 0) {
			commands().del(index); // granted, but no reservation outlives the call: there is no lease to release
		}
		return new Decision.Granted(lease(reservation, streamName));
	}

	@Override
	public @Nullable Lease release(String sessionId, long now) {
		String streamName = commands().getdel(PREFIX + "session:" + sessionId);
		if (streamName == null) {
			return null;
		}
		List<Object> result = run(streamName, "release", now, null, sessionId, "0", "0");
		if (result.isEmpty()) {
			return null;
		}
		return new Lease(sessionId, streamName, (String) result.get(0),
				SessionCost.points(Long.parseLong((String) result.get(1))),
				SessionCost.points(Long.parseLong((String) result.get(2))), instant((String) result.get(3)),
				instant((String) result.get(4)));
	}

	@Override
	public Permit acquire(String streamName, Capacity capacity, Budget budget, long now) {
		if (budget != Budget.SESSION_URLS && budget != Budget.DATA_ENDPOINT) {
			throw new IllegalArgumentException(budget + " is not a call-rate budget");
		}
		List<Object> result = run(streamName, "acquire", now, capacity, budget.name());
		registerIfCreated(streamName, result);
		return "rejected".equals(result.get(0)) ? rejected(result) : Permit.ACQUIRED;
	}

	@Override
	public Permit debit(String streamName, Capacity capacity, long metadata, long media, long now) {
		if (metadata < 0 || media < 0) {
			throw new IllegalArgumentException("points must not be negative, were " + metadata + " and " + media);
		}
		List<Object> result = run(streamName, "debit", now, capacity, exact(metadata), exact(media));
		registerIfCreated(streamName, result);
		return "rejected".equals(result.get(0)) ? rejected(result) : Permit.ACQUIRED;
	}

	@Override
	public void rejected(String streamName, Budget budget) {
		run(streamName, "rejected", 0, null, budget.name());
	}

	@Override
	public List<StreamQuota> snapshot(long now) {
		Budget[] budgets = Budget.values();
		String[] names = new String[budgets.length];
		for (int i = 0; i < budgets.length; i++) {
			names[i] = budgets[i].name();
		}
		List<String> streams = new ArrayList<>(commands().smembers(STREAMS));
		streams.sort(null);
		// Pipelined: every stream's script is sent before the first answer is awaited.
		RedisAsyncCommands<String, String> async = connection().async();
		List<Script> scripts = new ArrayList<>(streams.size());
		List<RedisFuture<List<Object>>> runs = new ArrayList<>(streams.size());
		for (String streamName : streams) {
			Script script = script(streamName, "snapshot", now, null, names);
			scripts.add(script);
			runs.add(async.evalsha(this.sha, ScriptOutputType.MULTI, script.keys(), script.values()));
		}
		List<StreamQuota> quotas = new ArrayList<>();
		for (int i = 0; i < streams.size(); i++) {
			String streamName = streams.get(i);
			List<Object> result = await(runs.get(i), scripts.get(i));
			if (result.isEmpty()) {
				// Its state expired: nothing is lost but its rejection counts, as when the local store forgets it.
				commands().srem(STREAMS, streamName);
				continue;
			}
			quotas.add(quota(streamName, result, budgets));
		}
		return quotas;
	}

	/** LocalQuotaStore.Stream.quota, from the values the script returns. */
	private static StreamQuota quota(String streamName, List<Object> values, Budget[] budgets) {
		long metadata = (Long) values.get(0);
		long media = (Long) values.get(1);
		long sessionUrls = (Long) values.get(2);
		long dataEndpoint = (Long) values.get(3);
		long reservedMetadata = (Long) values.get(4);
		long reservedMedia = (Long) values.get(5);
		Map<Budget, StreamQuota.Usage> usage = new EnumMap<>(Budget.class);
		usage.put(Budget.FRAGMENT_METADATA,
				new StreamQuota.Usage(SessionCost.points(metadata), SessionCost.points(reservedMetadata),
						SessionCost.points(Math.max(0, metadata - reservedMetadata) - (Long) values.get(6))));
		usage.put(Budget.FRAGMENT_MEDIA, new StreamQuota.Usage(SessionCost.points(media),
				SessionCost.points(reservedMedia),
				SessionCost.points(Math.max(0, media - reservedMedia) - (Long) values.get(7))));
		usage.put(Budget.SESSION_URLS, new StreamQuota.Usage(SessionCost.points(sessionUrls), 0,
				SessionCost.points(sessionUrls - (Long) values.get(8))));
		usage.put(Budget.DATA_ENDPOINT, new StreamQuota.Usage(SessionCost.points(dataEndpoint), 0,
				SessionCost.points(dataEndpoint - (Long) values.get(9))));
		Map<Budget, Long> rejections = new EnumMap<>(Budget.class);
		for (int i = 0; i < budgets.length; i++) {
			long count = (Long) values.get(11 + i);
			if (count > 0) {
				rejections.put(budgets[i], count);
			}
		}
		return new StreamQuota(streamName, usage, Math.toIntExact((Long) values.get(10)), rejections);
	}

	private void registerIfCreated(String streamName, List<Object> result) {
		if ((Long) result.get(1) == 1) {
			commands().sadd(STREAMS, streamName);
		}
	}

	private static Decision.Rejected rejected(List<Object> result) {
		return new Decision.Rejected(Budget.valueOf((String) result.get(2)),
				LocalQuotaStore.retryAfter((Long) result.get(3)));
	}

	private static IllegalStateException alreadyHeld(String sessionId) {
		return new IllegalStateException("session " + sessionId + " already holds a lease");
	}

	/** The lease a granted reservation holds, as LocalQuotaStore.Held.lease makes it. */
	static Lease lease(Reservation reservation, String streamName) {
		return new Lease(reservation.sessionId(), streamName, reservation.viewer(),
				SessionCost.points(reservation.metadataPerSecond()), SessionCost.points(reservation.mediaPerSecond()),
				instant(reservation.mediaUntil()), instant(reservation.expiresAt()));
	}

	/** Runs the script on one stream's keys: operation, now, the keep time, the capacity when given, then args. */
	private List<Object> run(String streamName, String operation, long now, @Nullable Capacity capacity,
			String... args) {
		Script script = script(streamName, operation, now, capacity, args);
		return await(connection().async().evalsha(this.sha, ScriptOutputType.MULTI, script.keys(), script.values()),
				script);
	}

	private static Script script(String streamName, String operation, long now, @Nullable Capacity capacity,
			String... args) {
		List<String> argv = new ArrayList<>(9 + args.length);
		argv.add(operation);
		argv.add(time(now));
		argv.add(Long.toString(KEEP.toMillis()));
		if (capacity != null) {
			argv.add(Long.toString(capacity.metadata()));
			argv.add(Long.toString(capacity.media()));
			argv.add(Long.toString(capacity.sessionUrls()));
			argv.add(Long.toString(capacity.dataEndpoint()));
			argv.add(Long.toString(capacity.viewerMetadata()));
			argv.add(Long.toString(capacity.viewerMedia()));
		}
		argv.addAll(List.of(args));
		String[] keys = { PREFIX + "{" + streamName + "}", PREFIX + "{" + streamName + "}:ends" };
		return new Script(keys, argv.toArray(String[]::new));
	}

	/** The script's answer; when Redis does not know it (restarted, flushed), EVAL runs it and caches it again. */
	@SuppressWarnings("unchecked")
	private List<Object> await(RedisFuture<List<Object>> run, Script script) {
		try {
			return await(run);
		}
		catch (RedisNoScriptException ex) {
			return (List<Object>) commands().eval(SCRIPT, ScriptOutputType.MULTI, script.keys(), script.values());
		}
	}

	/** Waits up to the command timeout; Lettuce's {@code RedisException} (timeouts included) when it fails. */
	private <T> T await(RedisFuture<T> future) {
		return LettuceFutures.awaitOrCancel(future, this.uri.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
	}

	private record Script(String[] keys, String[] values) {

	}

	/**
	 * The connection, made on first use and again after a failed first attempt; once made, Lettuce reconnects it by
	 * itself.
	 */
	private RedisCommands<String, String> commands() {
		return connection().sync();
	}

	private StatefulRedisConnection<String, String> connection() {
		StatefulRedisConnection<String, String> current = this.connection;
		if (current != null) {
			return current;
		}
		// Calls wait for one attempt to connect at most (the connect timeout); one that failed while they waited fails
		// them too, rather than each trying again in turn.
		long attempt = this.attempts.get();
		try {
			if (!this.connecting.tryLock(this.uri.getTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
				throw new RedisConnectionException("still connecting to Redis at " + address());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisConnectionException("interrupted while connecting to Redis at " + address(), ex);
		}
		try {
			current = this.connection;
			if (current != null) {
				return current;
			}
			if (this.attempts.get() != attempt) {
				throw new RedisConnectionException("could not connect to Redis at " + address() + " just now");
			}
			this.attempts.incrementAndGet();
			current = this.client.connect();
			this.connection = current;
			return current;
		}
		finally {
			this.connecting.unlock();
		}
	}

	@Override
	public void close() {
		StatefulRedisConnection<String, String> current = this.connection;
		if (current != null) {
			current.close();
		}
		this.client.shutdown();
		this.resources.shutdown();
	}

	/** A time for the script: nanoseconds since the epoch as 20 digits, so that they sort as text and split exactly. */
	static String time(long nanos) {
		if (nanos < 0) {
			throw new IllegalArgumentException("times before 1970 are not supported, was " + nanos);
		}
		String digits = Long.toString(nanos);
		return ZEROS.substring(digits.length()) + digits;
	}

	private static String exact(long amount) {
		if (amount >= MAX_EXACT) {
			throw new IllegalArgumentException("amount " + amount + " is too large for the Redis store (below 2^53)");
		}
		return Long.toString(amount);
	}

	private static long ceilMillis(long nanos) {
		return Math.floorDiv(nanos + 999_999, 1_000_000);
	}

	private static Instant instant(String time) {
		return instant(Long.parseLong(time));
	}

	private static Instant instant(long nanos) {
		return Instant.ofEpochSecond(Math.floorDiv(nanos, LocalQuotaStore.SECOND),
				Math.floorMod(nanos, LocalQuotaStore.SECOND));
	}

	private static String script() {
		try (InputStream in = RedisQuotaStore.class.getResourceAsStream("quota-store.lua")) {
			if (in == null) {
				throw new IllegalStateException("quota-store.lua is missing from the class path");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String sha1(String script) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("SHA-1")
				.digest(script.getBytes(StandardCharsets.UTF_8));
			return java.util.HexFormat.of().formatHex(digest);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
