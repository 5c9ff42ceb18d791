package io.kvsgateway.support;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

/** Real SDK v2 clients pointed at the embedded KVS of an application under test, signing with its development keys. */
public final class EmbeddedKvsClients {

	public static final String ACCESS_KEY_ID = "AKIDKVSGATEWAYLOCAL";

	public static final String SECRET_ACCESS_KEY = "kvs-gateway-local-development-secret";

	private EmbeddedKvsClients() {
	}

	public static KinesisVideoClient kinesisVideo(int port) {
		return kinesisVideo(port, ACCESS_KEY_ID, SECRET_ACCESS_KEY);
	}

	public static KinesisVideoClient kinesisVideo(int port, String accessKeyId, String secret) {
		return KinesisVideoClient.builder()
			.endpointOverride(endpoint(port))
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
			.httpClient(ApacheHttpClient.create())
			// Failures are what many tests assert; retrying them would only slow the tests down.
			.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
			.build();
	}

	public static KinesisVideoArchivedMediaClient archivedMedia(int port) {
		return KinesisVideoArchivedMediaClient.builder()
			.endpointOverride(endpoint(port))
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
			.httpClient(ApacheHttpClient.create())
			.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
			.build();
	}

	private static URI endpoint(int port) {
		return URI.create("http://localhost:" + port + "/kvs");
	}

}
