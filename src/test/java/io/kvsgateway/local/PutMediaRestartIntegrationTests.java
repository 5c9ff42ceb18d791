package io.kvsgateway.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetMediaForFragmentListResponse;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.kvsgateway.KvsGatewayApplication;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.MediaFixtures.Range;

import static org.assertj.core.api.Assertions.assertThat;

/** What PutMedia acknowledged as PERSISTED is still there, byte for byte, in a new application on the same data. */
class PutMediaRestartIntegrationTests {

	@TempDir
	Path dataDir;

	@Test
	void keepsEveryPersistedFragmentByteIdenticalAcrossRestart() throws IOException {
		byte[] fixture = MediaFixtures.bytes("h264-aac.mkv");
		List<Range> ranges = MediaFixtures.fragments(fixture);
		List<String> numbers;
		List<StoredFragment> before = new ArrayList<>();
		byte[] servedBefore;
		try (ConfigurableApplicationContext first = start()) {
			try (KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(first))) {
				kvs.createStream(r -> r.streamName("porch").dataRetentionInHours(24));
			}
			try (PutMediaUpload upload = PutMediaUpload.open(port(first),
					Map.of("x-amzn-stream-name", "porch", "x-amzn-fragment-timecode-type", "ABSOLUTE"),
					LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
				numbers = upload.sendInChunks(fixture, 0, fixture.length, 16384)
					.finish()
					.allAcks(PutMediaIntegrationTests.WAIT)
					.stream()
					.filter(a -> a.required("EventType").stringValue().equals("PERSISTED"))
					.map(a -> a.required("FragmentNumber").stringValue())
					.toList();
			}
			LocalFragmentStore store = first.getBean(LocalFragmentStore.class);
			for (int i = 0; i < numbers.size(); i++) {
				StoredFragment stored = store.read("porch", numbers.get(i)).orElseThrow();
				// What is stored is the Cluster exactly as it was sent
				byte[] sent = new byte[ranges.get(i).fragment().size()];
				ranges.get(i).fragment().raw().get(sent);
				assertThat(stored.payload()).isEqualTo(sent);
				before.add(stored);
			}
			servedBefore = fragmentList(port(first), numbers);
		}
		assertThat(numbers).hasSize(ranges.size());

		try (ConfigurableApplicationContext second = start()) {
			LocalFragmentStore store = second.getBean(LocalFragmentStore.class);
			for (int i = 0; i < numbers.size(); i++) {
				StoredFragment stored = store.read("porch", numbers.get(i)).orElseThrow();
				assertThat(stored.fragment()).isEqualTo(before.get(i).fragment());
				assertThat(stored.payload()).isEqualTo(before.get(i).payload());
				assertThat(stored.header()).isEqualTo(before.get(i).header());
				assertThat(stored.tags()).isEqualTo(before.get(i).tags());
			}
			assertThat(fragmentList(port(second), numbers)).isEqualTo(servedBefore);
		}
	}

	private static byte[] fragmentList(int port, List<String> numbers) throws IOException {
		try (KinesisVideoArchivedMediaClient media = LocalKvsTestSupport.archivedMedia(port);
				ResponseInputStream<GetMediaForFragmentListResponse> in = media
					.getMediaForFragmentList(r -> r.streamName("porch").fragments(numbers))) {
			return in.readAllBytes();
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(KvsGatewayApplication.class)
			.properties("server.port=0", "gateway.local.data-dir=" + dataDir, "spring.main.banner-mode=off")
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

}
