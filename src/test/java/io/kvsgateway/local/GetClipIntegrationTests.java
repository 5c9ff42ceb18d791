package io.kvsgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ClipFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetClipResponse;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidCodecPrivateDataException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.MissingCodecPrivateDataException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.UnsupportedStreamMediaTypeException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.MediaFixtures.Range;
import io.kvsgateway.support.Mp4Probe;

/**
 * GetClip through the real AWS SDK v2 archived-media client, the clip judged by ffprobe and ffmpeg: every frame of
 * the selected fragments present and decodable, and the errors KVS answers for a range it cannot serve.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GetClipIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "get-clip-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	static final Instant PRODUCER_START = Instant.parse("2026-01-02T03:04:05Z");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore store;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient archived;

	String name;

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		archived = LocalKvsTestSupport.archivedMedia(port);
		name = "clip-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		kvs.close();
		archived.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "h264-aac.mkv", "h265.mkv" })
	void aClipOfTheWholeStreamHoldsEveryFrameOfEveryTrack(String fixture) throws IOException {
		byte[] source = MediaFixtures.bytes(fixture);
		upload(source);

		byte[] clip = getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START,
				PRODUCER_START.plusSeconds(60));

		boolean audio = fixture.contains("aac");
		assertThat(Mp4Probe.streams(clip)).isEqualTo(audio ? List.of("video", "audio") : List.of("video"));
		assertThat(Mp4Probe.frames(clip, "v:0")).isEqualTo(Mp4Probe.frames(source, "v:0")).isEqualTo(180);
		if (audio) {
			assertThat(Mp4Probe.frames(clip, "a:0")).isEqualTo(Mp4Probe.frames(source, "a:0"));
		}
		assertThat(Mp4Probe.decodeErrors(clip)).isEmpty();
	}

	@Test
	void aClipHoldsOnlyTheFragmentsThatStartInTheRange() throws IOException {
		byte[] source = MediaFixtures.bytes("h264.mkv");
		upload(source);

		// Fragments start every second; [2 s, 3.5 s] holds the ones starting at 2 s and 3 s.
		byte[] clip = getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START.plusSeconds(2),
				PRODUCER_START.plusMillis(3_500));
		assertThat(Mp4Probe.frames(clip, "v:0")).isEqualTo(60);
		assertThat(Mp4Probe.decodeErrors(clip)).isEmpty();

		// Server timestamps: everything was received within the last minute.
		Instant now = Instant.now();
		byte[] all = getClip(ClipFragmentSelectorType.SERVER_TIMESTAMP, now.minusSeconds(60), now);
		assertThat(Mp4Probe.frames(all, "v:0")).isEqualTo(180);
	}

	@Test
	void answersTheKvsErrorsForRangesItCannotServe() {
		upload(MediaFixtures.bytes("h264.mkv"));

		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START.minusSeconds(60),
					PRODUCER_START.minusSeconds(30)))
			.withMessageContaining("No fragments found");
		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START.plusSeconds(5),
					PRODUCER_START))
			.withMessageContaining("EndTimestamp must be later than");
		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.SERVER_TIMESTAMP, Instant.now().minusSeconds(5),
					Instant.now().plusSeconds(600)))
			.withMessageContaining("must be in the past");
		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START,
					PRODUCER_START.plus(Duration.ofHours(25))))
			.withMessageContaining("within 24 hours");
		assertThatExceptionOfType(ResourceNotFoundException.class).isThrownBy(() -> archived
			.getClip(r -> r.streamName("no-such-stream").clipFragmentSelector(s -> s
				.fragmentSelectorType(ClipFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(PRODUCER_START).endTimestamp(PRODUCER_START.plusSeconds(9))))));
	}

	@Test
	void refusesMoreThan200FragmentsAsTheQuotaTableSays() {
		Stored h264 = stored("h264.mkv");
		for (int i = 0; i <= LocalClips.MAX_FRAGMENTS; i++) {
			store.append(name, new FragmentData(PRODUCER_START.plusSeconds(i), Duration.ofSeconds(1), h264.cluster(),
					h264.header(), List.of()));
		}
		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START,
					PRODUCER_START.plusSeconds(LocalClips.MAX_FRAGMENTS)))
			.withMessageContaining("more than 200 fragments");
		// exactly 200 is a clip
		assertThat(Mp4Probe.frames(assertDoesNotThrow(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP,
				PRODUCER_START, PRODUCER_START.plusSeconds(LocalClips.MAX_FRAGMENTS - 1))), "v:0"))
			.isEqualTo(200 * 30);
	}

	@Test
	void refusesMoreThan100Megabytes() {
		Stored h264 = stored("h264.mkv");
		byte[] large = new byte[35 * 1024 * 1024];
		for (int i = 0; i < 3; i++) {
			store.append(name, new FragmentData(PRODUCER_START.plusSeconds(i), Duration.ofSeconds(1), large,
					h264.header(), List.of()));
		}
		assertThatExceptionOfType(InvalidArgumentException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START,
					PRODUCER_START.plusSeconds(10)))
			.withMessageContaining("100 MB");
	}

	@Test
	void refusesTracksGetClipCannotPackage() {
		Stored h264 = stored("h264.mkv");
		// CodecPrivate (0x63A2) renamed to an element id no reader knows: the track has no codec private data
		byte[] noCodecPrivate = replace(h264.header(), new byte[] { 0x63, (byte) 0xA2 }, new byte[] { 0x63, (byte) 0xA3 });
		byte[] mpeg4Part2 = replace(h264.header(), "V_MPEG4/ISO/AVC".getBytes(), "V_MPEG4/ISO/ASP".getBytes());
		store.append(name, new FragmentData(PRODUCER_START, Duration.ofSeconds(1), h264.cluster(), noCodecPrivate,
				List.of()));
		store.append(name, new FragmentData(PRODUCER_START.plusSeconds(10), Duration.ofSeconds(1), h264.cluster(),
				mpeg4Part2, List.of()));
		store.append(name, new FragmentData(PRODUCER_START.plusSeconds(20), Duration.ofSeconds(1), h264.cluster(),
				h264.header(), List.of()));
		store.append(name, new FragmentData(PRODUCER_START.plusSeconds(21), Duration.ofSeconds(1), h264.cluster(),
				stored("h265.mkv").header(), List.of()));

		assertThatExceptionOfType(MissingCodecPrivateDataException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START,
					PRODUCER_START.plusSeconds(1)));
		assertThatExceptionOfType(UnsupportedStreamMediaTypeException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START.plusSeconds(10),
					PRODUCER_START.plusSeconds(11)));
		// "CPD changes aren't supported between the target fragments of the resulting clip"
		assertThatExceptionOfType(InvalidCodecPrivateDataException.class)
			.isThrownBy(() -> getClip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, PRODUCER_START.plusSeconds(20),
					PRODUCER_START.plusSeconds(21)));
	}

	record Stored(byte[] header, byte[] cluster) {
	}

	/** A fixture's header and its second fragment's bytes, as the store keeps them. */
	static Stored stored(String fixture) {
		byte[] bytes = MediaFixtures.bytes(fixture);
		List<Range> ranges = MediaFixtures.fragments(bytes);
		return new Stored(Arrays.copyOfRange(bytes, 0, ranges.get(0).start()),
				Arrays.copyOfRange(bytes, ranges.get(1).start(), ranges.get(1).end()));
	}

	static byte[] replace(byte[] bytes, byte[] from, byte[] to) {
		byte[] copy = bytes.clone();
		for (int i = 0; i + from.length <= copy.length; i++) {
			if (Arrays.equals(copy, i, i + from.length, from, 0, from.length)) {
				System.arraycopy(to, 0, copy, i, to.length);
				return copy;
			}
		}
		throw new IllegalArgumentException("not found");
	}

	byte[] getClip(ClipFragmentSelectorType type, Instant start, Instant end) throws IOException {
		try (ResponseInputStream<GetClipResponse> clip = archived.getClip(r -> r.streamName(name)
			.clipFragmentSelector(s -> s.fragmentSelectorType(type)
				.timestampRange(t -> t.startTimestamp(start).endTimestamp(end))))) {
			assertThat(clip.response().contentType()).isEqualTo("video/mp4");
			return clip.readAllBytes();
		}
	}

	/** Uploads every fragment of a fixture, producer clock starting at {@link #PRODUCER_START}; waits for PERSISTED. */
	void upload(byte[] fixture) {
		List<Range> ranges = MediaFixtures.fragments(fixture);
		Map<String, String> headers = Map.of("x-amzn-stream-name", name, "x-amzn-fragment-timecode-type", "RELATIVE",
				"x-amzn-producer-start-timestamp", Long.toString(PRODUCER_START.getEpochSecond()));
		try (PutMediaUpload upload = PutMediaUpload.open(port, headers, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(200);
			upload.send(fixture, 0, ranges.getLast().end());
			assertThat(upload.finish()
				.allAcks(Duration.ofSeconds(20))
				.stream()
				.filter(a -> a.required("EventType").stringValue().equals("PERSISTED"))
				.count()).isEqualTo(ranges.size());
		}
	}

}
