package io.kvsgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kvsgateway.local.MediaConnections.Kind;

/** The connection-level limits of the developer guide's media API table, per stream and per kind. */
class MediaConnectionsUnitTests {

	final MediaConnections connections = new MediaConnections();

	@Test
	void refusesTheSixthGetMediaForFragmentListConnectionOfAStreamUntilOneCloses() {
		List<MediaConnections.Lease> open = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			open.add(connections.acquire("stream-1", Kind.GET_MEDIA_FOR_FRAGMENT_LIST));
		}

		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> connections.acquire("stream-1", Kind.GET_MEDIA_FOR_FRAGMENT_LIST))
			.satisfies(error -> {
				assertThat(error.type()).isEqualTo("ConnectionLimitExceededException");
				assertThat(error.status().value()).isEqualTo(400);
				assertThat(error.getMessage()).contains("5 open GetMediaForFragmentList");
			});
		// Other kinds and other streams have their own slots.
		assertThatNoException().isThrownBy(() -> connections.acquire("stream-1", Kind.GET_MEDIA).close());
		assertThatNoException()
			.isThrownBy(() -> connections.acquire("stream-2", Kind.GET_MEDIA_FOR_FRAGMENT_LIST).close());

		open.getFirst().close();
		assertThatNoException()
			.isThrownBy(() -> connections.acquire("stream-1", Kind.GET_MEDIA_FOR_FRAGMENT_LIST).close());
	}

}
