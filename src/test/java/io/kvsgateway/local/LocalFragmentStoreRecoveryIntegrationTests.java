package io.kvsgateway.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.kvsgateway.KvsGatewayApplication;
import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.LocalFragmentStore.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash consistency of the fragment store: whatever {@code append} returned survives a restart byte for byte, and a
 * record a crash cut short is dropped at start-up, never served.
 */
@ExtendWith(OutputCaptureExtension.class)
class LocalFragmentStoreRecoveryIntegrationTests {

	/** Ways a crash can leave the last record of the active segment. */
	enum Damage {

		/** Only part of the record reached the disk. */
		CUT_IN_BODY,
		/** The crash hit while the preamble was being written. */
		CUT_IN_PREAMBLE,
		/** The length made it, but some payload blocks hold stale bytes. */
		STALE_PAYLOAD_BYTE

	}

	private static final byte[] HEADER_A = "EBML+Segment+Info+Tracks of camera A".getBytes(StandardCharsets.UTF_8);

	private static final byte[] HEADER_B = "EBML+Segment+Info+Tracks after a codec change"
		.getBytes(StandardCharsets.UTF_8);

	@TempDir
	Path dataDir;

	@ParameterizedTest
	@EnumSource(Damage.class)
	void keepsEveryAcknowledgedFragmentAndDropsTornTail(Damage damage, CapturedOutput output) throws IOException {
		// Given: fragments spread over several segments, then one more whose write a crash damages
		Random random = new Random(damage.ordinal());
		List<FragmentData> written = new ArrayList<>();
		List<Fragment> acknowledged = new ArrayList<>();
		String streamId;
		Path tornSegment;
		long tornOffset;
		long tornLength;
		String tornNumber;
		try (ConfigurableApplicationContext first = start()) {
			streamId = createStream(first, "porch");
			LocalFragmentStore store = first.getBean(LocalFragmentStore.class);
			Instant producer = Instant.parse("2026-01-01T00:00:00Z");
			// With 40KB segments: the first four fill segment 1, the rest (and the torn one) go to segment 2.
			int[] sizes = { 8_000, 11_000, 14_000, 17_000, 9_000, 9_000 };
			for (int i = 0; i < sizes.length; i++) {
				FragmentData data = new FragmentData(producer.plusSeconds(i), Duration.ofMillis(1000 + i),
						bytes(random, sizes[i]), i < 4 ? HEADER_A : HEADER_B,
						List.of(new Tag("index", Integer.toString(i)), new Tag("room", "porch")));
				written.add(data);
				acknowledged.add(store.append("porch", data));
			}
			Map<Path, Long> before = segmentSizes(streamId);
			FragmentData torn = new FragmentData(producer.plusSeconds(6), Duration.ofSeconds(1), bytes(random, 9_000),
					HEADER_B, List.of());
			tornNumber = store.append("porch", torn).fragmentNumber();
			Map<Path, Long> after = segmentSizes(streamId);
			tornSegment = after.keySet().stream().max(Comparator.naturalOrder()).orElseThrow();
			tornOffset = before.getOrDefault(tornSegment, 0L);
			tornLength = after.get(tornSegment) - tornOffset;
		}
		assertThat(segmentSizes(streamId)).as("fragments spread over two segments").hasSize(2);
		assertThat(tornOffset).as("torn record follows good ones in the active segment").isPositive();
		long dropped = damage(tornSegment, tornOffset, tornLength, damage);

		// When
		try (ConfigurableApplicationContext second = start()) {
			LocalFragmentStore store = second.getBean(LocalFragmentStore.class);

			// Then
			assertThat(output).contains("Stream " + streamId + ": dropping " + dropped + " bytes at offset "
					+ tornOffset + " of " + tornSegment.getFileName());
			assertThat(Files.size(tornSegment)).isEqualTo(tornOffset);
			assertThat(store.fragments("porch")).containsExactlyElementsOf(acknowledged);
			for (int i = 0; i < acknowledged.size(); i++) {
				StoredFragment stored = store.read("porch", acknowledged.get(i).fragmentNumber()).orElseThrow();
				assertThat(stored.fragment()).isEqualTo(acknowledged.get(i));
				assertThat(stored.payload()).isEqualTo(written.get(i).payload());
				assertThat(stored.header()).isEqualTo(written.get(i).header());
				assertThat(stored.tags()).isEqualTo(written.get(i).tags());
			}
			assertThat(store.read("porch", tornNumber)).isEmpty();
			try (KinesisVideoArchivedMediaClient media = LocalKvsTestSupport.archivedMedia(port(second))) {
				assertThat(media.listFragments(r -> r.streamName("porch")
					.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.PRODUCER_TIMESTAMP)
						.timestampRange(t -> t.startTimestamp(Instant.EPOCH).endTimestamp(Instant.now()))))
					.fragments()).extracting(f -> f.fragmentNumber())
					.containsExactlyElementsOf(acknowledged.stream().map(Fragment::fragmentNumber).toList());
			}

