package io.kvsgateway.playback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.Decision;
import io.kvsgateway.quota.SessionProfile;

class SessionProfilesUnitTests {

	private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

	private static final StreamShapes.Shape SHAPE = new StreamShapes.Shape(2, Duration.ofSeconds(2),
			StreamShapes.Source.INGEST);

	@Test
	void liveSessionsArePricedWithTheKvsDefaultOfFiveFragmentsPerPlaylist() {
		SessionProfile profile = profile(Map.of());

		assertThat(profile).isEqualTo(new SessionProfile(SessionProfile.Protocol.HLS,
				SessionProfile.PlaybackMode.LIVE, 5, 2, Duration.ofSeconds(2)));
	}

	@Test
	void liveReplaySessionsAlsoDefaultToFiveFragments() {
		SessionProfile profile = profile(Map.of("protocol", "DASH", "playbackMode", "LIVE_REPLAY", "startTimestamp",
				NOW.minusSeconds(600).toString()));

		assertThat(profile.protocol()).isEqualTo(SessionProfile.Protocol.DASH);
		assertThat(profile.playbackMode()).isEqualTo(SessionProfile.PlaybackMode.LIVE_REPLAY);
		assertThat(profile.maxFragmentResults()).isEqualTo(5);
	}

	@Test
	void onDemandSessionsDefaultToAThousandFragments() {
		SessionProfile profile = profile(Map.of("playbackMode", "ON_DEMAND", "startTimestamp",
				NOW.minusSeconds(600).toString(), "endTimestamp", NOW.minusSeconds(60).toString()));

		assertThat(profile.playbackMode()).isEqualTo(SessionProfile.PlaybackMode.ON_DEMAND);
		assertThat(profile.maxFragmentResults()).isEqualTo(1000);
	}

	@Test
	void theViewersOwnMaxFragmentResultsAndTheStreamsShapeArePriced() {
		SessionProfile profile = profile(Map.of("maxFragmentResults", 42));

		assertThat(profile.maxFragmentResults()).isEqualTo(42);
		assertThat(profile.tracks()).isEqualTo(2);
		assertThat(profile.fragmentDuration()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void aLiveHlsSessionOverTheMetadataBudgetIsToldTheLargestValueThatFits() {
		// 600 per playlist × 2 tracks every 2 s = 600 points per second; 250 available fit 250 × 2 / 2 = 250.
		SessionProfile profile = profile(Map.of("maxFragmentResults", 600));

		InvalidPlaybackRequest.Violation violation = SessionProfiles.unaffordable(profile,
				new Decision.Unaffordable(Budget.FRAGMENT_METADATA, 600, 250));

		assertThat(violation.field()).isEqualTo("maxFragmentResults");
		assertThat(violation.rule()).startsWith("must be at most 250 on this stream: this session would cost 600 ");
	}

	@Test
	void aDashSessionRefreshesOneManifestSoMoreFits() {
		SessionProfile profile = profile(Map.of("protocol", "DASH", "maxFragmentResults", 600));

		InvalidPlaybackRequest.Violation violation = SessionProfiles.unaffordable(profile,
				new Decision.Unaffordable(Budget.VIEWER_SHARE, 300, 250));

		assertThat(violation.rule()).startsWith("must be at most 500 on this stream")
			.contains("one viewer's share");
	}

	@Test
	void aMediaBudgetTooSmallForOneSessionIsNotBlamedOnMaxFragmentResults() {
		SessionProfile profile = profile(Map.of());

		InvalidPlaybackRequest.Violation violation = SessionProfiles.unaffordable(profile,
				new Decision.Unaffordable(Budget.FRAGMENT_MEDIA, 1, 0.5));

		assertThat(violation.field()).isEqualTo("maxFragmentResults");
		assertThat(violation.rule()).startsWith("cannot make this session fit whatever its value")
			.contains("1 fragment-media points per second")
			.contains("budget is 0.5");
	}

	private static SessionProfile profile(Map<String, Object> body) {
		PlaybackUrlRequest request = PlaybackRequestRules.check("lobby", body, NOW);
		return SessionProfiles.of(request, SHAPE);
	}

}
