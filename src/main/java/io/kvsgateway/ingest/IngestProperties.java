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
 * @param allowCreateStream whether cameras may create streams ({@code /createStream}) and tag them
 * ({@code /tagStream}), always only streams their token's streams claim or their camera key covers. Unset means
 * allowed in embedded mode, where a stream is a folder on local disk, and refused in aws mode, where each stream is
 * billed in the operator's AWS account and an operator usually provisions streams rather than let devices create
 * them. When refused, both calls answer 401 {@code NotAuthorizedException}, what KVS answers a producer whose IAM
 * policy lacks {@code kinesisvideo:CreateStream}; a producer-c camera then stops instead of retrying.
 */
@ConfigurationProperties("gateway.ingest")
@Validated
record IngestProperties(@Nullable URI dataEndpoint, Duration maxProducerClockAhead,
		@Nullable Boolean allowCreateStream) {

	IngestProperties {
		maxProducerClockAhead = maxProducerClockAhead == null ? Duration.ofMinutes(5) : maxProducerClockAhead;
	}

	/**
	 * @param embedded whether streams live in the embedded KVS
	 * @return whether cameras may create and tag streams
	 */
	boolean createStreamAllowed(boolean embedded) {
		return allowCreateStream == null ? embedded : allowCreateStream;
	}

}
