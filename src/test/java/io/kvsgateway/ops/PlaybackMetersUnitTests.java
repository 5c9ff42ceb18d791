package io.kvsgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.playback.PlaybackMetrics.Api;
import io.kvsgateway.putmedia.AckError;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class PlaybackMetersUnitTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final StreamTags tags = new StreamTags(10, List.of());

	private final PlaybackMeters playback = new PlaybackMeters(registry, tags);

	// KVS's exceptions are made by the kvs adapter only; their type is all the outcome depends on.
	@Test
	void oneTimerPerApiAndOutcomeCarriesRequestsLatencyAndSuccess() {
		long millis = TimeUnit.MILLISECONDS.toNanos(1);
		playback.called(Api.GET_HLS_STREAMING_SESSION_URL, "lobby", 20 * millis, null);
		playback.called(Api.GET_HLS_STREAMING_SESSION_URL, "lobby", 40 * millis, null);
		playback.called(Api.GET_HLS_STREAMING_SESSION_URL, "lobby", 5 * millis,
				mock(KvsException.StreamNotFound.class));
		playback.called(Api.GET_DASH_STREAMING_SESSION_URL, "lobby", millis,
				mock(KvsException.Throttled.class));
		playback.called(Api.GET_CLIP, "lobby", millis, new IllegalStateException("connection reset"));

		Timer success = timer("GetHLSStreamingSessionURL", "success");
		assertThat(success.count()).isEqualTo(2);
		assertThat(success.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60.0);
		assertThat(timer("GetHLSStreamingSessionURL", "client_error").count()).isEqualTo(1);
		assertThat(timer("GetDASHStreamingSessionURL", "throttled").count()).isEqualTo(1);
		assertThat(timer("GetClip", "server_error").count()).isEqualTo(1);
	}

	@Test
	void consumedPointsAndClipBytesAreCountedPerStream() {
		playback.consumed("lobby", 1000, 0);
		playback.consumed("lobby", 3, 3);
		playback.clipBytes("lobby", 12345);

		assertThat(registry.get("kvs.archived.fragments.consumed").tags("stream", "lobby", "quota", "metadata")
			.counter()
			.count()).isEqualTo(1003.0);
		assertThat(registry.get("kvs.archived.fragments.consumed").tags("stream", "lobby", "quota", "media")
			.counter()
			.count()).isEqualTo(3.0);
		assertThat(registry.get("kvs.getclip.outgoing.bytes").tag("stream", "lobby").counter().count())
			.isEqualTo(12345.0);
	}

	@Test
	void errorAcksAreCountedByErrorIdAndCode() {
		IngestMeters ingest = new IngestMeters(registry, tags);
		ingest.stream("lobby").errorAck(AckError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS);
		ingest.stream("lobby").errorAck(AckError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS);
		ingest.stream("lobby").errorAck(AckError.MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY);

		assertThat(registry.get("kvs.putmedia.error.acks")
			.tags("stream", "lobby", "error.id", "4004", "error.code", "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS")
			.counter()
			.count()).isEqualTo(2.0);
		assertThat(registry.get("kvs.putmedia.error.acks")
			.tags("error.id", "4005", "error.code", "MORE_THAN_ALLOWED_TRACKS_FOUND")
			.counter()
			.count()).isEqualTo(1.0);
	}

	private Timer timer(String api, String outcome) {
		return registry.get("kvs.api.requests").tags("api", api, "outcome", outcome, "stream", "lobby").timer();
	}

}
