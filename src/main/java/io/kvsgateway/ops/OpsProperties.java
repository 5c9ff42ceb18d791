package io.kvsgateway.ops;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the operators' view ({@code gateway.ops.*}).
 *
 * @param maxTaggedStreams how many streams get their own {@code stream} tag on the quota gauges; the others are summed
 * under {@code stream=other}, so that a fleet of cameras cannot blow up the metrics backend. Default 100.
 * @param metricsRefresh how often the quota gauges are brought up to date from the scheduler. Default 10 s.
 */
@ConfigurationProperties("gateway.ops")
record OpsProperties(Integer maxTaggedStreams, Duration metricsRefresh) {

	OpsProperties {
		maxTaggedStreams = maxTaggedStreams == null ? 100 : maxTaggedStreams;
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
