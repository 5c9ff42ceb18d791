package io.kvsgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.StreamQuota;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class QuotaMetricsUnitTests {

	private final List<StreamQuota> streams = new ArrayList<>();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void tagsAtMostTheConfiguredNumberOfStreamsAndSumsTheRestUnderOther() {
		for (int i = 0; i < 5; i++) {
			streams.add(quota("cam-" + i, 2.0 * i, Map.of()));
		}
		QuotaMetrics metrics = new QuotaMetrics(() -> streams, 3);

		metrics.bindTo(registry);

		assertThat(streamTags("kvs.gateway.quota.reserved")).containsExactlyInAnyOrder("cam-0", "cam-1", "cam-2",
				QuotaMetrics.OTHER);
		assertThat(streamTags("kvs.gateway.quota.capacity")).hasSize(4);
		// cam-3 and cam-4 reserve 6 and 8 media points per second of 500 each.
		assertThat(gauge("kvs.gateway.quota.reserved", QuotaMetrics.OTHER, Budget.FRAGMENT_MEDIA)).isEqualTo(14.0);
		assertThat(gauge("kvs.gateway.quota.capacity", QuotaMetrics.OTHER, Budget.FRAGMENT_MEDIA)).isEqualTo(1000.0);
		assertThat(gauge("kvs.gateway.quota.reserved", "cam-2", Budget.FRAGMENT_MEDIA)).isEqualTo(4.0);
		assertThat(registry.find("kvs.gateway.quota.reserved").gauges()).hasSize(4 * 4);
	}

	@Test
	void aStreamKeepsItsTagWhileTrackedAndFreesItWhenForgotten() {
		streams.add(quota("a", 1, Map.of()));
		streams.add(quota("b", 1, Map.of()));
		QuotaMetrics metrics = new QuotaMetrics(() -> streams, 1);
		metrics.bindTo(registry);
		assertThat(metrics.taggedStreams()).containsExactly("a");

		streams.add(0, quota("0-new", 1, Map.of()));
		metrics.refresh();
		assertThat(metrics.taggedStreams()).as("a new stream does not take a kept tag").containsExactly("a");

		streams.removeIf(q -> q.streamName().equals("a"));
		metrics.refresh();
		assertThat(metrics.taggedStreams()).containsExactly("0-new");
		assertThat(streamTags("kvs.gateway.quota.reserved")).containsExactlyInAnyOrder("0-new", QuotaMetrics.OTHER);
	}

	@Test
	void noStreamIsTaggedWhenTheMaximumIsZero() {
		streams.add(quota("a", 3, Map.of()));
		new QuotaMetrics(() -> streams, 0).bindTo(registry);

		assertThat(streamTags("kvs.gateway.quota.reserved")).containsExactly(QuotaMetrics.OTHER);
		assertThat(gauge("kvs.gateway.quota.reserved", QuotaMetrics.OTHER, Budget.FRAGMENT_MEDIA)).isEqualTo(3.0);
	}

	@Test
	void onlyTheStreamsTheTaggedStreamsPatternsCoverGetTheirOwnTag() {
		streams.add(quota("a-lobby", 1, Map.of()));
		streams.add(quota("garage-1", 2, Map.of()));
		streams.add(quota("garage-2", 3, Map.of()));
		new QuotaMetrics(() -> streams, 10, StreamTags.matcher(List.of("garage-*"))).bindTo(registry);

		assertThat(streamTags("kvs.gateway.quota.reserved")).containsExactlyInAnyOrder("garage-1", "garage-2",
				QuotaMetrics.OTHER);
		assertThat(gauge("kvs.gateway.quota.reserved", QuotaMetrics.OTHER, Budget.FRAGMENT_MEDIA)).isEqualTo(1.0);
	}

	@Test
	void countsEachRejectionOnceByBudget() {
		streams.add(quota("a", 0, Map.of(Budget.FRAGMENT_MEDIA, 2L)));
		streams.add(quota("b", 0, Map.of(Budget.FRAGMENT_MEDIA, 1L, Budget.SESSION_URLS, 4L)));
		QuotaMetrics metrics = new QuotaMetrics(() -> streams, 0);
		metrics.bindTo(registry);
		assertThat(rejections(Budget.FRAGMENT_MEDIA)).isEqualTo(3.0);
		assertThat(rejections(Budget.SESSION_URLS)).isEqualTo(4.0);

		metrics.refresh();
		assertThat(rejections(Budget.FRAGMENT_MEDIA)).as("unchanged counts add nothing").isEqualTo(3.0);

		streams.set(0, quota("a", 0, Map.of(Budget.FRAGMENT_MEDIA, 5L)));
		// b was forgotten and tracked again: its count started over.
		streams.set(1, quota("b", 0, Map.of(Budget.FRAGMENT_MEDIA, 1L)));
		metrics.refresh();
		assertThat(rejections(Budget.FRAGMENT_MEDIA)).isEqualTo(6.0);
		assertThat(rejections(Budget.VIEWER_SHARE)).isZero();
	}

	private Set<String> streamTags(String name) {
		return registry.find(name).gauges().stream().map(g -> g.getId().getTag("stream")).collect(Collectors.toSet());
	}

	private double gauge(String name, String stream, Budget budget) {
		Gauge gauge = registry.find(name).tag("stream", stream).tag("budget", budget.name()).gauge();
		assertThat(gauge).as(name + " " + stream + " " + budget).isNotNull();
		return gauge.value();
	}

	private double rejections(Budget budget) {
		return registry.get("kvs.gateway.quota.rejections").tag("budget", budget.name()).counter().count();
	}

	private static StreamQuota quota(String stream, double mediaReserved, Map<Budget, Long> rejections) {
		Map<Budget, StreamQuota.Usage> usage = new EnumMap<>(Budget.class);
		usage.put(Budget.FRAGMENT_METADATA, new StreamQuota.Usage(10_000, 0, 10_000));
		usage.put(Budget.FRAGMENT_MEDIA, new StreamQuota.Usage(500, mediaReserved, 500 - mediaReserved));
		usage.put(Budget.SESSION_URLS, new StreamQuota.Usage(25, 0, 25));
		usage.put(Budget.DATA_ENDPOINT, new StreamQuota.Usage(5, 0, 5));
		return new StreamQuota(stream, usage, 0, rejections);
	}

}
