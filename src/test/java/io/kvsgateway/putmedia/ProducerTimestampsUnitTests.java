package io.kvsgateway.putmedia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class ProducerTimestampsUnitTests {

	@Test
	void readsProducerCsUnpaddedMillisecondsAsMilliseconds() {
		// producer-c writes "%llu.%llu": 5 ms becomes "1597730826.5" (kvs-wire-protocol.md, PutMedia headers)
		assertThat(ProducerTimestamps.parseStart("1597730826.5")).isEqualTo(Instant.ofEpochMilli(1597730826005L));
		assertThat(ProducerTimestamps.parseStart("1597730826.500")).isEqualTo(Instant.ofEpochMilli(1597730826500L));
		assertThat(ProducerTimestamps.parseStart("1597730826")).isEqualTo(Instant.ofEpochSecond(1597730826L));
		assertThat(ProducerTimestamps.parseStart("1597730826.123456")).isEqualTo(Instant.ofEpochSecond(1597730826L, 123_456_000));
	}

	@Test
	void refusesMalformedHeadersByName() {
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerTimestamps.fromHeaders("SOMETIMES", null))
			.withMessageContaining("x-amzn-fragment-timecode-type");
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerTimestamps.fromHeaders(null, "yesterday"))
			.withMessageContaining("x-amzn-producer-start-timestamp");
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerTimestamps.fromHeaders("RELATIVE", null));
	}

	@Test
	void mapsAbsoluteAndRelativeTimecodes() {
		ProducerTimestamps absolute = ProducerTimestamps.fromHeaders("ABSOLUTE", "1.0");
		ProducerTimestamps relative = ProducerTimestamps.fromHeaders("relative", "1700000000.250");

		assertThat(absolute.of(1_700_000_000_000L, 1_000_000)).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
		assertThat(relative.of(2_000, 1_000_000)).isEqualTo(Instant.ofEpochMilli(1_700_000_002_250L));
		assertThat(ProducerTimestamps.fromHeaders(null, null).type()).isEqualTo(ProducerTimestamps.TimecodeType.ABSOLUTE);
	}

}
