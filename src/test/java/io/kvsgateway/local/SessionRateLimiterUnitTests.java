package io.kvsgateway.local;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.kvsgateway.local.PlaybackFixtures.SettableClock;
import io.kvsgateway.local.SessionRateLimiter.Api;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static io.kvsgateway.local.PlaybackFixtures.T0;
import static io.kvsgateway.local.PlaybackFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The developer guide's "Video playback protocol API service quotas": per session, 5 TPS or 20 TPS per API. */
class SessionRateLimiterUnitTests {

	final SettableClock clock = new SettableClock(T0);

	final SessionRateLimiter limiter = new SessionRateLimiter(clock, 100);

	final StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE).build();

	@Test
	void refusesTheTwentyFirstFragmentRequestWithinOneSecond() {
		for (int i = 0; i < 20; i++) {
			clock.advance(Duration.ofMillis(10));
			limiter.acquire(session, Api.GET_MP4_MEDIA_FRAGMENT);
		}

		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> limiter.acquire(session, Api.GET_MP4_MEDIA_FRAGMENT))
			.satisfies(error -> {
				assertThat(error.type()).isEqualTo("ClientLimitExceededException");
				assertThat(error.status().value()).isEqualTo(400);
			});
	}

	@Test
	void allowsTheNextRequestOnceTheOldestIsASecondOld() {
		for (int i = 0; i < 20; i++) {
			limiter.acquire(session, Api.GET_TS_FRAGMENT);
		}
		clock.advance(Duration.ofMillis(999));
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> limiter.acquire(session, Api.GET_TS_FRAGMENT));

		clock.advance(Duration.ofMillis(1));
		assertThatNoException().isThrownBy(() -> limiter.acquire(session, Api.GET_TS_FRAGMENT));
	}

	@Test
	void playlistsAllowFivePerSecondEachApiOnItsOwn() {
		for (int i = 0; i < 5; i++) {
			limiter.acquire(session, Api.GET_HLS_MEDIA_PLAYLIST);
		}
		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> limiter.acquire(session, Api.GET_HLS_MEDIA_PLAYLIST));

		assertThatNoException().isThrownBy(() -> limiter.acquire(session, Api.GET_HLS_MASTER_PLAYLIST));
		assertThatNoException().isThrownBy(() -> limiter.acquire(session, Api.GET_MP4_INIT_FRAGMENT));
	}

	@Test
	void countsEachSessionOnItsOwn() {
		for (int i = 0; i < 5; i++) {
			limiter.acquire(session, Api.GET_DASH_MANIFEST);
		}
		StreamingSession other = new StreamingSession("session-2", session.streamName(), session.streamId(),
				Protocol.DASH, PlaybackMode.LIVE, session.fragmentSelectorType(), null, null, null, null,
				session.displayFragmentTimestamp(), null, 5, T0, T0.plusSeconds(300));

		assertThatNoException().isThrownBy(() -> limiter.acquire(other, Api.GET_DASH_MANIFEST));
	}

	@Test
	void forgetsSessionsWhenTheyExpire() {
		StreamingSession shortLived = new StreamingSession("session-3", session.streamName(), session.streamId(),
				Protocol.HLS, PlaybackMode.LIVE, session.fragmentSelectorType(), null, null, null, null,
				session.displayFragmentTimestamp(), null, 5, T0, T0.plusSeconds(300));
		limiter.acquire(shortLived, Api.GET_HLS_MASTER_PLAYLIST);
		assertThat(limiter.trackedSessions()).isEqualTo(1);

		clock.advance(Duration.ofSeconds(301));

		assertThat(limiter.trackedSessions()).isZero();
	}

}
