package io.kvsgateway.playback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ClipEstimateUnitTests {

	@Test
	void estimatesTheFragmentsOfARangeRoundingUp() {
		assertThat(ClipController.estimatedFragments(Duration.ofSeconds(10), Duration.ofSeconds(2))).isEqualTo(5);
		assertThat(ClipController.estimatedFragments(Duration.ofMillis(10_001), Duration.ofSeconds(2))).isEqualTo(6);
	}

	@Test
	void chargesAtLeastOneAndAtMostTheTwoHundredFragmentsKvsPutsInAClip() {
		assertThat(ClipController.estimatedFragments(Duration.ofMillis(1), Duration.ofSeconds(2))).isEqualTo(1);
		assertThat(ClipController.estimatedFragments(Duration.ofHours(24), Duration.ofSeconds(1))).isEqualTo(200);
	}

}