			// Appending goes on after the last good record, with numbers still growing.
			byte[] payload = bytes(random, 1_000);
			Fragment next = store.append("porch",
					new FragmentData(Instant.now(), Duration.ofSeconds(1), payload, HEADER_B, List.of()));
			assertThat(LocalFragmentStore.compareNumbers(next.fragmentNumber(), acknowledged.getLast().fragmentNumber()))
				.isPositive();
			assertThat(store.read("porch", next.fragmentNumber()).orElseThrow().payload()).isEqualTo(payload);
		}
	}

	@Test
	void keepsIntactStoreAsIs(CapturedOutput output) {
		List<Fragment> acknowledged = new ArrayList<>();
		try (ConfigurableApplicationContext first = start()) {
			createStream(first, "hall");
			LocalFragmentStore store = first.getBean(LocalFragmentStore.class);
			for (int i = 0; i < 3; i++) {
				acknowledged.add(store.append("hall", new FragmentData(Instant.now(), Duration.ofSeconds(1),
						new byte[] { (byte) i }, HEADER_A, List.of())));
			}
		}

		try (ConfigurableApplicationContext second = start()) {
			assertThat(second.getBean(LocalFragmentStore.class).fragments("hall"))
				.containsExactlyElementsOf(acknowledged);
			assertThat(output).doesNotContain("dropping");
		}
	}

	@Test
	void forgetsDeletedStreamAndStartsRecreatedStreamEmpty() {
		String oldId;
		String newId;
		try (ConfigurableApplicationContext first = start();
				KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(first))) {
			oldId = createStream(first, "garage");
			LocalFragmentStore store = first.getBean(LocalFragmentStore.class);
			String number = store.append("garage", Instant.now(), Duration.ofSeconds(1));
			kvs.deleteStream(r -> r.streamARN(kvs.describeStream(d -> d.streamName("garage")).streamInfo().streamARN()));

			newId = createStream(first, "garage");
			assertThat(newId).isNotEqualTo(oldId);
			assertThat(store.fragments("garage")).isEmpty();
			assertThat(store.read("garage", number)).isEmpty();
			store.append("garage", Instant.now(), Duration.ofSeconds(1));
		}
		assertThat(dataDir.resolve("streams").resolve(oldId)).doesNotExist();

		try (ConfigurableApplicationContext second = start()) {
			assertThat(second.getBean(LocalFragmentStore.class).fragments("garage")).hasSize(1);
		}
	}

	private static long damage(Path segment, long offset, long length, Damage damage) throws IOException {
		try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
			switch (damage) {
				case CUT_IN_BODY -> file.setLength(offset + length / 2);
				case CUT_IN_PREAMBLE -> file.setLength(offset + 5);
				case STALE_PAYLOAD_BYTE -> {
					long position = offset + length - 100;
					file.seek(position);
					int original = file.read();
					file.seek(position);
					file.write(original ^ 0x5A);
				}
			}
			return file.length() - offset;
		}
	}

	private Map<Path, Long> segmentSizes(String streamId) throws IOException {
		try (Stream<Path> files = Files.list(dataDir.resolve("streams").resolve(streamId))) {
			return files.filter(f -> f.getFileName().toString().startsWith("segment-"))
				.collect(Collectors.toMap(Function.identity(), f -> {
					try {
						return Files.size(f);
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				}));
		}
	}

	private static byte[] bytes(Random random, int size) {
		byte[] bytes = new byte[size];
		random.nextBytes(bytes);
		return bytes;
	}

	private static String createStream(ConfigurableApplicationContext context, String name) {
		try (KinesisVideoClient kvs = LocalKvsTestSupport.kinesisVideo(port(context))) {
			String arn = kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24)).streamARN();
			return arn.substring(arn.lastIndexOf('/') + 1);
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(KvsGatewayApplication.class)
			.properties("server.port=0", "gateway.local.data-dir=" + dataDir, "spring.main.banner-mode=off",
					"gateway.local.segment-size=40KB")
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

}
