package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static io.kvsgateway.quota.QuotaTestSupport.onDemandDash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.kvsgateway.quota.SessionProfile.PlaybackMode;
import io.kvsgateway.quota.SessionProfile.Protocol;

class CostModelUnitTests {

	private final CostModel model = new CostModel(5);

	@Test
	void liveHlsRefreshesOnePlaylistPerTrackAndFetchesOneFragmentPerTrackEachFragmentDuration() {
		// Developer guide, example 1: 1 s fragments, audio and video, MaxMediaPlaylistFragmentResults 5: two
		// playlists of 5 points and two GetMP4MediaFragment of 1 point per second.
		SessionCost cost = model.cost(liveHls(5, 2));

		assertThat(cost.metadataPerSecond()).isEqualTo(10 * SessionCost.MICRO);
		assertThat(cost.mediaPerSecond()).isEqualTo(2 * SessionCost.MICRO);
		assertThat(cost.mediaFor()).isNull();
		assertThat(cost.metadataBurst()).isZero();
	}

	@Test
	void liveDashRefreshesOneManifestForAllTracks() {
		SessionCost cost = model.cost(
				new SessionProfile(Protocol.DASH, PlaybackMode.LIVE, 5, 2, Duration.ofSeconds(2)));

		assertThat(cost.metadataPerSecond()).isEqualTo(2_500_000);
		assertThat(cost.mediaPerSecond()).isEqualTo(1_000_000);
	}

	@Test
	void liveReplayIsPricedAsLive() {
		SessionProfile live = liveHls(10, 1);
		SessionProfile replay = new SessionProfile(Protocol.HLS, PlaybackMode.LIVE_REPLAY, 10, 1,
				Duration.ofSeconds(1));

		assertThat(model.cost(replay)).isEqualTo(model.cost(live));
	}

	@Test
	void onDemandDashFetchesTheManifestOnceThenLoadsAtTheSessionRateUntilEveryFragmentIsIn() {
		// Developer guide, example 2: GetDASHManifest once with MaxManifestFragmentResults 1,000 (1,000 points), then
		// up to 5 GetMP4MediaFragment per second for the audio+video session: 2,000 fragments take 400 s.
		SessionCost cost = model.cost(onDemandDash(1000, 2));

		assertThat(cost.metadataBurst()).isEqualTo(1000 * SessionCost.MICRO);
		assertThat(cost.metadataPerSecond()).isZero();
		assertThat(cost.mediaPerSecond()).isEqualTo(5 * SessionCost.MICRO);
		assertThat(cost.mediaFor()).isEqualTo(Duration.ofSeconds(400));
	}

	@Test
	void onDemandHlsFetchesOneMediaPlaylistPerTrack() {
		SessionCost cost = model.cost(
				new SessionProfile(Protocol.HLS, PlaybackMode.ON_DEMAND, 1000, 2, Duration.ofSeconds(1)));

		assertThat(cost.metadataBurst()).isEqualTo(2000 * SessionCost.MICRO);
		assertThat(cost.mediaFor()).isEqualTo(Duration.ofSeconds(400));
	}

	@Test
	void onDemandLoadingFollowsTheConfiguredPlayerRate() {
		SessionCost cost = new CostModel(10).cost(onDemandDash(100, 1));

		assertThat(cost.mediaPerSecond()).isEqualTo(10 * SessionCost.MICRO);
		assertThat(cost.mediaFor()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void fractionalRatesRoundUp() {
		// One playlist of 1 point every 3 s is 0.333… points/s: rounding down would let one session too many in.
		SessionCost cost = model.cost(new SessionProfile(Protocol.HLS, PlaybackMode.LIVE, 1, 1, Duration.ofSeconds(3)));

		assertThat(cost.metadataPerSecond()).isEqualTo(333_334);
		assertThat(cost.mediaPerSecond()).isEqualTo(333_334);
	}

	@Test
	void refusesProfilesOutsideKvsRules() {
		assertThatIllegalArgumentException().isThrownBy(() -> liveHls(0, 1)).withMessageContaining("maxFragmentResults");
		assertThatIllegalArgumentException().isThrownBy(() -> liveHls(5001, 1))
			.withMessageContaining("maxFragmentResults");
		assertThatIllegalArgumentException().isThrownBy(() -> liveHls(5, 0)).withMessageContaining("tracks");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SessionProfile(Protocol.HLS, PlaybackMode.LIVE, 5, 1, Duration.ZERO))
			.withMessageContaining("fragmentDuration");
		assertThatIllegalArgumentException().isThrownBy(() -> new CostModel(0));
	}

}
