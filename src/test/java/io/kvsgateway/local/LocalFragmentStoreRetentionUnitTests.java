package io.kvsgateway.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalKvsTestSupport.MovableClock;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code DataRetentionInHours} removes whole expired segments, from the index and from disk. */
class LocalFragmentStoreRetentionUnitTests {

	private static final byte[] OLD_HEADER = "old tracks".getBytes(StandardCharsets.UTF_8);

	private static final byte[] NEW_HEADER = "new tracks".getBytes(StandardCharsets.UTF_8);

	@TempDir
	Path dataDir;

	final MovableClock clock = new MovableClock();

	LocalStreams streams;

	LocalFragmentStore store;

	@BeforeEach
	void open() {
		open(DataSize.ofBytes(1));
	}

	@AfterEach
	void close() {
		store.close();
	}

	@Test
	void removesSegmentsWhoseNewestFragmentIsPastRetention() throws IOException {
		// Given: one fragment per segment; three ingested 3 h ago, one 30 min ago, one now; retention 1 h
		LocalStream stream = streams.create("cam", null, null, null, 1);
		Instant threeHoursAgo = clock.instant().minus(Duration.ofHours(3));
		List<Fragment> old = Stream.of(0, 1, 2)
			.map(i -> at(threeHoursAgo.plusSeconds(i), () -> store.append("cam", data(OLD_HEADER))))
			.toList();
		Fragment recent = at(clock.instant().minus(Duration.ofMinutes(30)), () -> store.append("cam", data(NEW_HEADER)));
		Fragment current = store.append("cam", data(NEW_HEADER));
		assertThat(files(stream, "segment-")).hasSize(5);
		assertThat(files(stream, "header-")).hasSize(2);

		// When
		int removed = store.sweepExpired();

		// Then
		assertThat(removed).isEqualTo(3);
		assertThat(store.fragments("cam")).containsExactly(recent, current);
		assertThat(store.read("cam", old.getFirst().fragmentNumber())).isEmpty();
		assertThat(files(stream, "segment-")).hasSize(2);
		assertThat(files(stream, "header-")).as("a header no fragment uses any more").hasSize(1);
		assertThat(store.read("cam", recent.fragmentNumber()).orElseThrow().header()).isEqualTo(NEW_HEADER);

		// The index rebuilt from disk agrees.
		reopen();
		assertThat(store.fragments("cam")).containsExactly(recent, current);
	}

	@Test
	void removesActiveSegmentOnceEverythingExpiredAndKeepsAppending() throws IOException {
		LocalStream stream = streams.create("cam", null, null, null, 1);
		store.append("cam", data(NEW_HEADER));
		clock.moveBy(Duration.ofHours(2));

		assertThat(store.sweepExpired()).isEqualTo(1);
		assertThat(store.fragments("cam")).isEmpty();
		assertThat(files(stream, "segment-")).isEmpty();

		Fragment next = store.append("cam", data(NEW_HEADER));
		assertThat(store.fragments("cam")).containsExactly(next);
		assertThat(store.read("cam", next.fragmentNumber()).orElseThrow().header()).isEqualTo(NEW_HEADER);
	}

	@Test
	void keepsSegmentHoldingAnyUnexpiredFragment() {
		store.close();
		open(DataSize.ofMegabytes(1));
		streams.create("cam", null, null, null, 1);
		Fragment old = at(clock.instant().minus(Duration.ofHours(3)), () -> store.append("cam", data(OLD_HEADER)));
		Fragment fresh = store.append("cam", data(NEW_HEADER));

		assertThat(store.sweepExpired()).isZero();
		assertThat(store.fragments("cam")).containsExactly(old, fresh);
	}

	@Test
	void keepsFragmentsOfStreamWithoutRetention() {
		streams.create("cam", null, null, null, 0);
		Fragment old = at(clock.instant().minus(Duration.ofDays(30)), () -> store.append("cam", data(OLD_HEADER)));

		assertThat(store.sweepExpired()).isZero();
		assertThat(store.fragments("cam")).containsExactly(old);
	}

	private void open(DataSize segmentSize) {
		LocalProperties properties = new LocalProperties(dataDir, null, null, null, null, null, null, null, null,
				segmentSize, null, null, null, null, null, null);
		streams = new LocalStreams(properties, JsonMapper.builder().build(), clock);
		store = new LocalFragmentStore(streams, clock, dataDir.resolve("streams"), segmentSize.toBytes());
	}

	private void reopen() {
		store.close();
		open();
	}

	private <T> T at(Instant instant, java.util.function.Supplier<T> action) {
		Object[] result = new Object[1];
		clock.runAt(instant, () -> result[0] = action.get());
		@SuppressWarnings("unchecked")
		T value = (T) result[0];
		return value;
	}

	private static FragmentData data(byte[] header) {
		return new FragmentData(Instant.now(), Duration.ofSeconds(1), new byte[] { 1, 2, 3 }, header, List.of());
	}

	private List<Path> files(LocalStream stream, String prefix) throws IOException {
		try (Stream<Path> files = Files.list(dataDir.resolve("streams").resolve(stream.streamId()))) {
			return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
		}
	}

}
