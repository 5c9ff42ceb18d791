package io.kvsgateway.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.StreamQuota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The quota scheduler as metrics: {@code kvs.gateway.quota.reserved} and {@code kvs.gateway.quota.capacity} (points
 * or calls per second, tagged {@code stream} and {@code budget}) and {@code kvs.gateway.quota.rejections} (tagged
 * {@code budget}). At most {@code maxTaggedStreams} streams get their own tag (of those
 * {@code gateway.ops.tagged-streams} covers), first come first kept while the scheduler tracks them; the rest are
 * summed under {@code stream=_other}, so the number of time series stays bounded however many cameras there are. Rejections are counted per budget only, for the same reason.
 * <p>
 * Gauges are brought up to date by {@link #refresh()}, every {@code gateway.ops.metrics-refresh}, from one snapshot,
 * rather than by one callback per series that would each take a snapshot of every stream.
 */
class QuotaMetrics implements MeterBinder, AutoCloseable {

	static final String OTHER = StreamTags.OTHER;

	/** The budgets with a capacity of their own, as {@link StreamQuota#usage()} reports them. */
	private static final List<Budget> GAUGED = List.of(Budget.FRAGMENT_METADATA, Budget.FRAGMENT_MEDIA,
			Budget.SESSION_URLS, Budget.DATA_ENDPOINT);

	private static final Logger log = LoggerFactory.getLogger(QuotaMetrics.class);

	private final Supplier<List<StreamQuota>> snapshots;

	private final int maxTaggedStreams;

	private final Predicate<String> taggable;

	private final Set<String> tagged = new LinkedHashSet<>();

	private final Map<String, Map<Budget, Long>> counted = new HashMap<>();

	private final List<Bound> bound = new ArrayList<>();

	private @Nullable ScheduledExecutorService scheduler;

	/**
	 * @param snapshots the scheduler's state, such as {@code admission::snapshot}
	 * @param maxTaggedStreams how many streams get their own {@code stream} tag
	 */
	QuotaMetrics(Supplier<List<StreamQuota>> snapshots, int maxTaggedStreams) {
		this(snapshots, maxTaggedStreams, any -> true);
	}

	/**
	 * @param snapshots the scheduler's state, such as {@code admission::snapshot}
	 * @param maxTaggedStreams how many streams get their own {@code stream} tag
	 * @param taggable the streams that may have one
	 */
	QuotaMetrics(Supplier<List<StreamQuota>> snapshots, int maxTaggedStreams, Predicate<String> taggable) {
		this.snapshots = snapshots;
		this.maxTaggedStreams = maxTaggedStreams;
		this.taggable = taggable;
	}

	@Override
	public synchronized void bindTo(MeterRegistry registry) {
		Map<Budget, Counter> rejections = new EnumMap<>(Budget.class);
		for (Budget budget : Budget.values()) {
			rejections.put(budget, Counter.builder("kvs.gateway.quota.rejections")
				.description("Requests the quota scheduler refused, by the budget that was full")
				.tag("budget", budget.name())
				.register(registry));
		}
		bound.add(new Bound(MultiGauge.builder("kvs.gateway.quota.reserved")
			.description("Points (or calls) per second sustained playback sessions reserve")
			.register(registry),
				MultiGauge.builder("kvs.gateway.quota.capacity")
					.description("Points (or calls) per second admission may use, after the safety margin")
					.register(registry),
				rejections));
		refresh();
	}

	/** Starts refreshing every {@code every}; {@link #close()} stops it. */
	synchronized void start(Duration every) {
		if (scheduler != null) {
			return;
		}
		scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
			.name("quota-metrics")
			.daemon(true)
			.factory());
		scheduler.scheduleWithFixedDelay(() -> {
			try {
				refresh();
			}
			catch (RuntimeException e) {
				log.warn("Could not refresh the quota metrics", e);
			}
		}, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void close() {
		if (scheduler != null) {
			scheduler.shutdownNow();
			scheduler = null;
		}
	}

	/** Brings every gauge and counter up to date from one snapshot of the scheduler. */
	synchronized void refresh() {
		if (bound.isEmpty()) {
			return;
		}
		List<StreamQuota> quotas = new ArrayList<>(snapshots.get());
		quotas.sort(Comparator.comparing(StreamQuota::streamName));
		Set<String> present = new HashSet<>();
		quotas.forEach(quota -> present.add(quota.streamName()));
		tagged.retainAll(present);
		for (StreamQuota quota : quotas) {
			if (tagged.size() >= maxTaggedStreams) {
				break;
			}
			if (taggable.test(quota.streamName())) {
				tagged.add(quota.streamName());
			}
		}

		List<MultiGauge.Row<?>> reserved = new ArrayList<>();
		List<MultiGauge.Row<?>> capacity = new ArrayList<>();
		Map<Budget, double[]> other = new EnumMap<>(Budget.class);
		for (StreamQuota quota : quotas) {
			boolean own = tagged.contains(quota.streamName());
			for (Budget budget : GAUGED) {
				StreamQuota.Usage usage = quota.usage().get(budget);
				if (usage == null) {
					continue;
				}
				if (own) {
					Tags tags = Tags.of("stream", quota.streamName(), "budget", budget.name());
					reserved.add(MultiGauge.Row.of(tags, usage.reserved()));
					capacity.add(MultiGauge.Row.of(tags, usage.capacity()));
				}
				else {
					double[] sums = other.computeIfAbsent(budget, any -> new double[2]);
					sums[0] += usage.reserved();
					sums[1] += usage.capacity();
				}
			}
		}
		other.forEach((budget, sums) -> {
			Tags tags = Tags.of("stream", OTHER, "budget", budget.name());
			reserved.add(MultiGauge.Row.of(tags, sums[0]));
			capacity.add(MultiGauge.Row.of(tags, sums[1]));
		});

		Map<Budget, Long> newRejections = newRejections(quotas);
		for (Bound b : bound) {
			b.reserved.register(reserved, true);
			b.capacity.register(capacity, true);
			newRejections.forEach((budget, count) -> b.rejections.get(budget).increment(count));
		}
	}

	/**
	 * Rejections since the last refresh. The scheduler counts per stream since it began tracking the stream; a stream
	 * it forgot and tracks again starts from zero, so a count below the last one seen is all new.
	 */
	private Map<Budget, Long> newRejections(List<StreamQuota> quotas) {
		Map<Budget, Long> fresh = new EnumMap<>(Budget.class);
		Set<String> present = new HashSet<>();
		for (StreamQuota quota : quotas) {
			present.add(quota.streamName());
			Map<Budget, Long> before = counted.computeIfAbsent(quota.streamName(), any -> new EnumMap<>(Budget.class));
			quota.rejections().forEach((budget, count) -> {
				long last = before.getOrDefault(budget, 0L);
				long delta = count >= last ? count - last : count;
				if (delta > 0) {
					fresh.merge(budget, delta, Long::sum);
				}
				before.put(budget, count);
			});
		}
		counted.keySet().retainAll(present);
		return fresh;
	}

	/** @return the streams that have their own tag now, in the order they got it */
	synchronized Set<String> taggedStreams() {
		return Set.copyOf(tagged);
	}

	private record Bound(MultiGauge reserved, MultiGauge capacity, Map<Budget, Counter> rejections) {
	}

}
