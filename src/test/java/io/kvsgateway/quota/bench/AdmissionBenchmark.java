package io.kvsgateway.quota.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.AdmissionRequest;
import io.kvsgateway.quota.Decision;
import io.kvsgateway.quota.Lease;
import io.kvsgateway.quota.QuotaBenchmarkSupport;
import io.kvsgateway.quota.SessionProfile;
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
 * How long one admission decision takes with the local store (target: p99 ≤ 50 µs): a live HLS session admitted
 * and released again on a stream that already holds {@link #heldLeases} leases, from one thread and from two threads
 * on the same stream, and a rejection on a stream whose media budget is full. Sample-time mode, so JMH reports the
 * percentiles. Run with {@code bench/admission.sh}; {@link #main} takes JMH's command line and prints a table.
 * <p>
 * Admission reads a clock that moves one microsecond per reading rather than the system clock: one admit and release
 * take well under a microsecond, faster than even a raised session-URL budget refills in real time, and the granted
 * path is what is measured here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdmissionBenchmark {

	private static final String AMPLE = "bench-ample";

	private static final String FULL = "bench-full";

	private static final SessionProfile LIVE = new SessionProfile(SessionProfile.Protocol.HLS,
			SessionProfile.PlaybackMode.LIVE, 5, 2, Duration.ofSeconds(1));

	/** Leases the stream holds before the measured admission: none, or a busy stream's worth. */
	@Param({ "0", "1000" })
	public int heldLeases;

	private final TickingClock clock = new TickingClock();

	private Admission admission = QuotaBenchmarkSupport.localAdmission(AMPLE, FULL, this.clock);

	private final AtomicLong ids = new AtomicLong();

	private final AtomicLong notGranted = new AtomicLong();

	private final AtomicLong granted = new AtomicLong();

	@Setup(Level.Trial)
	public void fill() {
		this.admission = QuotaBenchmarkSupport.localAdmission(AMPLE, FULL, this.clock);
		Instant expiry = this.clock.instant().plus(Duration.ofDays(365));
		for (int i = 0; i < this.heldLeases; i++) {
			this.admission.admit(new AdmissionRequest(AMPLE, "viewer-" + (i % 100), "held-" + i, LIVE, expiry));
		}
		// The full stream has the KVS fragment budgets: 250 of these sessions fill its 500 media points.
		for (int i = 0; i < 250; i++) {
			Decision decision = this.admission.admit(
					new AdmissionRequest(FULL, "viewer-" + i, "full-" + i, LIVE, expiry));
			if (!(decision instanceof Decision.Granted)) {
				throw new IllegalStateException("filling " + FULL + ": " + decision);
			}
		}
	}

	@TearDown(Level.Trial)
	public void check() {
		// Fail the run rather than report the rejection path under the granted path's name.
		if (this.notGranted.get() > 0) {
			throw new IllegalStateException(this.notGranted.get() + " admissions on the ample stream were not granted");
		}
		System.out.println("granted and released: " + this.granted.get());
	}

	@Benchmark
	public Object admitAndRelease() {
		return admitAndReleaseOnce();
	}

	@Benchmark
	@Threads(2)
	public Object admitAndReleaseTwoThreads() {
		return admitAndReleaseOnce();
	}

	@Benchmark
	public Decision rejected() {
		return this.admission.admit(new AdmissionRequest(FULL, "viewer-x", "rejected-" + this.ids.incrementAndGet(),
				LIVE, this.clock.instant().plus(Duration.ofHours(1))));
	}

	private Object admitAndReleaseOnce() {
		String sessionId = "s" + this.ids.incrementAndGet();
		Decision decision = this.admission.admit(new AdmissionRequest(AMPLE, "viewer", sessionId, LIVE,
				this.clock.instant().plus(Duration.ofHours(1))));
		if (!(decision instanceof Decision.Granted)) {
			this.notGranted.incrementAndGet();
			return decision;
		}
		Lease released = this.admission.release(sessionId);
		if (released != null) {
			this.granted.incrementAndGet();
		}
		return released;
	}

	/** A clock one microsecond later at every reading, from 2026 on. */
	static final class TickingClock extends Clock {

		private final AtomicLong micros = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000);

		@Override
		public Instant instant() {
			long now = this.micros.incrementAndGet();
			return Instant.ofEpochSecond(now / 1_000_000, (now % 1_000_000) * 1000);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

	/**
	 * Runs the benchmark with JMH's command-line options and prints p50, p99 and p99.9 per benchmark.
	 * @param args JMH options, for example {@code -f 1 -wi 2 -i 3 -w 2 -r 3}
	 * @throws Exception when JMH fails
	 */
	public static void main(String[] args) throws Exception {
		Collection<RunResult> results = new Runner(new CommandLineOptions(
				java.util.stream.Stream.concat(java.util.stream.Stream.of(AdmissionBenchmark.class.getName()),
						java.util.Arrays.stream(args)).toArray(String[]::new)))
			.run();
		System.out.println();
		System.out.println("| benchmark | held leases | samples | p50 µs | p99 µs | p99.9 µs | max µs |");
		System.out.println("|---|---|---|---|---|---|---|");
		for (RunResult result : results) {
			Result<?> primary = result.getPrimaryResult();
			Statistics statistics = primary.getStatistics();
			String name = result.getParams().getBenchmark();
			System.out.println(String.format(Locale.ROOT, "| %s | %s | %,d | %.2f | %.2f | %.2f | %.1f |",
					name.substring(name.lastIndexOf('.') + 1), result.getParams().getParam("heldLeases"),
					statistics.getN(), statistics.getPercentile(50), statistics.getPercentile(99),
					statistics.getPercentile(99.9), statistics.getMax()));
		}
	}

}
