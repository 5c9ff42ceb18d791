package io.kvsgateway.local;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

import io.kvsgateway.local.LocalFragmentStore.StoredFragment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The store's contract apart from crashes, retention and concurrency. */
class LocalFragmentStoreUnitTests {

	@TempDir
	Path dataDir;

	@Test
	void keepsMetadataOnlyFragmentsAcrossRestart() {
		LocalStreams streams = streams();
		streams.create("cam", null, null, null, 24);
		LocalFragmentStore store = store(streams);
		Instant producer = Instant.parse("2026-03-01T10:15:30.123456789Z");
		String number = store.append("cam", producer, Duration.ofMillis(1_500));
		store.close();

		LocalFragmentStore reopened = store(streams());
		StoredFragment stored = reopened.read("cam", number).orElseThrow();
		assertThat(stored.fragment().producerTimestamp()).as("kept to the millisecond, as KVS reports it")
			.isEqualTo(Instant.parse("2026-03-01T10:15:30.123Z"));
		assertThat(stored.fragment().duration()).isEqualTo(Duration.ofMillis(1_500));
		assertThat(stored.fragment().sizeInBytes()).isZero();
		assertThat(stored.payload()).isEmpty();
		assertThat(stored.header()).isEmpty();
		assertThat(stored.tags()).isEmpty();
		assertThat(reopened.fragments("cam")).containsExactly(stored.fragment());
		reopened.close();
	}

	@Test
	void answersResourceNotFoundForUnknownStream() {
		LocalFragmentStore store = store(streams());

		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> store.read("nobody", "1"))
			.satisfies(e -> assertThat(e.type()).isEqualTo("ResourceNotFoundException"));
		store.close();
	}

	private LocalStreams streams() {
		return new LocalStreams(properties(), JsonMapper.builder().build(), Clock.systemUTC());
	}

	private LocalFragmentStore store(LocalStreams streams) {
		return new LocalFragmentStore(streams, Clock.systemUTC(), dataDir.resolve("streams"),
				properties().segmentSize().toBytes());
	}

	private LocalProperties properties() {
		return new LocalProperties(dataDir, null, null, null, null, null, null, null, null, DataSize.ofMegabytes(1),
				null, null, null, null, null, null);
	}

}
