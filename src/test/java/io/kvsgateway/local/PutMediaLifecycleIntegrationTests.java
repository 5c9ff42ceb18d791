package io.kvsgateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;
import tools.jackson.databind.JsonNode;

/**
 * The embedded PutMedia's connection lifecycle with KVS's durations shortened: IDLE and the idle close, and ERROR 4003
 * after the maximum connection duration with every fragment received before it persisted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "gateway.local.put-media.idle-ack-interval=200ms", "gateway.local.put-media.idle-timeout=1500ms",
				"gateway.local.put-media.max-connection-duration=2s" })
class PutMediaLifecycleIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final AtomicInteger names = new AtomicInteger();

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "put-media-lifecycle-tests", UUID.randomUUID().toString()).toString());
	}

	@LocalServerPort
	int port;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	io.kvsgateway.support.MediaFixtures.Split fixture = io.kvsgateway.support.MediaFixtures.split("h264-kvs.mkv");

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "life-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		kvs.close();
		media.close();
	}

	private PutMediaUpload open() {
		PutMediaUpload upload = PutMediaUpload.open(port, Map.of("x-amzn-stream-name", name,
				"x-amzn-fragment-timecode-type", "ABSOLUTE", "x-amzn-fragment-acknowledgment-required", "1"),
				LocalKvsTestSupport.SECRET_ACCESS_KEY);
		assertThat(upload.status()).isEqualTo(200);
		return upload;
	}

	private static PutMediaUpload send(PutMediaUpload upload, byte[] bytes) {
		return upload.send(bytes, 0, bytes.length);
	}

	private static List<String> types(List<JsonNode> acks) {
		return acks.stream().map(ack -> ack.required("EventType").stringValue()).toList();
	}

	private int stored() {
		return media.listFragments(r -> r.streamName(name)
			.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(Instant.now().minusSeconds(3600)).endTimestamp(Instant.now()))))
			.fragments()
			.size();
	}

	@Test
	void sendsIdleWhileTheProducerPausesAndEndsTheResponseAfterTheIdleTimeout() {
		List<JsonNode> acks;
		long closedAfter;
		try (PutMediaUpload upload = open()) {
			send(send(upload, fixture.header()), fixture.fragments().get(0));
			upload.awaitAck("PERSISTED", WAIT);
			long paused = System.nanoTime();
			acks = upload.allAcks(WAIT);
			closedAfter = (System.nanoTime() - paused) / 1_000_000;

			// and the stream is free for a reconnect though this producer has not hung up
			try (PutMediaUpload again = open()) {
				send(send(again, fixture.header()), fixture.fragments().get(1)).finish();
				assertThat(types(again.allAcks(WAIT))).containsExactly("BUFFERING", "RECEIVED", "PERSISTED");
			}
		}
		assertThat(types(acks).subList(0, 3)).containsExactly("BUFFERING", "RECEIVED", "PERSISTED");
		assertThat(types(acks).subList(3, acks.size())).hasSizeGreaterThanOrEqualTo(3).containsOnly("IDLE");
		assertThat(acks.getLast().propertyNames()).containsExactly("EventType");
		assertThat(closedAfter).isBetween(1200L, 6_500L);
		assertThat(stored()).isEqualTo(2);
	}

	@Test
	void endsWith4003AtAFragmentBoundaryAfterTheMaximumDuration() throws Exception {
		List<JsonNode> acks;
		try (PutMediaUpload upload = open()) {
			send(upload, fixture.header());
			try {
				for (byte[] fragment : fixture.fragments()) {
					send(upload, fragment);
					Thread.sleep(600);
				}
			}
			catch (UncheckedIOException ended) {
				// the server ended the upload
			}
			acks = upload.allAcks(WAIT);
		}
		JsonNode last = acks.getLast();
		assertThat(last.required("EventType").stringValue()).isEqualTo("ERROR");
		assertThat(last.required("ErrorId").intValue()).isEqualTo(4003);
		assertThat(last.required("ErrorCode").stringValue()).isEqualTo("MAX_CONNECTION_DURATION_REACHED");
		List<JsonNode> persisted = acks.stream().filter(a -> "PERSISTED".equals(a.get("EventType").stringValue()))
			.toList();
		// It came at a boundary: every fragment received was persisted first, and not all of them were sent yet
		assertThat(acks.stream().filter(a -> "RECEIVED".equals(a.get("EventType").stringValue()))).hasSameSizeAs(
				persisted);
		assertThat(acks.get(acks.size() - 2).required("EventType").stringValue()).isEqualTo("PERSISTED");
		assertThat(persisted).hasSizeBetween(2, fixture.fragments().size() - 1);
		assertThat(stored()).isEqualTo(persisted.size());
	}

}
