package io.kvsgateway.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.kvsgateway.putmedia.Ack;
import io.kvsgateway.putmedia.AckError;
import tools.jackson.databind.json.JsonMapper;

class SocketPutMediaClientUnitTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void writesTheProducerStartWithThreeDigitMillis() {
		assertThat(SocketPutMediaClient.producerStartHeader(Instant.ofEpochMilli(1_700_000_000_005L)))
			.isEqualTo("1700000000.005");
		assertThat(SocketPutMediaClient.producerStartHeader(Instant.ofEpochSecond(12))).isEqualTo("12.000");
	}

	@Test
	void appendsPutMediaToTheDataEndpointKeepingItsPath() {
		assertThat(SocketPutMediaClient.putMediaUri(URI.create("https://s-1234.kinesisvideo.eu-west-1.amazonaws.com")))
			.hasToString("https://s-1234.kinesisvideo.eu-west-1.amazonaws.com/putMedia");
		assertThat(SocketPutMediaClient.putMediaUri(URI.create("http://127.0.0.1:8080/kvs/")))
			.hasToString("http://127.0.0.1:8080/kvs/putMedia");
	}

	@Test
	void parsesKvsAckLines() {
		assertThat(SocketPutMediaClient.parseAck(JSON.readTree(
				"{\"EventType\":\"PERSISTED\",\"FragmentTimecode\":1597730826769,\"FragmentNumber\":\"913438523331814\"}")))
			.isEqualTo(Ack.persisted(1597730826769L, "913438523331814"));
		assertThat(SocketPutMediaClient.parseAck(JSON.readTree(
				"{\"EventType\":\"ERROR\",\"FragmentTimecode\":12,\"ErrorId\":4004,\"ErrorCode\":\"FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS\"}")))
			.isEqualTo(Ack.error(12L, null, AckError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS));
		assertThat(SocketPutMediaClient.parseAck(JSON.readTree("{\"EventType\":\"ERROR\",\"ErrorId\":4999}")))
			.isEqualTo(Ack.error(null, null, AckError.INTERNAL_ERROR));
		assertThat(SocketPutMediaClient.parseAck(JSON.readTree("{\"EventType\":\"SOMETHING_NEW\"}"))).isNull();
	}

}
