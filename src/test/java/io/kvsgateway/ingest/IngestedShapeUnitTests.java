package io.kvsgateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kvsgateway.media.Track;

class IngestedShapeUnitTests {

	private final IngestedStreams streams = new IngestedStreams();

	@Test
	void knowsNothingBeforeAHeaderAndAFragmentDuration() {
		assertThat(streams.shapeOf("cam")).isEmpty();
		streams.fragmentRead("cam", Duration.ofSeconds(2));
		assertThat(streams.shapeOf("cam")).as("a duration without a header").isEmpty();
		streams.headerRead("cam", List.of(video(), audio()));
		assertThat(streams.shapeOf("cam")).as("a header without a duration").isEmpty();
	}

	@Test
	void reportsTheTrackCountAndTheMedianOfTheLatestDurations() {
		streams.headerRead("cam", List.of(video(), audio()));
		for (long millis : new long[] { 9000, 9000, 9000, 9000, 9000, 2000, 2000, 500, 2100, 1900 }) {
			streams.fragmentRead("cam", Duration.ofMillis(millis));
		}

		// The 9-second fragments fell out of the last five (over all ten the median would be 9 s); the median outvotes
		// the one short fragment.
		assertThat(streams.shapeOf("cam")).hasValue(new IngestedShape.Shape(2, Duration.ofMillis(2000)));
	}

	@Test
	void aNewHeaderChangesTheTrackCountAndKeepsTheDurations() {
		streams.headerRead("cam", List.of(video(), audio()));
		streams.fragmentRead("cam", Duration.ofSeconds(1));
		streams.headerRead("cam", List.of(video()));

		assertThat(streams.shapeOf("cam")).hasValue(new IngestedShape.Shape(1, Duration.ofSeconds(1)));
	}

	private static Track video() {
		return new Track(1, 1, Track.Type.VIDEO, "V_MPEG4/ISO/AVC", ByteBuffer.wrap(new byte[] { 1 }), "", null, null);
	}

	private static Track audio() {
		return new Track(2, 2, Track.Type.AUDIO, "A_AAC", ByteBuffer.wrap(new byte[] { 0x11, (byte) 0x90 }), "", null,
				null);
	}

}
