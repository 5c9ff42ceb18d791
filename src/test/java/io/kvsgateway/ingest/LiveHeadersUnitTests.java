package io.kvsgateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.kvsgateway.support.MediaFixtures;

class LiveHeadersUnitTests {

	@Test
	void makesAFileHeadersSegmentSizeUnknownWithoutMovingAnyOtherByte() {
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");

		ByteBuffer live = LiveHeaders.withUnknownSegmentSize(ByteBuffer.wrap(media.header()));

		assertThat(bytes(live)).isEqualTo(Arrays.copyOf(media.live(), media.header().length))
			.isNotEqualTo(media.header());
	}

	@Test
	void leavesALiveHeaderAsItIs() {
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");
		ByteBuffer live = ByteBuffer.wrap(Arrays.copyOf(media.live(), media.header().length));

		assertThat(LiveHeaders.withUnknownSegmentSize(live)).isSameAs(live);
	}

	@Test
	void leavesBytesItDoesNotRecogniseAsTheyAre() {
		ByteBuffer garbage = ByteBuffer.wrap(new byte[] { 0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x8F, 1, 2 });

		assertThat(LiveHeaders.withUnknownSegmentSize(garbage)).isSameAs(garbage);
		assertThat(LiveHeaders.withUnknownSegmentSize(ByteBuffer.allocate(0))).isNotNull();
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return bytes;
	}

}
