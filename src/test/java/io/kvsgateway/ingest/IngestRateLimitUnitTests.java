package io.kvsgateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestRateLimitUnitTests {

	@Test
	void holdsFragmentsBeyondTheBytesPerSecond() throws Exception {
		IngestRateLimit limit = new IngestRateLimit(1000, 10_000);
		long start = System.nanoTime();
		// 20,000 bytes at 10,000 B/s with one second (10,000 B) of allowance at the start: at least 1 s
		for (int i = 0; i < 5; i++) {
			limit.acquire(4_000);
		}
		assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
	}

	@Test
	void holdsFragmentsBeyondTheFragmentsPerSecond() throws Exception {
		IngestRateLimit limit = new IngestRateLimit(10, 1_000_000);
		long start = System.nanoTime();
		// 20 fragments at 10/s with 10 allowed at once: at least 1 s
		for (int i = 0; i < 20; i++) {
			limit.acquire(1);
		}
		assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
	}

	@Test
	void letsAFragmentLargerThanOneSecondOfBytesThrough() throws Exception {
		IngestRateLimit limit = new IngestRateLimit(5, 1_000);
		assertThat(limit.acquire(50_000)).isFalse();
	}

}
