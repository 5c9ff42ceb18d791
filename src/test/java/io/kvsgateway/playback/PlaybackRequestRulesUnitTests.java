package io.kvsgateway.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.kvs.PlaybackUrlRequest.ContainerFormat;
import io.kvsgateway.kvs.PlaybackUrlRequest.DiscontinuityMode;
import io.kvsgateway.kvs.PlaybackUrlRequest.Display;
import io.kvsgateway.kvs.PlaybackUrlRequest.PlaybackMode;
import io.kvsgateway.kvs.PlaybackUrlRequest.Protocol;

/** Rules from the GetHLSStreamingSessionURL and GetDASHStreamingSessionURL API pages ("Request Parameters"). */
class PlaybackRequestRulesUnitTests {

	private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

	@Test
	void fillsInTheDocumentedKvsDefaultsForAnEmptyBody() {
		PlaybackUrlRequest r = PlaybackRequestRules.check("lobby", null, NOW);
		assertThat(r.protocol()).isEqualTo(Protocol.HLS);
		assertThat(r.playbackMode()).isEqualTo(PlaybackMode.LIVE);
		assertThat(r.fragmentSelectorType().name()).isEqualTo("SERVER_TIMESTAMP");
		assertThat(r.containerFormat()).isEqualTo(ContainerFormat.FRAGMENTED_MP4);
		assertThat(r.discontinuityMode()).isEqualTo(DiscontinuityMode.ALWAYS);
		assertThat(r.displayFragmentTimestamp()).isEqualTo(Display.NEVER);
		assertThat(r.displayFragmentNumber()).isNull();
		assertThat(r.expiresInSeconds()).isEqualTo(300);
		assertThat(r.maxFragmentResults()).isEqualTo(5);
	}

	@Test
	void defaultsDiscontinuityModeToNeverForProducerTimestamps() {
		PlaybackUrlRequest r = PlaybackRequestRules.check("lobby", Map.of("fragmentSelectorType", "PRODUCER_TIMESTAMP"),
				NOW);
		assertThat(r.discontinuityMode()).isEqualTo(DiscontinuityMode.NEVER);
	}

	@Test
	void defaultsOnDemandToAThousandFragmentsAndDashToNoHlsOnlyFields() {
		PlaybackUrlRequest r = PlaybackRequestRules.check("lobby", Map.of("protocol", "DASH", "playbackMode",
				"ON_DEMAND", "startTimestamp", "2026-11-22T10:00:00Z", "endTimestamp", "2026-11-22T11:00:00Z"), NOW);
		assertThat(r.maxFragmentResults()).isEqualTo(1000);
		assertThat(r.containerFormat()).isNull();
		assertThat(r.discontinuityMode()).isNull();
		assertThat(r.displayFragmentNumber()).isEqualTo(Display.NEVER);
	}

	@Test
	void rejectsATimestampRangeForLive() {
		assertViolation(Map.of("startTimestamp", "2026-11-22T10:00:00Z"), "startTimestamp", "absent");
	}

	@Test
	void requiresBothTimestampsForOnDemand() {
		assertViolation(Map.of("playbackMode", "ON_DEMAND"), "startTimestamp", "required");
		assertViolation(Map.of("playbackMode", "ON_DEMAND", "startTimestamp", "2026-11-22T10:00:00Z"), "endTimestamp",
				"required");
	}

	@Test
	void requiresAStartForLiveReplayButNotAnEnd() {
		assertViolation(Map.of("playbackMode", "LIVE_REPLAY"), "startTimestamp", "required");
		PlaybackUrlRequest r = PlaybackRequestRules.check("lobby",
				Map.of("playbackMode", "LIVE_REPLAY", "startTimestamp", "2026-11-22T10:00:00Z"), NOW);
		assertThat(r.endTimestamp()).isNull();
	}

	@Test
	void requiresTheEndAfterTheStartAndWithin24Hours() {
		assertViolation(range("2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"), "endTimestamp", "after");
		assertViolation(range("2026-11-20T10:00:00Z", "2026-11-21T10:00:01Z"), "endTimestamp", "24 hours");
		PlaybackRequestRules.check("lobby", range("2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"), NOW);
	}

