package io.kvsgateway.local;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The connection lifecycle of the embedded PutMedia ({@code gateway.local.put-media.*}), as KVS's, so that the
 * gateway's upstream hop meets in development what it meets in AWS.
 *
 * @param idleAckInterval how often {@code IDLE} is sent while no byte arrives; KVS does not document its frequency;
 * default 5 seconds
 * @param idleTimeout how long an upload may send nothing before its response ends; default 30 seconds, as KVS
 * @param maxConnectionDuration how long one upload may last; at the first fragment boundary after it the upload ends
 * with ERROR 4003 {@code MAX_CONNECTION_DURATION_REACHED}; default 45 minutes (KVS: 40–45 minutes)
 */
@ConfigurationProperties("gateway.local.put-media")
record LocalPutMediaProperties(Duration idleAckInterval, Duration idleTimeout, Duration maxConnectionDuration) {

	LocalPutMediaProperties {
		idleAckInterval = (idleAckInterval != null) ? idleAckInterval : Duration.ofSeconds(5);
		idleTimeout = (idleTimeout != null) ? idleTimeout : Duration.ofSeconds(30);
		maxConnectionDuration = (maxConnectionDuration != null) ? maxConnectionDuration : Duration.ofMinutes(45);
		for (Duration positive : new Duration[] { idleAckInterval, idleTimeout, maxConnectionDuration }) {
			if (positive.isNegative() || positive.isZero()) {
				throw new IllegalArgumentException("gateway.local.put-media durations must be positive");
			}
		}
	}

}
