package io.kvsgateway.playback;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;

/**
 * Settings of the viewer API ({@code gateway.playback.*}).
 *
 * @param maxSessions upper bound of the playback sessions the gateway remembers; the oldest are forgotten first
 * @param streamListTtl how long the KVS stream list behind {@code GET /v1/streams} is reused
 */
@ConfigurationProperties("gateway.playback")
@Validated
record PlaybackProperties(@Min(1) long maxSessions, Duration streamListTtl) {

	PlaybackProperties {
		maxSessions = maxSessions == 0 ? 100_000 : maxSessions;
		streamListTtl = streamListTtl == null ? Duration.ofSeconds(5) : streamListTtl;
	}

}
