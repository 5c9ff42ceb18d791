package io.kvsgateway.local;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelector;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ListFragmentsRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ListFragmentsResponse;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalKvsTestSupport.MovableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** ListFragments driven by the real SDK v2 archived-media client over HTTP, paginator included. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(LocalKvsTestSupport.MovableClockConfiguration.class)
class ListFragmentsIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "list-fragments-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	/** Producer clocks need not agree with the server's; an hour apart keeps the two selectors distinguishable. */
	static final Duration PRODUCER_OFFSET = Duration.ofHours(-1);

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore store;

	@Autowired
	MovableClock clock;

	@Autowired
	ArchivedMedia archivedMedia;

	@Autowired
	JsonMapper mapper;

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	/** Five fragments one second apart by server time, ingested a few minutes ago. */
	List<Fragment> fragments = new ArrayList<>();

	@BeforeEach
	void streamWithFragments() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "list-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
		Instant first = clock.instant().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS);
		for (int i = 0; i < 5; i++) {
			Instant server = first.plusSeconds(i);
			FragmentData data = new FragmentData(server.plus(PRODUCER_OFFSET), Duration.ofMillis(1_000 + i),
					new byte[100 * (i + 1)], new byte[] { 0x1A, 0x45, (byte) 0xDF, (byte) 0xA3 }, List.of());
			clock.runAt(server, () -> fragments.add(store.append(name, data)));
		}
	}

	@AfterEach
	void close() {
		clock.reset();
		kvs.close();
		media.close();
	}

	@Test
	void listsByServerTimestampWithInclusiveEdges() {
		ListFragmentsResponse response = media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.SERVER_TIMESTAMP, fragments.get(1).serverTimestamp(),
					fragments.get(3).serverTimestamp())));

		assertThat(response.fragments()).extracting(f -> f.fragmentNumber())
			.containsExactly(numbers(1, 2, 3));
		assertThat(response.nextToken()).isNull();
		var listed = response.fragments().getFirst();
		Fragment stored = fragments.get(1);
		assertThat(listed.fragmentSizeInBytes()).isEqualTo(200);
		assertThat(listed.fragmentLengthInMilliseconds()).isEqualTo(1_001);
		assertThat(listed.serverTimestamp()).isEqualTo(stored.serverTimestamp());
		assertThat(listed.producerTimestamp()).isEqualTo(stored.producerTimestamp());
	}

	@Test
	void writesTimestampsAsEpochSecondNumbers() {
		String body = "{\"StreamName\":\"" + name + "\",\"MaxResults\":1,\"FragmentSelector\":{"
				+ "\"FragmentSelectorType\":\"SERVER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":0,"
				+ "\"EndTimestamp\":" + clock.instant().getEpochSecond() + "}}}";

		JsonNode response = archivedMedia.listFragments(KvsRequest.parse(mapper, body.getBytes(StandardCharsets.UTF_8)));

		JsonNode fragment = response.required("Fragments").get(0);
		assertThat(fragment.required("FragmentNumber").isString()).isTrue();
		assertThat(fragment.required("FragmentSizeInBytes").isIntegralNumber()).isTrue();
		assertThat(fragment.required("FragmentLengthInMilliseconds").isIntegralNumber()).isTrue();
		assertThat(fragment.required("ServerTimestamp").isNumber()).isTrue();
		assertThat(fragment.required("ServerTimestamp").decimalValue())
			.isEqualByComparingTo(BigDecimal.valueOf(fragments.getFirst().serverTimestamp().toEpochMilli(), 3));
		assertThat(fragment.required("ProducerTimestamp").isNumber()).isTrue();
		assertThat(response.required("NextToken").isString()).isTrue();
	}

	@Test
	void excludesFragmentsJustOutsideTheRange() {
		ListFragmentsResponse response = media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.SERVER_TIMESTAMP,
					fragments.get(1).serverTimestamp().plusMillis(1), fragments.get(3).serverTimestamp().minusMillis(1))));

		assertThat(response.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(2));
	}

	@Test
	void listsByProducerTimestamp() {
		Instant firstProducer = fragments.getFirst().producerTimestamp();

		// The server-time range of the fragments holds none of their producer timestamps, and the other way round.
		assertThat(media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.PRODUCER_TIMESTAMP, firstProducer,
					fragments.getLast().producerTimestamp())))
			.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(0, 1, 2, 3, 4));
		assertThat(media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.SERVER_TIMESTAMP, firstProducer,
					fragments.getLast().producerTimestamp())))
			.fragments()).isEmpty();
		assertThat(media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.PRODUCER_TIMESTAMP, firstProducer.minusSeconds(10),
					firstProducer)))
			.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(0));
	}

	@Test
	void pagesWithMaxResultsAndNextToken() {
		FragmentSelector all = selector(FragmentSelectorType.SERVER_TIMESTAMP, fragments.getFirst().serverTimestamp(),
				fragments.getLast().serverTimestamp());

		ListFragmentsResponse first = media.listFragments(r -> r.streamName(name).maxResults(2L).fragmentSelector(all));
		// "FragmentSelector ... is only required when the NextToken isn't passed in the API."
		ListFragmentsResponse second = media
			.listFragments(r -> r.streamName(name).maxResults(2L).nextToken(first.nextToken()));
		ListFragmentsResponse third = media
			.listFragments(r -> r.streamName(name).maxResults(2L).nextToken(second.nextToken()).fragmentSelector(all));

		assertThat(first.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(0, 1));
		assertThat(first.nextToken()).matches("[a-zA-Z0-9+/]+={0,2}");
		assertThat(second.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(2, 3));
		assertThat(third.fragments()).extracting(f -> f.fragmentNumber()).containsExactly(numbers(4));
		assertThat(third.nextToken()).isNull();
	}

	@Test
	void paginatorCollectsEveryFragment() {
		String arn = kvs.describeStream(r -> r.streamName(name)).streamInfo().streamARN();
		ListFragmentsRequest request = ListFragmentsRequest.builder()
			.streamARN(arn)
			.maxResults(2L)
			.fragmentSelector(selector(FragmentSelectorType.PRODUCER_TIMESTAMP, Instant.EPOCH, clock.instant()))
			.build();

		assertThat(media.listFragmentsPaginator(request).fragments()).extracting(f -> f.fragmentNumber())
			.containsExactly(numbers(0, 1, 2, 3, 4));
		assertThat(media.listFragmentsPaginator(request)).hasSize(3);
	}

	@Test
	void defaultsToPagesOfAThousand() {
		ListFragmentsResponse response = media.listFragments(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.PRODUCER_TIMESTAMP, Instant.EPOCH, clock.instant())));

		assertThat(response.fragments()).hasSize(5);
		assertThat(response.nextToken()).isNull();
	}

	@Test
	void answersResourceNotFoundForUnknownStream() {
		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> media.listFragments(r -> r.streamName("no-such-stream")
				.fragmentSelector(selector(FragmentSelectorType.SERVER_TIMESTAMP, Instant.EPOCH, clock.instant()))));
	}

	@Test
	void rejectsBadArguments() {
		FragmentSelector all = selector(FragmentSelectorType.SERVER_TIMESTAMP, Instant.EPOCH, clock.instant());
		String token = media.listFragments(r -> r.streamName(name).maxResults(1L).fragmentSelector(all)).nextToken();

		assertInvalid(r -> r.streamName(name).maxResults(0L).fragmentSelector(all), "maxResults");
		assertInvalid(r -> r.streamName(name).maxResults(1_001L).fragmentSelector(all), "maxResults");
		assertInvalid(r -> r.streamName(name), "FragmentSelector is required");
		assertInvalid(r -> r.streamName(name)
			.fragmentSelector(s -> s.timestampRange(t -> t.startTimestamp(Instant.EPOCH).endTimestamp(clock.instant()))),
				"FragmentSelectorType");
		assertInvalid(r -> r.streamName(name)
			.fragmentSelector(s -> s.fragmentSelectorType(FragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(Instant.EPOCH))), "EndTimestamp");
		assertInvalid(r -> r.streamName(name)
			.fragmentSelector(selector(FragmentSelectorType.SERVER_TIMESTAMP, clock.instant(), Instant.EPOCH)),
				"EndTimestamp");
		assertInvalid(r -> r.streamName(name).nextToken("bm90IGEgdG9rZW4="), "NextToken");
		assertInvalid(r -> r.streamName(name).nextToken(token)
			.fragmentSelector(selector(FragmentSelectorType.PRODUCER_TIMESTAMP, Instant.EPOCH, clock.instant())),
				"FragmentSelector");
		String other = "list-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(other).dataRetentionInHours(24));
		assertInvalid(r -> r.streamName(other).nextToken(token), "NextToken");
	}

	private void assertInvalid(Consumer<ListFragmentsRequest.Builder> request, String messagePart) {
		assertThatExceptionOfType(InvalidArgumentException.class).isThrownBy(() -> media.listFragments(request))
			.withMessageContaining(messagePart);
	}

	private String[] numbers(int... indexes) {
		String[] numbers = new String[indexes.length];
		for (int i = 0; i < indexes.length; i++) {
			numbers[i] = fragments.get(indexes[i]).fragmentNumber();
		}
		return numbers;
	}

	private static FragmentSelector selector(FragmentSelectorType type, Instant start, Instant end) {
		return FragmentSelector.builder()
			.fragmentSelectorType(type)
			.timestampRange(t -> t.startTimestamp(start).endTimestamp(end))
			.build();
	}

}
