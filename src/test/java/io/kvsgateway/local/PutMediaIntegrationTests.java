package io.kvsgateway.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetMediaForFragmentListResponse;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.amazonaws.kinesisvideo.parser.utilities.FragmentMetadata;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.MediaFixtures.Range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * PutMedia into the embedded KVS over real HTTP, signed and streamed as producer-c does, and the media read back with
 * GetMediaForFragmentList through the SDK v2 client, judged by our reader, the AWS KVS parser library and ffprobe.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "gateway.local.max-fragment-size=1MB", "gateway.local.get-media-idle-timeout=1s" })
class PutMediaIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "put-media-tests", UUID.randomUUID().toString());

	static final Duration WAIT = Duration.ofSeconds(20);

	static final List<String> FIXTURES = MediaFixtures.ALL;

	static final AtomicInteger names = new AtomicInteger();

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore store;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	/** Producer timestamps are RELATIVE to this start. */
	Instant producerStart = Instant.parse("2026-01-02T03:04:05.678Z");

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "put-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		kvs.close();
		media.close();
	}

	@ParameterizedTest
	@FieldSource("FIXTURES")
	void acknowledgesEveryFragmentAndServesTheSameFramesBack(String fixture) throws IOException {
		byte[] bytes = MediaFixtures.bytes(fixture);
		List<Range> expected = MediaFixtures.fragments(bytes);

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			assertThat(upload.status()).isEqualTo(200);
			acks = upload.sendInChunks(bytes, 0, bytes.length, 4096).finish().allAcks(WAIT);
		}

		// BUFFERING, RECEIVED, PERSISTED per fragment, the Cluster timecode and one number throughout each
		assertThat(acks).hasSize(3 * expected.size());
		List<String> numbers = new ArrayList<>();
		for (int i = 0; i < expected.size(); i++) {
			String number = acks.get(3 * i).required("FragmentNumber").stringValue();
			for (int j = 0; j < 3; j++) {
				JsonNode ack = acks.get(3 * i + j);
				assertThat(ack.required("EventType").stringValue()).isEqualTo(List.of("BUFFERING", "RECEIVED",
						"PERSISTED").get(j));
				assertThat(ack.required("FragmentTimecode").isIntegralNumber()).isTrue();
				assertThat(ack.required("FragmentTimecode").longValue()).isEqualTo(expected.get(i).timecode());
				assertThat(ack.required("FragmentNumber").stringValue()).isEqualTo(number);
				assertThat(ack.propertyNames()).containsExactly("EventType", "FragmentTimecode", "FragmentNumber");
			}
			numbers.add(number);
		}
		assertThat(numbers).isSortedAccordingTo(LocalFragmentStore::compareNumbers).doesNotHaveDuplicates();

		// ListFragments shows them, with producer timestamps from the RELATIVE start
		var listed = media.listFragments(r -> r.streamName(name)
			.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(producerStart).endTimestamp(producerStart.plusSeconds(60)))))
			.fragments();
		assertThat(listed).extracting(f -> f.fragmentNumber()).containsExactlyInAnyOrderElementsOf(numbers);
		for (var fragment : listed) {
			Range range = expected.get(numbers.indexOf(fragment.fragmentNumber()));
			assertThat(fragment.producerTimestamp()).isEqualTo(producerStart.plusMillis(range.timecode()));
			assertThat(fragment.fragmentSizeInBytes()).isEqualTo(range.fragment().size());
		}

		// GetMediaForFragmentList through the SDK: the same frames, per track, byte for byte
		byte[] output = fragmentList(numbers);
		assertThat(MediaFixtures.framesByTrack(MediaFixtures.read(output)))
			.isEqualTo(MediaFixtures.framesByTrack(expected.stream().map(Range::fragment).toList()));

		// The AWS parser library reads the fragment numbers and timestamps KVS puts in its tags
		List<FragmentMetadata> judged = KvsParserJudge.fragments(output);
		assertThat(judged).extracting(FragmentMetadata::getFragmentNumberString).containsExactlyElementsOf(numbers);
		for (int i = 0; i < judged.size(); i++) {
			Fragment stored = store.fragments(name).get(i);
			assertThat(judged.get(i).isSuccess()).isTrue();
			// The library turns the decimal seconds into a double and rounds up: allow it that millisecond.
			assertThat(judged.get(i).getServerSideTimestampMillis())
				.isBetween(stored.serverTimestamp().toEpochMilli(), stored.serverTimestamp().toEpochMilli() + 1);
			assertThat(judged.get(i).getProducerSideTimestampMillis()).isBetween(
					stored.producerTimestamp().toEpochMilli(), stored.producerTimestamp().toEpochMilli() + 1);
		}
	}

	@Test
	void outputDecodesToAsManyVideoFramesAsTheInput() throws IOException {
		byte[] bytes = MediaFixtures.bytes("h264.mkv");
		int inputFrames = MediaFixtures.ffprobeVideoFrames(bytes);

		List<String> numbers = upload(bytes);

		assertThat(inputFrames).isEqualTo(180);
		assertThat(MediaFixtures.ffprobeVideoFrames(fragmentList(numbers))).isEqualTo(inputFrames);
	}

	@Test
	void acknowledgesFragmentsWhileTheUploadIsStillOpen() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);

		try (PutMediaUpload upload = open(name)) {
			// Given the header and the first fragment, ended by producer-c's end-of-fragment tag
			upload.send(bytes, 0, fragments.get(0).end());

			// Then it is persisted before anything more is sent
			JsonNode persisted = upload.awaitAck("PERSISTED", WAIT);
			assertThat(persisted.required("FragmentTimecode").longValue()).isEqualTo(fragments.get(0).timecode());
			assertThat(store.fragments(name)).hasSize(1);

			upload.send(bytes, fragments.get(0).end(), bytes.length).finish();
			assertThat(upload.allAcks(WAIT)).filteredOn(a -> a.required("EventType").stringValue().equals("PERSISTED"))
				.hasSize(fragments.size());
		}
	}

	@Test
	void refusesMalformedMkvMidStreamAndStoresNothingOfThatFragment() {
		byte[] bytes = MediaFixtures.bytes("h264.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);
		Range third = fragments.get(2);
		// A zero byte where the third Cluster's first block should begin is not a valid element ID
		byte[] broken = bytes.clone();
		int firstBlock = afterTimecode(broken, third.start());
		for (int i = firstBlock; i < firstBlock + 16; i++) {
			broken[i] = 0;
		}

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			acks = upload.sendInChunks(broken, 0, broken.length, 4096).finish().allAcks(WAIT);
		}

		assertThat(acks).extracting(a -> a.required("EventType").stringValue())
			.containsExactly("BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING",
					"ERROR");
		JsonNode error = acks.getLast();
		assertThat(error.required("ErrorId").intValue()).isEqualTo(4006);
		assertThat(error.required("ErrorCode").stringValue()).isEqualTo("INVALID_MKV_DATA");
		assertThat(error.required("FragmentTimecode").longValue()).isEqualTo(third.timecode());
		assertThat(error.required("FragmentNumber").stringValue())
			.isEqualTo(acks.get(6).required("FragmentNumber").stringValue());
		assertThat(store.fragments(name)).hasSize(2);
	}

	@Test
	void refusesFragmentOverTheConfiguredSize() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);
		// The first fragment, then a Void element of 1.5 MB inside the (unknown-size) second Cluster
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(bytes, 0, fragments.get(1).start());
		int secondBlock = afterTimecode(bytes, fragments.get(1).start());
		body.write(bytes, fragments.get(1).start(), secondBlock - fragments.get(1).start());
		int padding = 1_500_000;
		body.write(0xEC);
		body.writeBytes(new byte[] { 0x01, 0, 0, 0, 0, (byte) (padding >>> 16), (byte) (padding >>> 8),
				(byte) padding });
		body.writeBytes(new byte[padding]);
		byte[] oversize = body.toByteArray();

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			acks = upload.sendInChunks(oversize, 0, oversize.length, 65536).finish().allAcks(WAIT);
		}

		assertThat(acks).extracting(a -> a.required("EventType").stringValue())
			.containsExactly("BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING", "ERROR");
		assertThat(acks.getLast().required("ErrorId").intValue()).isEqualTo(4001);
		assertThat(acks.getLast().required("ErrorCode").stringValue()).isEqualTo("MAX_FRAGMENT_SIZE_REACHED");
		assertThat(store.fragments(name)).hasSize(1);
	}

	@Test
	void refusesDecreasingTimecodeAndGoesOn() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);
		Range first = fragments.get(0);
		Range second = fragments.get(1);
		Range third = fragments.get(2);

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			upload.send(bytes, 0, second.end());
			// the first fragment again: its timecode is lower than the previous one
			upload.send(bytes, first.start(), first.end());
			upload.send(bytes, third.start(), third.end());
			acks = upload.finish().allAcks(WAIT);
		}

		assertThat(acks).extracting(a -> a.required("EventType").stringValue())
			.containsExactly("BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING",
					"RECEIVED", "ERROR", "BUFFERING", "RECEIVED", "PERSISTED");
		assertThat(acks.get(8).required("ErrorId").intValue()).isEqualTo(4004);
		assertThat(acks.get(8).required("ErrorCode").stringValue()).isEqualTo("FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS");
		assertThat(acks.get(8).required("FragmentTimecode").longValue()).isEqualTo(first.timecode());
		assertThat(store.fragments(name)).hasSize(3);
	}

	@Test
	void storesNothingOfAFragmentCutShortByADisconnect() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);
		Range second = fragments.get(1);

		try (PutMediaUpload upload = open(name)) {
			upload.send(bytes, 0, fragments.get(0).end());
			upload.awaitAck("PERSISTED", WAIT);
			upload.send(bytes, second.start(), second.start() + (second.end() - second.start()) / 2);
			upload.awaitAck("BUFFERING", WAIT);
			upload.disconnect();
		}

		// The server has ended that upload once the stream takes a new one
		await().atMost(WAIT).until(() -> {
			try (PutMediaUpload next = open(name)) {
				return next.status() == 200;
			}
		});
		assertThat(store.fragments(name)).hasSize(1);
	}

	@Test
	void endsWithStreamNotActiveWhenTheStreamIsDeletedMidUpload() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			upload.send(bytes, 0, fragments.get(0).end());
			upload.awaitAck("PERSISTED", WAIT);
			String arn = kvs.describeStream(r -> r.streamName(name)).streamInfo().streamARN();
			kvs.deleteStream(r -> r.streamARN(arn));
			upload.send(bytes, fragments.get(1).start(), fragments.get(1).end());
			acks = upload.allAcks(WAIT);
		}

		assertThat(acks).extracting(a -> a.required("EventType").stringValue())
			.containsExactly("BUFFERING", "RECEIVED", "PERSISTED", "ERROR");
		assertThat(acks.getLast().required("ErrorId").intValue()).isEqualTo(4008);
		assertThat(acks.getLast().required("ErrorCode").stringValue()).isEqualTo("STREAM_NOT_ACTIVE");
		assertThat(acks.getLast().required("FragmentTimecode").longValue()).isEqualTo(fragments.get(1).timecode());
	}

	@Test
	void answersAnUnexpectedStoreFailureWithInternalErrorAndNoPersisted() {
		byte[] bytes = MediaFixtures.bytes("h264-kvs.mkv");
		List<Range> fragments = MediaFixtures.fragments(bytes);
		Range second = fragments.get(1);
		int half = second.start() + (second.end() - second.start()) / 2;

		List<JsonNode> acks;
		try (PutMediaUpload upload = open(name)) {
			upload.send(bytes, 0, fragments.get(0).end());
			upload.awaitAck("PERSISTED", WAIT);
			upload.send(bytes, second.start(), half);
			upload.awaitAck("BUFFERING", WAIT);
			// Another writer slips a fragment in after the second one's number was reserved: the store refuses
			// to append below it, which PutMedia cannot foresee
			store.append(name, Instant.now(), Duration.ofSeconds(1));
			upload.send(bytes, half, second.end());
			acks = upload.allAcks(WAIT);
		}

		assertThat(acks).extracting(a -> a.required("EventType").stringValue())
			.containsExactly("BUFFERING", "RECEIVED", "PERSISTED", "BUFFERING", "RECEIVED", "ERROR");
		assertThat(acks.getLast().required("ErrorId").intValue()).isEqualTo(5000);
		assertThat(acks.getLast().required("ErrorCode").stringValue()).isEqualTo("INTERNAL_ERROR");
		assertThat(store.fragments(name)).hasSize(2).noneMatch(f -> f.fragmentNumber()
			.equals(acks.get(3).required("FragmentNumber").stringValue()));
	}

	@Test
	void refusesASecondConnectionToTheSameStream() {
		try (PutMediaUpload first = open(name)) {
			assertThat(first.status()).isEqualTo(200);

			try (PutMediaUpload second = open(name)) {
				assertThat(second.status()).isEqualTo(400);
				assertThat(second.header("x-amzn-ErrorType")).isEqualTo("ConnectionLimitExceededException");
				assertThat(second.errorBody()).contains("\"Message\"");
			}
			first.finish().allAcks(WAIT);
		}
		// The slot is free again once the first upload has ended
		await().atMost(WAIT).until(() -> {
			try (PutMediaUpload again = open(name)) {
				return again.status() == 200;
			}
		});
	}

	@Test
	void refusesAWrongSecretBeforeReadingTheBody() {
		try (PutMediaUpload upload = PutMediaUpload.open(port, headers(name), "not-the-secret")) {
			assertThat(upload.status()).isEqualTo(403);
			assertThat(upload.header("x-amzn-ErrorType")).isEqualTo("InvalidSignatureException");
		}
	}

	@Test
	void refusesUnknownStreamsAndBadHeaders() {
		try (PutMediaUpload upload = open("no-such-stream")) {
			assertThat(upload.status()).isEqualTo(404);
			assertThat(upload.header("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");
		}
		Map<String, String> badType = Map.of("x-amzn-stream-name", name, "x-amzn-fragment-timecode-type", "SIDEWAYS");
		try (PutMediaUpload upload = PutMediaUpload.open(port, badType, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(400);
			assertThat(upload.header("x-amzn-ErrorType")).isEqualTo("InvalidArgumentException");
		}
		Map<String, String> noStream = Map.of("x-amzn-fragment-timecode-type", "ABSOLUTE");
		try (PutMediaUpload upload = PutMediaUpload.open(port, noStream, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(400);
			assertThat(upload.header("x-amzn-ErrorType")).isEqualTo("InvalidArgumentException");
		}
	}

	@Test
	void refusesFragmentListsWithUnknownFragments() {
		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.getMediaForFragmentList(r -> r.streamName(name).fragments("12345")));
	}

	/** Uploads a whole fixture and returns the PERSISTED fragment numbers. */
	List<String> upload(byte[] bytes) {
		try (PutMediaUpload upload = open(name)) {
			return upload.sendInChunks(bytes, 0, bytes.length, 8192)
				.finish()
				.allAcks(WAIT)
				.stream()
				.filter(a -> a.required("EventType").stringValue().equals("PERSISTED"))
				.map(a -> a.required("FragmentNumber").stringValue())
				.toList();
		}
	}

	byte[] fragmentList(List<String> numbers) throws IOException {
		try (ResponseInputStream<GetMediaForFragmentListResponse> in = media
			.getMediaForFragmentList(r -> r.streamName(name).fragments(numbers))) {
			assertThat(in.response().contentType()).isEqualTo("video/webm");
			return in.readAllBytes();
		}
	}

	PutMediaUpload open(String stream) {
		return PutMediaUpload.open(port, headers(stream), LocalKvsTestSupport.SECRET_ACCESS_KEY);
	}

	Map<String, String> headers(String stream) {
		return Map.of("x-amzn-stream-name", stream, "x-amzn-fragment-timecode-type", "RELATIVE",
				"x-amzn-producer-start-timestamp",
				producerStart.getEpochSecond() + "." + String.format("%03d", producerStart.getNano() / 1_000_000),
				"x-amzn-fragment-acknowledgment-required", "1");
	}

	/**
	 * The offset of the first child after the Timecode of the Cluster at {@code clusterStart}: where its first block
	 * begins (ffmpeg puts CRC-32 and Timecode first).
	 */
	static int afterTimecode(byte[] bytes, int clusterStart) {
		int at = clusterStart + 4; // Cluster ID
		at += vintLength(bytes[at]);
		while (true) {
			int id = bytes[at] & 0xFF;
			int idLength = vintLength(bytes[at]);
			int sizeAt = at + idLength;
			int sizeLength = vintLength(bytes[sizeAt]);
			long size = bytes[sizeAt] & (0xFF >>> sizeLength);
			for (int i = 1; i < sizeLength; i++) {
				size = (size << 8) | (bytes[sizeAt + i] & 0xFF);
			}
			at = sizeAt + sizeLength + (int) size;
			if (id == 0xE7) {
				return at;
			}
		}
	}

	private static int vintLength(byte first) {
		return Integer.numberOfLeadingZeros(first & 0xFF) - 23;
	}

}
