package io.kvsgateway.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesisvideo.model.StreamInfo;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.kvsgateway.KvsGatewayApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Stream metadata and session tokens outlive the application; damaged metadata is skipped, never served. */
class LocalKvsRestartIntegrationTests {

	@TempDir
	Path dataDir;

	@Test
	void keepsStreamsAndSessionTokensAcrossRestart() {
		StreamInfo before;
		String sessionUrl;
		try (ConfigurableApplicationContext first = start()) {
			try (KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(first));
					KinesisVideoArchivedMediaClient media = LocalKvsTestSupport.archivedMedia(port(first))) {
				kvs.createStream(r -> r.streamName("front-door").mediaType("video/h264").dataRetentionInHours(48));
				kvs.createStream(r -> r.streamName("back-door"));
				before = kvs.describeStream(r -> r.streamName("front-door")).streamInfo();
				first.getBean(LocalFragmentStore.class)
					.append("front-door", first.getBean(java.time.Clock.class).instant(), Duration.ofSeconds(1));
				sessionUrl = media.getHLSStreamingSessionURL(r -> r.streamName("front-door")).hlsStreamingSessionURL();
			}
		}

		try (ConfigurableApplicationContext second = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(second))) {
			assertThat(kvs.describeStream(r -> r.streamName("front-door")).streamInfo()).isEqualTo(before);
			assertThat(kvs.listStreams(r -> {
			}).streamInfoList()).extracting(StreamInfo::streamName).containsExactly("back-door", "front-door");
			String token = sessionUrl.substring(sessionUrl.indexOf("SessionToken=") + "SessionToken=".length());
			assertThat(second.getBean(SessionTokens.class).open(token).streamName()).isEqualTo("front-door");
		}
	}

	@Test
	void skipsTornStreamMetadata() throws Exception {
		String tornId;
		try (ConfigurableApplicationContext first = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(first))) {
			kvs.createStream(r -> r.streamName("intact"));
			String arn = kvs.createStream(r -> r.streamName("torn")).streamARN();
			tornId = arn.substring(arn.lastIndexOf('/') + 1);
		}
		Path tornFile = dataDir.resolve("streams").resolve(tornId).resolve("stream.json");
		String json = Files.readString(tornFile);
		Files.writeString(tornFile, json.substring(0, json.length() / 2));
		Files.createDirectories(dataDir.resolve("streams").resolve("not-a-stream-id"));

		try (ConfigurableApplicationContext second = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(second))) {
			assertThat(kvs.describeStream(r -> r.streamName("intact")).streamInfo().streamName()).isEqualTo("intact");
			assertThatExceptionOfType(ResourceNotFoundException.class)
				.isThrownBy(() -> kvs.describeStream(r -> r.streamName("torn")));
			// The name is free again: creating it must not collide with the skipped folder.
			assertThat(kvs.createStream(r -> r.streamName("torn")).streamARN()).doesNotEndWith("/" + tornId);
		}
	}

	@Test
	void removesDeletedStreamFromDisk() {
		try (ConfigurableApplicationContext first = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(first))) {
			String arn = kvs.createStream(r -> r.streamName("gone")).streamARN();
			kvs.deleteStream(r -> r.streamARN(arn));
			assertThat(dataDir.resolve("streams").resolve(arn.substring(arn.lastIndexOf('/') + 1))).doesNotExist();
		}

		try (ConfigurableApplicationContext second = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(second))) {
			assertThatExceptionOfType(ResourceNotFoundException.class)
				.isThrownBy(() -> kvs.describeStream(r -> r.streamName("gone")));
		}
	}

	@Test
	void handsOutConfiguredPublicEndpoint() {
		try (ConfigurableApplicationContext context = start("gateway.local.public-endpoint=https://kvs.example.test/kvs/");
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(context))) {
			kvs.createStream(r -> r.streamName("lobby"));

			assertThat(kvs.getDataEndpoint(r -> r.streamName("lobby").apiName(APIName.GET_HLS_STREAMING_SESSION_URL))
				.dataEndpoint()).isEqualTo("https://kvs.example.test/kvs");
		}
	}

	private ConfigurableApplicationContext start(String... extraProperties) {
		return new SpringApplicationBuilder(KvsGatewayApplication.class)
			.properties("server.port=0", "gateway.local.data-dir=" + dataDir, "spring.main.banner-mode=off")
			.properties(extraProperties)
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

}
