package io.kvsgateway.ops;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the operators' view ({@code gateway.ops.*}).
 *
 * @param maxTaggedStreams how many streams get their own {@code stream} tag on the per-stream metrics (PutMedia, the
 * archived-media calls, fragment points consumed, the quota gauges); the others are counted under
 * {@code stream=_other}, so that a fleet of cameras cannot blow up the metrics backend. The counters keep the first
 * streams they see for the life of the process; the quota gauges, the first streams the scheduler tracks while it
 * tracks them. Default 100.
 * @param taggedStreams stream names or {@code *}-patterns that may have a {@code stream} tag of their own (still at
 * most {@code max-tagged-streams} of them), so that the streams that matter are the ones kept; empty (the default) for
 * every stream.
 * @param metricsRefresh how often the quota gauges are brought up to date from the scheduler. Default 10 s.
 */
@ConfigurationProperties("gateway.ops")
record OpsProperties(Integer maxTaggedStreams, List<String> taggedStreams, Duration metricsRefresh) {

	OpsProperties {
		maxTaggedStreams = maxTaggedStreams == null ? 100 : maxTaggedStreams;
		taggedStreams = taggedStreams == null ? List.of() : List.copyOf(taggedStreams);
		metricsRefresh = metricsRefresh == null ? Duration.ofSeconds(10) : metricsRefresh;
		if (maxTaggedStreams < 0) {
			throw new IllegalArgumentException("gateway.ops.max-tagged-streams must not be negative, was "
					+ maxTaggedStreams);
		}
		if (metricsRefresh.isNegative() || metricsRefresh.isZero()) {
			throw new IllegalArgumentException("gateway.ops.metrics-refresh must be positive, was " + metricsRefresh);
		}
	}

}
