package io.kvsgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.kvsgateway.ingest.IngestMetrics;
import io.kvsgateway.playback.PlaybackMetrics;
import io.kvsgateway.putmedia.AckError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class StreamTagsUnitTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void tenThousandStreamsMakeAtMostMaxPlusOneStreamTagsAndTheTotalsStayRight() {
		StreamTags tags = new StreamTags(100, List.of());
		IngestMeters ingest = new IngestMeters(registry, tags);
		PlaybackMeters playback = new PlaybackMeters(registry, tags);

		for (int i = 0; i < 10_000; i++) {
			String stream = "camera-" + i;
			IngestMetrics.Stream meters = ingest.stream(stream);
			meters.bytes(10);
			meters.fragment(30);
			meters.errorAck(AckError.INVALID_MKV_DATA);
			playback.called(PlaybackMetrics.Api.LIST_FRAGMENTS, stream, 1_000_000, null);
			playback.consumed(stream, 5, 1);
		}

		for (String name : List.of("kvs.putmedia.incoming.bytes", "kvs.putmedia.incoming.fragments",
				"kvs.putmedia.error.acks", "kvs.api.requests", "kvs.archived.fragments.consumed")) {
			Set<String> streams = streamTags(name);
			assertThat(streams).as(name).hasSize(101).contains(StreamTags.OTHER);
		}
		assertThat(sum("kvs.putmedia.incoming.bytes")).isEqualTo(100_000.0);
		assertThat(sum("kvs.putmedia.incoming.frames")).isEqualTo(300_000.0);
		assertThat(registry.get("kvs.putmedia.incoming.fragments").tag("stream", StreamTags.OTHER).counter().count())
			.isEqualTo(9_900.0);
		assertThat(registry.get("kvs.api.requests").tag("stream", StreamTags.OTHER).timer().count()).isEqualTo(9_900);
		// The first hundred keep their tags.
		assertThat(registry.get("kvs.putmedia.incoming.bytes").tag("stream", "camera-99").counter().count())
			.isEqualTo(10.0);
	}

	@Test
	void concurrentNewStreamsNeverTakeMoreThanTheLimit() throws Exception {
		StreamTags tags = new StreamTags(50, List.of());
		Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
		try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
			IntStream.range(0, 10_000).forEach(i -> pool.submit(() -> seen.add(tags.tag("s" + i))));
		}
		assertThat(seen).hasSize(51).contains(StreamTags.OTHER);
	}

	@Test
	void onlyIncludedStreamsGetTheirOwnTag() {
		StreamTags tags = new StreamTags(10, List.of("lobby", "garage-*"));

		assertThat(tags.tag("lobby")).isEqualTo("lobby");
		assertThat(tags.tag("garage-2")).isEqualTo("garage-2");
		assertThat(tags.tag("lobby-2")).isEqualTo(StreamTags.OTHER);
		assertThat(tags.tag("office")).isEqualTo(StreamTags.OTHER);
		assertThat(tags.tag("garage.x")).as("a pattern's other characters are literal").isEqualTo(StreamTags.OTHER);
	}

	@Test
	void aNameKvsWouldRefuseNeverTakesATag() {
		StreamTags tags = new StreamTags(10, List.of());

		assertThat(tags.tag("")).isEqualTo(StreamTags.OTHER);
		assertThat(tags.tag("no spaces\n")).isEqualTo(StreamTags.OTHER);
		assertThat(tags.tag("x".repeat(257))).isEqualTo(StreamTags.OTHER);
	}

	@Test
	void zeroTagsEveryStreamAsOther() {
		StreamTags tags = new StreamTags(0, List.of());

		assertThat(tags.tag("lobby")).isEqualTo(StreamTags.OTHER);
	}

	private Set<String> streamTags(String name) {
		Set<String> streams = new HashSet<>();
		for (Meter meter : registry.find(name).meters()) {
			streams.add(meter.getId().getTag("stream"));
		}
		return streams;
	}

	private double sum(String name) {
		return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
	}

}
