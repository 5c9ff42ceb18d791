package io.kvsgateway.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.LocalFragmentStore.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/** Appends to one stream are serialized, streams proceed side by side, and readers only ever see whole records. */
class LocalFragmentStoreConcurrencyUnitTests {

	private static final int WRITERS_PER_STREAM = 4;

	private static final int FRAGMENTS_PER_WRITER = 25;

	@TempDir
	Path dataDir;

	@Test
	void keepsConcurrentAppendsWholeAndOrdered() throws Exception {
		// Given: two streams, small segments so that writers roll segments while readers read
		LocalProperties properties = new LocalProperties(dataDir, null, null, null, null, null, null, null, null,
				DataSize.ofKilobytes(4), null, null, null, null, null, null);
		LocalStreams streams = new LocalStreams(properties, JsonMapper.builder().build(), Clock.systemUTC());
		List<String> names = List.of("left", "right");
		names.forEach(name -> streams.create(name, null, null, null, 24));
		LocalFragmentStore store = new LocalFragmentStore(streams, Clock.systemUTC(), dataDir.resolve("streams"),
				properties.segmentSize().toBytes());
		// Platform threads: readers that never block would keep virtual writers off the few carrier threads.
		ExecutorService executor = Executors.newFixedThreadPool(names.size() * (WRITERS_PER_STREAM + 1));
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger readsChecked = new AtomicInteger();
		ConcurrentLinkedQueue<Fragment> acknowledged = new ConcurrentLinkedQueue<>();

		// When
		List<Future<?>> writers = new ArrayList<>();
		for (String name : names) {
			for (int w = 0; w < WRITERS_PER_STREAM; w++) {
				int writer = w;
				writers.add(executor.submit(() -> {
					for (int i = 0; i < FRAGMENTS_PER_WRITER; i++) {
						String id = name + "/" + writer + "/" + i;
						acknowledged.add(store.append(name, new FragmentData(Instant.now(), Duration.ofSeconds(1),
								payloadOf(id), new byte[] { 1, 2 }, List.of(new Tag("id", id)))));
					}
					return null;
				}));
			}
		}
		List<Future<?>> readers = new ArrayList<>();
		for (String name : names) {
			readers.add(executor.submit(() -> {
				while (writing.get()) {
					for (Fragment fragment : store.fragments(name)) {
						StoredFragment stored = store.read(name, fragment.fragmentNumber()).orElseThrow();
						assertThat(stored.payload()).isEqualTo(payloadOf(stored.tags().getFirst().value()));
						readsChecked.incrementAndGet();
					}
				}
				return null;
			}));
		}
		for (Future<?> writer : writers) {
			writer.get();
		}
		writing.set(false);
		for (Future<?> reader : readers) {
			reader.get();
		}
		executor.close();

		// Then
		assertThat(readsChecked).hasPositiveValue();
		assertThat(acknowledged).hasSize(names.size() * WRITERS_PER_STREAM * FRAGMENTS_PER_WRITER);
		for (String name : names) {
			List<Fragment> listed = store.fragments(name);
			assertThat(listed).hasSize(WRITERS_PER_STREAM * FRAGMENTS_PER_WRITER);
			for (int i = 1; i < listed.size(); i++) {
				assertThat(LocalFragmentStore.compareNumbers(listed.get(i).fragmentNumber(),
						listed.get(i - 1).fragmentNumber()))
					.isPositive();
			}
		}
		store.close();
		LocalFragmentStore reopened = new LocalFragmentStore(streams, Clock.systemUTC(), dataDir.resolve("streams"),
				properties.segmentSize().toBytes());
		assertThat(names.stream().flatMap(name -> reopened.fragments(name).stream()))
			.containsExactlyInAnyOrderElementsOf(acknowledged);
		reopened.close();
	}

	/** A payload that names its fragment, a few hundred bytes long so that segments roll often. */
	private static byte[] payloadOf(String id) {
		byte[] bytes = new byte[300 + Math.abs(id.hashCode() % 700)];
		byte[] name = id.getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = name[i % name.length];
		}
		return Arrays.copyOf(bytes, bytes.length);
	}

}
