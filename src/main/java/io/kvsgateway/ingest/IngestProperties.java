package io.kvsgateway.ingest;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of camera ingest ({@code gateway.ingest.*}).
 *
 * @param dataEndpoint the base URL cameras are told to send PutMedia to ({@code /getDataEndpoint}); unset means the
 * scheme, host and port the camera used to reach this gateway, which is right unless a proxy rewrites them.
 * @param maxProducerClockAhead how far a fragment's producer timestamp may be ahead of the gateway's clock before the
 * fragment is refused with ERROR 4007; KVS documents only "a large drift into the future". Default 5 minutes.
 */
@ConfigurationProperties("gateway.ingest")
@Validated
record IngestProperties(@Nullable URI dataEndpoint, Duration maxProducerClockAhead) {

	IngestProperties {
		maxProducerClockAhead = maxProducerClockAhead == null ? Duration.ofMinutes(5) : maxProducerClockAhead;
	}

}
