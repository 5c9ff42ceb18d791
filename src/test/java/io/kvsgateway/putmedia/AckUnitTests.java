package io.kvsgateway.putmedia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The ACK lines of kvs-wire-protocol.md ("PutMedia", Response), member for member. */
class AckUnitTests {

	@Test
	void rendersPersistedExactlyAsKvs() {
		assertThat(Ack.persisted(1597730826769L, "91343852333181481915235394203149336554319348843").toJsonLine())
			.isEqualTo("{\"EventType\":\"PERSISTED\",\"FragmentTimecode\":1597730826769,"
					+ "\"FragmentNumber\":\"91343852333181481915235394203149336554319348843\"}\n");
	}

	@Test
	void rendersErrorsWithIdAndName() {
		assertThat(Ack.error(1597730826769L, null, AckError.INVALID_MKV_DATA).toJsonLine())
			.isEqualTo("{\"EventType\":\"ERROR\",\"FragmentTimecode\":1597730826769,\"ErrorId\":4006,"
					+ "\"ErrorCode\":\"INVALID_MKV_DATA\"}\n");
		assertThat(Ack.error(null, null, AckError.MAX_CONNECTION_DURATION_REACHED).toJsonLine())
			.isEqualTo("{\"EventType\":\"ERROR\",\"ErrorId\":4003,\"ErrorCode\":\"MAX_CONNECTION_DURATION_REACHED\"}\n");
	}

	@Test
	void rendersIdleWithoutFragmentMembers() {
		assertThat(Ack.idle().toJsonLine()).isEqualTo("{\"EventType\":\"IDLE\"}\n");
	}

	@Test
	void keepsTheKvsNamesOfTheTrackLimitErrors() {
		assertThat(AckError.MORE_THAN_ALLOWED_TRACKS_FOUND.id()).isEqualTo(4012);
		assertThat(AckError.MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY.code()).isEqualTo("MORE_THAN_ALLOWED_TRACKS_FOUND");
		assertThat(AckError.FRAGMENT_METADATA_LIMIT_REACHED.id()).isEqualTo(4009);
	}

	@Test
	void refusesInconsistentAcks() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Ack(Ack.Type.ERROR, 1L, "1", null));
		assertThatIllegalArgumentException().isThrownBy(() -> new Ack(Ack.Type.PERSISTED, 1L, "1", AckError.INTERNAL_ERROR));
		assertThatIllegalArgumentException().isThrownBy(() -> Ack.persisted(1L, "12\"}"));
	}

}
