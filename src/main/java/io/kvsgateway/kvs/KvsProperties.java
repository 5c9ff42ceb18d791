package io.kvsgateway.kvs;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * Settings of the KVS adapter ({@code gateway.kvs.*}).
 *
 * @param mode {@code embedded} (default): the SDK clients talk to the KVS-compatible service this application serves
 * under {@code /kvs}; {@code aws}: they talk to Amazon KVS in {@link #region} with the default credential chain.
 * @param region AWS region of the streams (also the signing region in embedded mode).
 * @param endpoint control-plane endpoint override; unset means the region's endpoint in aws mode and
 * {@code http://localhost:<server port>/kvs} in embedded mode.
 * @param embedded credentials the gateway signs with in embedded mode (the embedded service's development keys).
 * @param endpointCacheTtl how long a GetDataEndpoint answer is reused (GetDataEndpoint is limited to 5 TPS per stream).
 * @param endpointCacheSize how many (stream, API) data endpoints are cached.
 * @param connectTimeout TCP connect timeout of every KVS call.
 * @param apiCallTimeout total time a KVS call may take, retries included.
 * @param maxConnections size of the HTTP connection pool shared by all KVS clients.
 * @param maxAttempts attempts per KVS call (1 = no retry); only transport failures and 5xx answers are retried.
 * @param throttleRetryAfter the {@code Retry-After} a viewer gets when KVS answers ClientLimitExceededException.
 * @param unavailableRetryAfter the {@code Retry-After} a viewer gets when KVS cannot be reached.
 * @param putMediaReadTimeout how long a PutMedia upload may go without a byte from KVS (ACKs, or the end of the
 * response once the body is finished) before it is failed; KVS itself closes an idle upload after about 30 s.
 */
@ConfigurationProperties("gateway.kvs")
@Validated
record KvsProperties(
		Mode mode,
		@NotBlank String region,
		@Nullable URI endpoint,
		Embedded embedded,
		Duration endpointCacheTtl,
		@Min(1) long endpointCacheSize,
		Duration connectTimeout,
		Duration apiCallTimeout,
		@Min(1) int maxConnections,
		@Min(1) int maxAttempts,
		Duration throttleRetryAfter,
		Duration unavailableRetryAfter,
		Duration putMediaReadTimeout) {

	KvsProperties {
		mode = mode == null ? Mode.EMBEDDED : mode;
		region = region == null ? "us-east-1" : region;
		embedded = embedded == null ? new Embedded(null, null) : embedded;
		endpointCacheTtl = endpointCacheTtl == null ? Duration.ofHours(1) : endpointCacheTtl;
		endpointCacheSize = endpointCacheSize == 0 ? 10_000 : endpointCacheSize;
		connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
		apiCallTimeout = apiCallTimeout == null ? Duration.ofSeconds(10) : apiCallTimeout;
		maxConnections = maxConnections == 0 ? 256 : maxConnections;
		maxAttempts = maxAttempts == 0 ? 2 : maxAttempts;
		throttleRetryAfter = throttleRetryAfter == null ? Duration.ofSeconds(1) : throttleRetryAfter;
		unavailableRetryAfter = unavailableRetryAfter == null ? Duration.ofSeconds(5) : unavailableRetryAfter;
		putMediaReadTimeout = putMediaReadTimeout == null ? Duration.ofSeconds(60) : putMediaReadTimeout;
	}

	/** Where the SDK clients point. */
	enum Mode {
		/** The KVS-compatible service embedded in this application. */
		EMBEDDED,
		/** Amazon Kinesis Video Streams. */
		AWS
	}

	/**
	 * Keys the gateway signs with in embedded mode; they default to the embedded service's development keys.
	 *
	 * @param accessKeyId access key id
	 * @param secretAccessKey secret access key
	 */
	record Embedded(String accessKeyId, String secretAccessKey) {

		Embedded {
			accessKeyId = accessKeyId == null ? "AKIDKVSGATEWAYLOCAL" : accessKeyId;
			secretAccessKey = secretAccessKey == null ? "kvs-gateway-local-development-secret" : secretAccessKey;
		}

		@Override
		public String toString() {
			return "Embedded[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
		}

	}

}