	@Test
	void requiresAServerTimestampEndInThePast() {
		assertViolation(range("2026-11-22T11:00:00Z", "2026-11-22T12:00:01Z"), "endTimestamp", "in the past");
		Map<String, Object> producer = range("2026-11-22T11:00:00Z", "2026-11-22T12:00:01Z");
		producer.put("fragmentSelectorType", "PRODUCER_TIMESTAMP");
		PlaybackRequestRules.check("lobby", producer, NOW);
	}

	@Test
	void checksRangesOfExpiresAndFragmentResults() {
		assertViolation(Map.of("expiresInSeconds", 299), "expiresInSeconds", "300 to 43200");
		assertViolation(Map.of("expiresInSeconds", 43_201), "expiresInSeconds", "300 to 43200");
		assertViolation(Map.of("maxFragmentResults", 0), "maxFragmentResults", "1 to 5000");
		assertViolation(Map.of("maxFragmentResults", 5_001), "maxFragmentResults", "1 to 5000");
		assertViolation(Map.of("maxFragmentResults", "5"), "maxFragmentResults", "integer");
		assertViolation(Map.of("maxFragmentResults", 2.5), "maxFragmentResults", "integer");
	}

	@Test
	void rejectsUnknownEnumValuesUnknownFieldsAndMalformedTimestamps() {
		assertViolation(Map.of("protocol", "RTSP"), "protocol", "HLS, DASH");
		assertViolation(Map.of("playbackMode", "live"), "playbackMode", "LIVE, LIVE_REPLAY, ON_DEMAND");
		assertViolation(Map.of("playbackmode", "LIVE"), "playbackmode", "not a field");
		assertViolation(Map.of("playbackMode", "ON_DEMAND", "startTimestamp", "yesterday", "endTimestamp",
				"2026-11-22T10:00:00Z"), "startTimestamp", "ISO-8601");
	}

	@Test
	void keepsProtocolSpecificFieldsToTheirProtocol() {
		assertViolation(Map.of("protocol", "DASH", "containerFormat", "MPEG_TS"), "containerFormat", "HLS parameter");
		assertViolation(Map.of("protocol", "DASH", "discontinuityMode", "NEVER"), "discontinuityMode", "HLS parameter");
		assertViolation(Map.of("displayFragmentNumber", "ALWAYS"), "displayFragmentNumber", "DASH parameter");
	}

	@Test
	void reportsEveryBrokenRuleAtOnce() {
		assertThatExceptionOfType(InvalidPlaybackRequest.class)
			.isThrownBy(() -> PlaybackRequestRules.check("lobby",
					Map.of("protocol", "X", "expiresInSeconds", 1, "maxFragmentResults", 0), NOW))
			.satisfies(e -> assertThat(e.violations()).extracting(InvalidPlaybackRequest.Violation::field)
				.containsExactlyInAnyOrder("protocol", "expiresInSeconds", "maxFragmentResults"));
	}

	@Test
	void acceptsOnlyKvsStreamNames() {
		assertThat(PlaybackRequestRules.isValidStreamName("cam_1.front-door")).isTrue();
		assertThat(PlaybackRequestRules.isValidStreamName("a".repeat(256))).isTrue();
		assertThat(PlaybackRequestRules.isValidStreamName("a".repeat(257))).isFalse();
		assertThat(PlaybackRequestRules.isValidStreamName("")).isFalse();
		assertThat(PlaybackRequestRules.isValidStreamName("../etc")).isFalse();
		assertThat(PlaybackRequestRules.isValidStreamName("cam\n1")).isFalse();
	}

	private static Map<String, Object> range(String start, String end) {
		Map<String, Object> body = new HashMap<>();
		body.put("playbackMode", "ON_DEMAND");
		body.put("startTimestamp", start);
		body.put("endTimestamp", end);
		return body;
	}

	private static void assertViolation(Map<String, Object> body, String field, String ruleFragment) {
		assertThatExceptionOfType(InvalidPlaybackRequest.class)
			.isThrownBy(() -> PlaybackRequestRules.check("lobby", body, NOW))
			.satisfies(e -> assertThat(e.violations())
				.anySatisfy(v -> {
					assertThat(v.field()).isEqualTo(field);
					assertThat(v.rule()).contains(ruleFragment);
				}));
	}

}
