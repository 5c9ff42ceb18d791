package io.kvsgateway.ops;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.kvsgateway.ingest.CameraConnections;
import io.kvsgateway.quota.Admission;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operators' metric binders, and the meters behind the ingest and playback modules' metric ports, all sharing one
 * bound on the {@code stream} tag.
 */
@Configuration(proxyBeanMethods = false)
class OpsConfiguration {

	@Bean(destroyMethod = "close")
	QuotaMetrics quotaMetrics(Admission admission, OpsProperties properties) {
		QuotaMetrics metrics = new QuotaMetrics(admission::snapshot, properties.maxTaggedStreams(),
				StreamTags.matcher(properties.taggedStreams()));
		metrics.start(properties.metricsRefresh());
		return metrics;
	}

	@Bean
	StreamTags streamTags(OpsProperties properties) {
		return new StreamTags(properties.maxTaggedStreams(), properties.taggedStreams());
	}

	@Bean
	IngestMeters ingestMeters(MeterRegistry registry, StreamTags tags, CameraConnections connections) {
		// Per replica, as KVS's PutMedia.ActiveConnections is per service host.
		Gauge.builder("kvs.putmedia.active.connections", connections, open -> open.list().size())
			.description("Camera PutMedia connections open on this replica (KVS PutMedia.ActiveConnections)")
			.register(registry);
		return new IngestMeters(registry, tags);
	}

	@Bean
	PlaybackMeters playbackMeters(MeterRegistry registry, StreamTags tags) {
		return new PlaybackMeters(registry, tags);
	}

}
