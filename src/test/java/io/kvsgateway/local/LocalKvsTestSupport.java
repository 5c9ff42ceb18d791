package io.kvsgateway.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import io.kvsgateway.support.EmbeddedKvsClients;

/** Fixtures for the embedded KVS tests: real SDK clients pointed at it, and a clock the tests can move. */
final class LocalKvsTestSupport {

	static final String ACCESS_KEY_ID = EmbeddedKvsClients.ACCESS_KEY_ID;

	static final String SECRET_ACCESS_KEY = EmbeddedKvsClients.SECRET_ACCESS_KEY;

	private LocalKvsTestSupport() {
	}

	static KinesisVideoClient kinesisVideo(int port) {
		return EmbeddedKvsClients.kinesisVideo(port);
	}

	static KinesisVideoClient kinesisVideo(int port, String accessKeyId, String secret) {
		return EmbeddedKvsClients.kinesisVideo(port, accessKeyId, secret);
	}

	static KinesisVideoArchivedMediaClient archivedMedia(int port) {
		return EmbeddedKvsClients.archivedMedia(port);
	}

	/**
	 * Replaces the application clock; imported explicitly (not a {@code @Configuration}) so that component scanning
	 * in other tests never picks it up.
	 */
	static class MovableClockConfiguration {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock();
		}

	}

	/**
	 * Real time plus an offset the test sets: the SDK signs with real time, so the offset must stay within the
	 * five minutes SigV4 allows whenever a request is made.
	 */
	static final class MovableClock extends Clock {

		private volatile Duration offset = Duration.ZERO;

		private volatile @Nullable Instant frozen;

		void moveBy(Duration duration) {
			offset = offset.plus(duration);
		}

		void reset() {
			offset = Duration.ZERO;
			frozen = null;
		}

		/** Stops the clock at its current instant until {@link #reset()}, so a burst of requests is one instant. */
		void freeze() {
			frozen = instant();
		}

		/** Runs an action as if it happened at {@code at}, then returns to real time. */
		void runAt(Instant at, Runnable action) {
			Duration previous = offset;
			offset = Duration.between(Instant.now(), at);
			try {
				action.run();
			}
			finally {
				offset = previous;
			}
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException("UTC only");
		}

		@Override
		public Instant instant() {
			Instant stopped = frozen;
			return (stopped != null) ? stopped : Instant.now().plus(offset);
		}

	}

}
