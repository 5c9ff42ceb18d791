package io.kvsgateway.local;

import static io.kvsgateway.local.PlaybackFixtures.T0;
import static io.kvsgateway.local.PlaybackFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kvsgateway.local.LocalQuotas.Api;
import io.kvsgateway.local.LocalQuotas.Limits;
import io.kvsgateway.local.PlaybackFixtures.SettableClock;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The developer guide's per-stream quotas ("Fragment-metadata and fragment-media quotas", the control-plane and media
 * API tables) as the embedded KVS counts them, on a clock the tests move.
 */
class LocalQuotasUnitTests {

	final SettableClock clock = new SettableClock(T0);

	final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	final LocalQuotas quotas = new LocalQuotas(clock, Limits.KVS, true, 100, meters);

	@Test
	void refusesTheEleventhThousandPointListFragmentsWithinOneSecond() {
		for (int i = 0; i < 10; i++) {
			quotas.consume("cam", Api.LIST_FRAGMENTS, 1000, 0);
			clock.advance(Duration.ofMillis(90));
		}

		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> quotas.consume("cam", Api.LIST_FRAGMENTS, 1000, 0))
			.satisfies(error -> {
				assertThat(error.type()).isEqualTo("ClientLimitExceededException");
				assertThat(error.status().value()).isEqualTo(400);
				assertThat(error.getMessage()).contains("fragment-metadata");
			});
		assertThat(quotas.of("cam").metadataPoints()).isEqualTo(10_000);
		assertThat(quotas.of("cam").throttled()).containsExactly(Map.entry("ListFragments", 1L));
	}

	@Test
	void freesPointsOnlyOnceTheyAreAWholeSecondOld() {
		// Given 500 media points at one instant
		quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 500);

		// a second later, less a millisecond, they still count
		clock.advance(Duration.ofMillis(999));
		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 1));

		// and once they are a second old they do not
		clock.advance(Duration.ofMillis(1));
		assertThatNoException().isThrownBy(() -> quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 500));
	}

	@Test
	void neverLetsMoreThanTheQuotaThroughInAnyOneSecondWindow() {
		// A steady 1 point every 7 ms tries for ~143 points/s against a 100-point quota.
		LocalQuotas small = new LocalQuotas(clock, new Limits(10_000, 100), true, 10, null);
		long[] acceptedAt = new long[5_000];
		int accepted = 0;
		for (int i = 0; i < 5_000; i++) {
			try {
				small.consume("cam", Api.GET_TS_FRAGMENT, 0, 1);
				acceptedAt[accepted++] = LocalQuotas.nanos(clock.instant());
			}
			catch (KvsError refused) {
				// throttled
			}
			clock.advance(Duration.ofMillis(7));
		}

		int most = 0;
		for (int first = 0, last = 0; last < accepted; last++) {
			while (acceptedAt[last] - acceptedAt[first] >= LocalQuotas.SECOND) {
				first++;
			}
			most = Math.max(most, last - first + 1);
		}
		assertThat(most).isEqualTo(100);
		// and nothing stricter: over 35 s, the whole quota is used.
		assertThat(accepted).isBetween(35 * 100 - 100, 35 * 100 + 100);
	}

	@Test
	void chargesAClipToBothQuotasOrNeither() {
		quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 450);

		// 100 fragments fit the metadata quota but not the media one: nothing is taken from either.
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> quotas.consume("cam", Api.GET_CLIP, 100, 100));
		assertThat(quotas.of("cam").metadataPoints()).isZero();

		quotas.consume("cam", Api.GET_CLIP, 50, 50);
		assertThat(quotas.of("cam")).satisfies(usage -> {
			assertThat(usage.metadataPoints()).isEqualTo(50);
			assertThat(usage.mediaPoints()).isEqualTo(500);
		});
	}

	@Test
	void keepsEachStreamsQuotasApart() {
		quotas.consume("cam-a", Api.GET_CLIP, 0, 500);

		assertThatNoException().isThrownBy(() -> quotas.consume("cam-b", Api.GET_CLIP, 0, 500));
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> quotas.consume("cam-a", Api.GET_CLIP, 0, 1));
	}

	@Test
	void limitsSessionUrlsToTwentyFivePerSecondPerStream() {
		for (int i = 0; i < 25; i++) {
			quotas.call("cam", Api.GET_HLS_STREAMING_SESSION_URL);
			clock.advance(Duration.ofMillis(30));
		}

		// The table lists each API with its own 25 TPS: DASH is counted apart from HLS, which is at its limit.
		assertThatNoException().isThrownBy(() -> quotas.call("cam", Api.GET_DASH_STREAMING_SESSION_URL));
		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> quotas.call("cam", Api.GET_HLS_STREAMING_SESSION_URL))
			.satisfies(error -> assertThat(error.getMessage()).contains("25 GetHLSStreamingSessionURL"));
	}

	@Test
	void limitsGetDataEndpointToFivePerSecondPerStream() {
		for (int i = 0; i < 5; i++) {
			quotas.call("cam", Api.GET_DATA_ENDPOINT);
		}
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> quotas.call("cam", Api.GET_DATA_ENDPOINT));

		clock.advance(Duration.ofSeconds(1));
		assertThatNoException().isThrownBy(() -> quotas.call("cam", Api.GET_DATA_ENDPOINT));
	}

	@Test
	void countsConsumptionAndThrottlingInMicrometerWithoutStreamTags() {
		quotas.consume("cam", Api.GET_CLIP, 7, 7);
		quotas.consume("other", Api.LIST_FRAGMENTS, 100, 0);
		quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 493);
		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> quotas.consume("cam", Api.GET_MP4_MEDIA_FRAGMENT, 0, 1));

		assertThat(meters.get("kvs.local.archived.fragments.consumed").tag("quota", "metadata").counter().count())
			.isEqualTo(107);
		assertThat(meters.get("kvs.local.archived.fragments.consumed").tag("quota", "media").counter().count())
			.isEqualTo(500);
		assertThat(meters.get("kvs.local.throttled").tag("api", "GetMP4MediaFragment").counter().count()).isEqualTo(1);
		assertThat(meters.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTag("stream")).isNull());
	}

	@Test
	void onlyCountsWhenNotEnforced() {
		LocalQuotas counting = new LocalQuotas(clock, Limits.KVS, false, 10, null);

		for (int i = 0; i < 3; i++) {
			counting.consume("cam", Api.GET_CLIP, 0, 500);
			counting.call("cam", Api.GET_MEDIA);
			counting.call("cam", Api.GET_MEDIA);
		}

		assertThat(counting.of("cam").mediaPoints()).isEqualTo(1500);
		assertThat(counting.of("cam").throttledTotal()).isZero();
	}

	@Test
	void sessionRequestsAreChargedToTheirStreamAndSessionRefusalsCounted() {
		SessionRateLimiter limiter = new SessionRateLimiter(clock, 100, quotas, true);
		StreamingSession hls = session(Protocol.HLS, PlaybackMode.LIVE).max(40).build();

		for (int i = 0; i < 5; i++) {
			limiter.acquire(hls, SessionRateLimiter.Api.GET_HLS_MEDIA_PLAYLIST);
			limiter.acquire(hls, SessionRateLimiter.Api.GET_MP4_MEDIA_FRAGMENT);
			limiter.acquire(hls, SessionRateLimiter.Api.GET_HLS_MASTER_PLAYLIST);
		}
		assertThatExceptionOfType(KvsError.class)
			.isThrownBy(() -> limiter.acquire(hls, SessionRateLimiter.Api.GET_HLS_MEDIA_PLAYLIST));

		LocalQuotaUsage.Usage usage = quotas.of(hls.streamName());
		assertThat(usage.metadataPoints()).as("5 playlists × MaxMediaPlaylistFragmentResults").isEqualTo(200);
		assertThat(usage.mediaPoints()).isEqualTo(5);
		assertThat(usage.throttled()).containsExactly(Map.entry("GetHLSMediaPlaylist", 1L));
	}

	@Test
	void keepsAWindowOfManyTinyRequestsExact() {
		LocalQuotas many = new LocalQuotas(clock, new Limits(3_000, 500), true, 10, null);
		// 3,000 one-point requests over 0.75 s fill the quota; the window merges them by millisecond.
		for (int i = 0; i < 3_000; i++) {
			many.consume("cam", Api.LIST_FRAGMENTS, 1, 0);
			clock.advance(Duration.ofNanos(250_000));
		}
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> many.consume("cam", Api.LIST_FRAGMENTS, 1, 0));

		// The first millisecond's four points free at 1 s.
		clock.set(T0.plusMillis(1000));
		for (int i = 0; i < 4; i++) {
			many.consume("cam", Api.LIST_FRAGMENTS, 1, 0);
		}
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> many.consume("cam", Api.LIST_FRAGMENTS, 1, 0));
	}

	@Test
	void aTokenBucketLetsASecondsWorthBurstThroughAfterAQuietSecondAndRefillsAtTheRate() {
		LocalQuotas buckets = new LocalQuotas(clock, new Limits(10_000, 100, LocalQuotas.WindowType.TOKEN_BUCKET), true,
				10, null);
		buckets.consume("cam", Api.GET_CLIP, 0, 100);
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> buckets.consume("cam", Api.GET_CLIP, 0, 1));

		// Half a second refills half the quota; a sliding window would still hold the first 100.
		clock.advance(Duration.ofMillis(500));
		buckets.consume("cam", Api.GET_CLIP, 0, 50);
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> buckets.consume("cam", Api.GET_CLIP, 0, 1));

		// Never more than a second's worth, however long the stream was quiet.
		clock.advance(Duration.ofSeconds(10));
		buckets.consume("cam", Api.GET_CLIP, 0, 100);
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> buckets.consume("cam", Api.GET_CLIP, 0, 1));
		for (int i = 0; i < 5; i++) {
			buckets.call("cam", Api.GET_MEDIA);
		}
		assertThatExceptionOfType(KvsError.class).isThrownBy(() -> buckets.call("cam", Api.GET_MEDIA));
		clock.advance(Duration.ofMillis(200));
		assertThatNoException().isThrownBy(() -> buckets.call("cam", Api.GET_MEDIA));
	}

	@Test
	void tracksABoundedNumberOfStreams() {
		LocalQuotas few = new LocalQuotas(clock, Limits.KVS, true, 3, null);
		for (int i = 0; i < 1000; i++) {
			few.consume("cam-" + i, Api.LIST_FRAGMENTS, 1, 0);
		}
		long tracked = 0;
		for (int i = 0; i < 1000; i++) {
			tracked += few.of("cam-" + i).metadataPoints();
		}
		assertThat(tracked).isLessThanOrEqualTo(3 + 10);
	}

}
