package io.kvsgateway.kvs;

import java.net.URI;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

/**
 * Every SDK v2 client of the gateway, built in one place: one control-plane client and one archived-media client per
 * data endpoint, all sharing one pooled HTTP client and one credentials provider.
 */
@Component
class KvsClients implements DisposableBean {

	private final KvsProperties properties;

	private final Environment environment;

	private final SdkHttpClient http;

	private final AwsCredentialsProvider credentials;

	private final ClientOverrideConfiguration overrides;

	private final Cache<URI, KinesisVideoArchivedMediaClient> archivedMedia;

	private volatile @Nullable KinesisVideoClient controlPlane;

	private volatile @Nullable URI embeddedEndpoint;

	KvsClients(KvsProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
		this.http = ApacheHttpClient.builder()
			.maxConnections(properties.maxConnections())
			.connectionTimeout(properties.connectTimeout())
			.socketTimeout(properties.apiCallTimeout())
			.build();
		this.credentials = switch (properties.mode()) {
			case EMBEDDED -> StaticCredentialsProvider.create(AwsBasicCredentials
				.create(properties.embedded().accessKeyId(), properties.embedded().secretAccessKey()));
			case AWS -> DefaultCredentialsProvider.builder().build();
		};
		var overrides = ClientOverrideConfiguration.builder()
			.retryStrategy(b -> b.maxAttempts(properties.maxAttempts()));
		if (!properties.apiCallTimeout().isZero()) {
			overrides.apiCallTimeout(properties.apiCallTimeout());
		}
		this.overrides = overrides.build();
		// Data endpoints are few (one per KVS cell); evicted clients are closed, the shared HTTP pool stays.
		this.archivedMedia = Caffeine.newBuilder()
			.maximumSize(256)
			.<URI, KinesisVideoArchivedMediaClient>removalListener((uri, client, cause) -> {
				if (client != null) {
					client.close();
				}
			})
			.build();
	}

	KinesisVideoClient controlPlane() {
		KinesisVideoClient client = controlPlane;
		if (client == null) {
			synchronized (this) {
				client = controlPlane;
				if (client == null) {
					var builder = KinesisVideoClient.builder()
						.httpClient(http)
						.credentialsProvider(credentials)
						.region(Region.of(properties.region()))
						.overrideConfiguration(overrides);
					URI endpoint = controlPlaneEndpoint();
					if (endpoint != null) {
						builder.endpointOverride(endpoint);
					}
					client = builder.build();
					controlPlane = client;
				}
			}
		}
		return client;
	}

	KinesisVideoArchivedMediaClient archivedMedia(URI dataEndpoint) {
		return archivedMedia.get(dataEndpoint, uri -> KinesisVideoArchivedMediaClient.builder()
			.httpClient(http)
			.credentialsProvider(credentials)
			.region(Region.of(properties.region()))
			.overrideConfiguration(overrides)
			.endpointOverride(uri)
			.build());
	}

	/**
	 * The base URL the gateway reaches the embedded service at, or {@literal null} in aws mode without an override.
	 * The embedded service listens on this application's own port, known only once the web server has started, which
	 * is why clients are built on first use.
	 */
	@Nullable URI controlPlaneEndpoint() {
		if (properties.endpoint() != null) {
			return properties.endpoint();
		}
		if (properties.mode() == KvsProperties.Mode.AWS) {
			return null;
		}
		URI known = embeddedEndpoint;
		if (known != null) {
			return known;
		}
		String port = environment.getProperty("local.server.port");
		if (port == null) {
			throw new KvsException.Unavailable("the embedded KVS is not serving yet", null,
					properties.unavailableRetryAfter(), null);
		}
		String contextPath = Objects.requireNonNullElse(environment.getProperty("server.servlet.context-path"), "");
		known = URI.create("http://127.0.0.1:" + port + contextPath + "/kvs");
		embeddedEndpoint = known;
		return known;
	}

	/** @return the credentials every KVS call signs with (also used by the PutMedia signer) */
	AwsCredentialsProvider credentials() {
		return credentials;
	}

	KvsProperties.Mode mode() {
		return properties.mode();
	}

	@Override
	public void destroy() {
		archivedMedia.invalidateAll();
		KinesisVideoClient client = controlPlane;
		if (client != null) {
			client.close();
		}
		http.close();
	}

}
