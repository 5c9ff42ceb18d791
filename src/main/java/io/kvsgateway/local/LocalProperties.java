package io.kvsgateway.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the embedded KVS-compatible service ({@code gateway.local.*}).
 *
 * @param dataDir where stream metadata, fragments and the session-token key live; default {@code ./data}
 * @param accessKeyId the access key id SDK clients sign with; the default {@code AKIDKVSGATEWAYLOCAL} is a
 * documented development credential, not a secret
 * @param secretAccessKey the secret that goes with {@code accessKeyId}; the default
 * {@code kvs-gateway-local-development-secret} is for development only
 * @param region the region written into stream ARNs; default {@code us-east-1} (requests signed for any region are
 * accepted)
 * @param accountId the account id written into stream ARNs; default {@code 000000000000}
 * @param publicEndpoint the base URL ({@code .../kvs}) handed out by GetDataEndpoint and in session URLs; when unset
 * it is derived from each request as {@code scheme://host:port/<context>/kvs}
 * @param liveWindow how recent the newest fragment must be for a LIVE session; default 30 seconds, as KVS
 * @param sessionTokenKey base64 AES-256 key that seals streaming-session tokens; when unset a key is generated once
 * and kept in {@code <dataDir>/session-token.key} so tokens survive a restart
 * @param maxRequestBody the largest JSON request body accepted; default 1MB
 * @param segmentSize the size at which a stream's fragment log rolls to a new segment file; retention deletes whole
 * segments, so smaller segments free space sooner; default 64MB
 * @param retentionSweepInterval how often fragments past their stream's {@code DataRetentionInHours} are removed;
 * default 1 minute
 * @param maxFragmentSize the largest fragment (MKV Cluster) PutMedia accepts; a larger one is answered with ACK 4001
 * {@code MAX_FRAGMENT_SIZE_REACHED}; default 50MB, as KVS
 * @param getMediaIdleTimeout how long a GetMedia response that has caught up with the stream waits for a new
 * fragment before it ends (the client resumes with the last {@code AWS_KINESISVIDEO_CONTINUATION_TOKEN}); default
 * 30 seconds
 * @param putMedia the connection lifecycle of the embedded PutMedia ({@code gateway.local.put-media.*})
 * @param enforceQuotas whether KVS's request quotas are enforced ({@code ClientLimitExceededException} beyond them),
 * as KVS does: the per-session rates of the HLS and DASH resources, the per-stream fragment-metadata and
 * fragment-media points and the per-stream TPS of the control-plane and media APIs; default {@code true}. Benchmarks
 * and decoder tests that fetch faster than any player turn it off. Consumption is counted either way; the connection
 * limits (PutMedia 1, GetMedia 3, GetMediaForFragmentList 5 per stream) always hold.
 * @param quotas the per-stream fragment quotas ({@code gateway.local.quotas.*})
 */
@ConfigurationProperties("gateway.local")
@Validated
record LocalProperties(Path dataDir, String accessKeyId, String secretAccessKey, String region,
		@Pattern(regexp = "\\d{12}", message = "must be 12 digits") String accountId, @Nullable URI publicEndpoint,
		Duration liveWindow, @Nullable String sessionTokenKey, DataSize maxRequestBody, DataSize segmentSize,
		Duration retentionSweepInterval, DataSize maxFragmentSize, Duration getMediaIdleTimeout, PutMedia putMedia,
		@Nullable Boolean enforceQuotas, @Nullable Quotas quotas) {

	LocalProperties {
		dataDir = (dataDir != null) ? dataDir : Path.of("./data");
		accessKeyId = hasText(accessKeyId) ? accessKeyId : "AKIDKVSGATEWAYLOCAL";
		secretAccessKey = hasText(secretAccessKey) ? secretAccessKey : "kvs-gateway-local-development-secret";
		region = hasText(region) ? region : "us-east-1";
		accountId = hasText(accountId) ? accountId : "000000000000";
		liveWindow = (liveWindow != null) ? liveWindow : Duration.ofSeconds(30);
		sessionTokenKey = hasText(sessionTokenKey) ? sessionTokenKey : null;
		maxRequestBody = (maxRequestBody != null) ? maxRequestBody : DataSize.ofMegabytes(1);
		segmentSize = (segmentSize != null) ? segmentSize : DataSize.ofMegabytes(64);
		retentionSweepInterval = (retentionSweepInterval != null) ? retentionSweepInterval : Duration.ofMinutes(1);
		maxFragmentSize = (maxFragmentSize != null) ? maxFragmentSize : DataSize.ofMegabytes(50);
		getMediaIdleTimeout = (getMediaIdleTimeout != null) ? getMediaIdleTimeout : Duration.ofSeconds(30);
		putMedia = (putMedia != null) ? putMedia : new PutMedia(null, null, null);
		enforceQuotas = (enforceQuotas != null) ? enforceQuotas : Boolean.TRUE;
		quotas = (quotas != null) ? quotas : new Quotas(null, null, null);
		if (maxFragmentSize.toBytes() <= 0 || maxFragmentSize.toBytes() > Integer.MAX_VALUE - 8) {
			throw new IllegalArgumentException("gateway.local.max-fragment-size must be between 1 byte and 2 GB");
		}
		if (getMediaIdleTimeout.isNegative() || getMediaIdleTimeout.isZero()) {
			throw new IllegalArgumentException("gateway.local.get-media-idle-timeout must be positive");
		}
		if (retentionSweepInterval.isNegative() || retentionSweepInterval.isZero()) {
			throw new IllegalArgumentException("gateway.local.retention-sweep-interval must be positive");
		}
	}

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
	record PutMedia(Duration idleAckInterval, Duration idleTimeout, Duration maxConnectionDuration) {

		PutMedia {
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

	/**
	 * The per-stream fragment quotas ({@code gateway.local.quotas.*}), in points per second. KVS's are hard limits;
	 * they are settable so that tests and simulations can scale a stream down and reach its limits with few players.
	 *
	 * @param fragmentMetadata fragment-metadata points per second per stream; default 10,000, as KVS
	 * @param fragmentMedia fragment-media points per second per stream; default 500, as KVS
	 * @param window how every per-second quota is counted, which the developer guide does not say: {@code sliding}
	 * (default; no one-second window ever holds more than the quota, the strictest reading) or {@code token-bucket}
	 * (a second's worth that refills at the quota's rate, so bursts after a quiet second pass)
	 */
	record Quotas(Long fragmentMetadata, Long fragmentMedia, LocalQuotas.WindowType window) {

		Quotas {
			fragmentMetadata = (fragmentMetadata != null) ? fragmentMetadata : 10_000L;
			fragmentMedia = (fragmentMedia != null) ? fragmentMedia : 500L;
			window = (window != null) ? window : LocalQuotas.WindowType.SLIDING;
			if (fragmentMetadata < 1 || fragmentMedia < 1 || fragmentMetadata > 1_000_000 || fragmentMedia > 1_000_000) {
				throw new IllegalArgumentException(
						"gateway.local.quotas.* must be between 1 and 1,000,000 points per second");
			}
		}

		LocalQuotas.Limits limits() {
			return new LocalQuotas.Limits(fragmentMetadata, fragmentMedia, window);
		}

	}

	/** Keeps the secret and the session-token key out of anything that prints the settings. */
	@Override
	public String toString() {
		return "LocalProperties[dataDir=" + dataDir + ", accessKeyId=" + accessKeyId + ", secretAccessKey=***, region="
				+ region + ", accountId=" + accountId + ", publicEndpoint=" + publicEndpoint + ", liveWindow="
				+ liveWindow + ", sessionTokenKey=" + (sessionTokenKey == null ? "generated" : "***")
				+ ", maxRequestBody=" + maxRequestBody + ", segmentSize=" + segmentSize + ", retentionSweepInterval="
				+ retentionSweepInterval + ", maxFragmentSize=" + maxFragmentSize + ", getMediaIdleTimeout="
				+ getMediaIdleTimeout + ", enforceQuotas=" + enforceQuotas + ", quotas=" + quotas + "]";
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isBlank();
	}

}
