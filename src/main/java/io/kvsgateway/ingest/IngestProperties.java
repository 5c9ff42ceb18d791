package io.kvsgateway.ingest;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of camera ingest ({@code gateway.ingest.*}).
 *
 * @param dataEndpoint the base URL cameras are told to send PutMedia to ({@code /getDataEndpoint}); unset means the
 * scheme, host and port the camera used to reach this gateway, which is right unless a proxy rewrites them.
 * @param maxProducerClockAhead how far a fragment's producer timestamp may be ahead of the gateway's clock before the
 * fragment is refused with ERROR 4007; KVS documents only "a large drift into the future". Default 5 minutes.
 * @param idleAckInterval how often an {@code IDLE} ACK is sent while no byte arrives from the camera. KVS sends IDLE
 * while no data comes but does not document how often; default 5 seconds, so a producer hears several before the
 * idle close.
 * @param idleTimeout how long a camera may send nothing before its connection is closed, as KVS does after about 30
 * seconds; default 30 seconds.
 * @param maxConnectionDuration how long one camera connection may last; at the first fragment boundary after it the
 * fragment is forwarded, its PERSISTED awaited, and the connection ends with ERROR 4003
 * {@code MAX_CONNECTION_DURATION_REACHED}, on which producers reconnect. Default 45 minutes (KVS: 40–45 minutes).
 * @param upstreamRotation how long one upstream PutMedia upload is used before the gateway replaces it at a fragment
 * boundary (the camera does not notice); must stay below KVS's own 40–45 minute limit. Default 40 minutes.
 * @param maxFragmentsPerSecond how many fragments per second one camera connection (one stream) may forward, KVS's
 * per-stream limit; a faster camera is slowed down, never dropped. Default 5.
 * @param maxBytesPerSecond how many bytes per second one camera connection may forward, KVS's per-stream limit;
 * default 12.5 MB (12,500,000 bytes).
 * @param allowCreateStream whether cameras may create streams ({@code /createStream}) and tag them
 * ({@code /tagStream}), always only streams their token's streams claim or their camera key covers. Unset means
 * allowed in embedded mode, where a stream is a folder on local disk, and refused in aws mode, where each stream is
 * billed in the operator's AWS account and an operator usually provisions streams rather than let devices create
 * them. When refused, both calls answer 401 {@code NotAuthorizedException}, what KVS answers a producer whose IAM
 * policy lacks {@code kinesisvideo:CreateStream}; a producer-c camera then stops instead of retrying.
 */
@ConfigurationProperties("gateway.ingest")
@Validated
record IngestProperties(@Nullable URI dataEndpoint, Duration maxProducerClockAhead, Duration idleAckInterval,
		Duration idleTimeout, Duration maxConnectionDuration, Duration upstreamRotation, int maxFragmentsPerSecond,
		DataSize maxBytesPerSecond, @Nullable Boolean allowCreateStream) {

	IngestProperties {
		maxProducerClockAhead = maxProducerClockAhead == null ? Duration.ofMinutes(5) : maxProducerClockAhead;
		idleAckInterval = idleAckInterval == null ? Duration.ofSeconds(5) : idleAckInterval;
		idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
		maxConnectionDuration = maxConnectionDuration == null ? Duration.ofMinutes(45) : maxConnectionDuration;
		upstreamRotation = upstreamRotation == null ? Duration.ofMinutes(40) : upstreamRotation;
		maxFragmentsPerSecond = maxFragmentsPerSecond == 0 ? 5 : maxFragmentsPerSecond;
		maxBytesPerSecond = maxBytesPerSecond == null ? DataSize.ofBytes(12_500_000) : maxBytesPerSecond;
		for (Duration positive : new Duration[] { idleAckInterval, idleTimeout, maxConnectionDuration,
				upstreamRotation }) {
			if (positive.isNegative() || positive.isZero()) {
				throw new IllegalArgumentException("gateway.ingest durations must be positive");
			}
		}
		if (maxFragmentsPerSecond < 0 || maxBytesPerSecond.toBytes() <= 0) {
			throw new IllegalArgumentException("gateway.ingest rate limits must be positive");
		}
	}

	/** The defaults, for code that builds an upload without Spring. */
	static IngestProperties defaults() {
		return new IngestProperties(null, null, null, null, null, null, 0, null, null);
	}

	/**
	 * @param embedded whether streams live in the embedded KVS
	 * @return whether cameras may create and tag streams
	 */
	boolean createStreamAllowed(boolean embedded) {
		return allowCreateStream == null ? embedded : allowCreateStream;
	}

}
