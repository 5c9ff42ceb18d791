package io.kvsgateway.quota.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.AdmissionRequest;
import io.kvsgateway.quota.Decision;
import io.kvsgateway.quota.QuotaBenchmarkSupport;
import io.kvsgateway.quota.SessionProfile;
import io.kvsgateway.support.RedisServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * How long one admission decision takes with the Redis store, Redis on loopback (target: p99 ≤ 2 ms): the decision
 * alone ({@code admit}: the script, then the session index), a live HLS session admitted and released again (from one
 * and from two threads on one stream), and a rejection on a full stream, each on a stream that already holds
 * {@link #heldLeases} leases. The benchmark starts its own redis-server. Sample-time mode, so JMH reports the
 * percentiles; run with {@code bench/admission-redis.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RedisAdmissionBenchmark {

	private static final String AMPLE = "bench-ample";

	private static final String FULL = "bench-full";

	private static final SessionProfile LIVE = new SessionProfile(SessionProfile.Protocol.HLS,
			SessionProfile.PlaybackMode.LIVE, 5, 2, Duration.ofSeconds(1));

	@Param({ "0", "1000" })
	public int heldLeases;

	private final AdmissionBenchmark.TickingClock clock = new AdmissionBenchmark.TickingClock();

	private final AtomicLong ids = new AtomicLong();

	private final AtomicLong notGranted = new AtomicLong();

	private RedisServer redis;

	private QuotaBenchmarkSupport.RedisAdmission redisAdmission;

	private Admission admission;

	@Setup(Level.Trial)
	public void fill() {
		this.redis = RedisServer.start();
		this.redisAdmission = QuotaBenchmarkSupport.redisAdmission(this.redis.url(), AMPLE, FULL, this.clock);
		this.admission = this.redisAdmission.admission();
		Instant expiry = this.clock.instant().plus(Duration.ofDays(365));
		for (int i = 0; i < this.heldLeases; i++) {
			this.admission.admit(new AdmissionRequest(AMPLE, "viewer-" + (i % 100), "held-" + i, LIVE, expiry));
		}
		for (int i = 0; i < 250; i++) {
			Decision decision = this.admission.admit(
					new AdmissionRequest(FULL, "viewer-" + i, "full-" + i, LIVE, expiry));
			if (!(decision instanceof Decision.Granted)) {
				throw new IllegalStateException("filling " + FULL + ": " + decision);
			}
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		boolean fellBack = this.redisAdmission.fellBack();
		this.redisAdmission.close();
		this.redis.close();
		// Fail the run rather than report the fallback or the rejection path under the granted path's name.
		if (fellBack) {
			throw new IllegalStateException("the store fell back from Redis during the run");
		}
		if (this.notGranted.get() > 0) {
			throw new IllegalStateException(this.notGranted.get() + " admissions on the ample stream were not granted");
		}
	}

	/** The session admitted by {@link #admit}, released after the measured call. */
	@State(Scope.Thread)
	public static class Admitted {

		String sessionId;

		@TearDown(Level.Invocation)
		public void release(RedisAdmissionBenchmark benchmark) {
			if (this.sessionId != null) {
				benchmark.admission.release(this.sessionId);
				this.sessionId = null;
			}
		}

	}

	@Benchmark
	public Decision admit(Admitted admitted) {
		String sessionId = "a" + this.ids.incrementAndGet();
		Decision decision = admitOnce(sessionId);
		admitted.sessionId = sessionId;
		return decision;
	}

	@Benchmark
	public Object admitAndRelease() {
		String sessionId = "s" + this.ids.incrementAndGet();
		admitOnce(sessionId);
		return this.admission.release(sessionId);
	}

	@Benchmark
	@Threads(2)
	public Object admitAndReleaseTwoThreads() {
		return admitAndRelease();
	}

	@Benchmark
	public Decision rejected() {
		return this.admission.admit(new AdmissionRequest(FULL, "viewer-x", "rejected-" + this.ids.incrementAndGet(),
				LIVE, this.clock.instant().plus(Duration.ofHours(1))));
	}

	private Decision admitOnce(String sessionId) {
		Decision decision = this.admission.admit(new AdmissionRequest(AMPLE, "viewer", sessionId, LIVE,
				this.clock.instant().plus(Duration.ofHours(1))));
		if (!(decision instanceof Decision.Granted)) {
			this.notGranted.incrementAndGet();
		}
		return decision;
	}

	/**
	 * Runs the benchmark with JMH's command-line options and prints p50, p99 and p99.9 per benchmark.
	 * @param args JMH options, for example {@code -f 1 -wi 2 -i 3 -w 2 -r 3}
	 * @throws Exception when JMH fails
	 */
	public static void main(String[] args) throws Exception {
		Collection<RunResult> results = new Runner(new CommandLineOptions(
				java.util.stream.Stream.concat(java.util.stream.Stream.of(RedisAdmissionBenchmark.class.getName()),
						java.util.Arrays.stream(args)).toArray(String[]::new)))
			.run();
		System.out.println();
		System.out.println("| benchmark | held leases | samples | p50 µs | p99 µs | p99.9 µs | max µs |");
		System.out.println("|---|---|---|---|---|---|---|");
		for (RunResult result : results) {
			Result<?> primary = result.getPrimaryResult();
			Statistics statistics = primary.getStatistics();
			String name = result.getParams().getBenchmark();
			System.out.println(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.1f | %.1f | %.1f |",
					name.substring(name.lastIndexOf('.') + 1), result.getParams().getParam("heldLeases"),
					statistics.getN(), statistics.getPercentile(50), statistics.getPercentile(99),
					statistics.getPercentile(99.9), statistics.getMax()));
		}
	}

}
