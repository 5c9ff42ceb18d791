package io.kvsgateway.quota;

import static io.kvsgateway.quota.QuotaTestSupport.exactKvsQuotas;
import static io.kvsgateway.quota.QuotaTestSupport.liveHls;
import static io.kvsgateway.quota.QuotaTestSupport.onDemandDash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kvsgateway.quota.QuotaTestSupport.MutableClock;

/**
 * Admission's semantics, worked through on the local store; {@link RedisAdmissionIntegrationTests} runs the same
 * scenarios on the Redis store, so both stores must decide alike.
 */
class AdmissionUnitTests {

	private static final Duration SESSION = Duration.ofHours(1);

	/**
	 * One admission every 50 ms never meets the session-URL budget, even with a 5% margin (23 whole calls in any
	 * second).
	 */
	private static final Duration URL_SPACING = Duration.ofMillis(50);

	/** How long an ended reservation is still charged: KVS may count a sliding second. */
	private static final Duration TAIL = Duration.ofSeconds(1);

	final MutableClock clock = new MutableClock();

	private int sessions;

	/** The store under test, new for each admission. */
	QuotaStore store(QuotaProperties properties) {
		return new LocalQuotaStore(properties.maxTrackedStreams());
	}

	/** Whether the store bounds how many streams it tracks (the local store does; Redis bounds its own memory). */
	Admission admission(QuotaProperties properties) {
		return new Admission(properties, store(properties), clock);
	}

	Decision admit(Admission admission, String stream, String viewer, SessionProfile profile) {
		return admission.admit(new AdmissionRequest(stream, viewer, "session-" + ++sessions, profile,
				clock.instant().plus(SESSION)));
	}

	/** Admits sessions of distinct viewers, one every 40 ms, until one is not granted. */
	private List<Lease> fill(Admission admission, String stream, SessionProfile profile, int most) {
		List<Lease> leases = new ArrayList<>();
		for (int i = 0; i < most; i++) {
			clock.advance(URL_SPACING);
			Decision decision = admit(admission, stream, "viewer-" + sessions, profile);
			if (!(decision instanceof Decision.Granted granted)) {
				break;
			}
			leases.add(granted.lease());
		}
		return leases;
	}

	private static StreamQuota.Usage usage(Admission admission, String stream, Budget budget) {
		return admission.snapshot()
			.stream()
			.filter(quota -> quota.streamName().equals(stream))
			.findFirst()
			.orElseThrow()
			.usage()
			.get(budget);
	}

	@Test
	void guideExample1Carries250LiveHlsSessionsAndNotThe251st() {
		// Developer guide, "Example 1: Live streaming": 1 s fragments, audio+video, MaxMediaPlaylistFragmentResults 5
		// → 250 concurrent sessions consume 2,500 metadata and 500 media points per second.
		Admission admission = admission(exactKvsQuotas());

		List<Lease> leases = fill(admission, "lobby", liveHls(5, 2), 250);

		assertThat(leases).hasSize(250);
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).reserved()).isEqualTo(2_500);
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(500);
		clock.advance(URL_SPACING);
		Decision the251st = admit(admission, "lobby", "viewer-251", liveHls(5, 2));
		// It fits a second after the first session expires (an hour after it was granted, 250 × 50 ms ago), when
		// KVS no longer counts that session's requests.
		Duration firstExpiry = Duration.between(clock.instant(), leases.get(0).expiresAt());
		assertThat(the251st).isEqualTo(new Decision.Rejected(Budget.FRAGMENT_MEDIA, firstExpiry.plus(TAIL)));
		assertThat(firstExpiry).isEqualTo(SESSION.minus(URL_SPACING.multipliedBy(250)));
	}

	@Test
	void guideExample2Starts10OnDemandDashSessionsPerSecondAndLoads100AtOnce() {
		// Developer guide, "Example 2: On-demand playback": MaxManifestFragmentResults 1,000 → 10 new sessions per
		// second use the 10,000 metadata points; 100 sessions loading at 5 fragments/s use the 500 media points.
		Admission admission = admission(exactKvsQuotas());
		SessionProfile profile = onDemandDash(1000, 2);
		Instant firstSecond = clock.instant();

		for (int second = 0; second < 10; second++) {
			for (int i = 0; i < 10; i++) {
				assertThat(admit(admission, "archive", "viewer-" + sessions, profile))
					.isInstanceOf(Decision.Granted.class);
			}
			if (second < 9) {
				Decision eleventh = admit(admission, "archive", "viewer-11", profile);
				// The manifests drained the metadata bucket; 1,000 points come back in 100 ms at 10,000 per second.
				assertThat(eleventh)
					.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofMillis(100)));
			}
			clock.advance(Duration.ofSeconds(1));
		}

		assertThat(usage(admission, "archive", Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(500);
		Decision the101st = admit(admission, "archive", "viewer-101", profile);
		// 2,000 fragments at 5/s load in 400 s: the first ten sessions stop loading 400 s after they started, and
		// their last second of requests has left KVS's window one second later.
		assertThat(the101st).isEqualTo(new Decision.Rejected(Budget.FRAGMENT_MEDIA,
				Duration.between(clock.instant(), firstSecond.plusSeconds(401))));

		clock.advance(Duration.between(clock.instant(), firstSecond.plusSeconds(400)));
		assertThat(usage(admission, "archive", Budget.FRAGMENT_MEDIA).reserved()).as("draining").isEqualTo(500);
		clock.advance(TAIL);
		assertThat(usage(admission, "archive", Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(450);
		assertThat(admit(admission, "archive", "viewer-101", profile)).isInstanceOf(Decision.Granted.class);
	}

	@Test
	void theSafetyMarginKeepsFivePercentOfEveryQuotaFree() {
		Admission admission = admission(QuotaTestSupport.properties(0.05, 1));

		// 475 media points: 237 sessions of 2 points, not 238.
		assertThat(fill(admission, "lobby", liveHls(5, 2), 300)).hasSize(237);
		assertThat(admission.snapshot().get(0).rejections()).containsEntry(Budget.FRAGMENT_MEDIA, 1L);
	}

	@Test
	void anExpiredLeaseFreesItsBudget() {
		Admission admission = admission(exactKvsQuotas());
		List<Lease> leases = fill(admission, "lobby", liveHls(5, 2), 251);
		assertThat(leases).hasSize(250);

		clock.advance(Duration.between(clock.instant(), leases.get(1).expiresAt()));
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_MEDIA).reserved()).as("draining").isEqualTo(500);
		assertThat(admission.release(leases.get(1).sessionId())).as("expired, nothing to release").isNull();
		clock.advance(TAIL);

		assertThat(usage(admission, "lobby", Budget.FRAGMENT_MEDIA).reserved()).isEqualTo(496);
		assertThat(admission.snapshot().get(0).activeLeases()).isEqualTo(248);
		assertThat(admit(admission, "lobby", "ann", liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
		assertThat(admit(admission, "lobby", "bob", liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
		assertThat(admit(admission, "lobby", "carol", liveHls(5, 2))).isInstanceOf(Decision.Rejected.class);
		assertThat(admission.release(leases.get(0).sessionId())).as("expired, nothing to release").isNull();
	}

	@Test
	void releasingALeaseFreesItsBudgetASecondLater() {
		Admission admission = admission(exactKvsQuotas());
		List<Lease> leases = fill(admission, "lobby", liveHls(5, 2), 251);

		Lease released = admission.release(leases.get(100).sessionId());

		assertThat(released).isEqualTo(leases.get(100));
		assertThat(admission.release(leases.get(100).sessionId())).isNull();
		// KVS still counts the session's requests of the last second: its budget drains for one more second.
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).reserved()).isEqualTo(2_500);
		clock.advance(Duration.ofMillis(400));
		assertThat(admit(admission, "lobby", "ann", liveHls(5, 2)))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_MEDIA, Duration.ofMillis(600)));
		clock.advance(Duration.ofMillis(600));
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).reserved()).isEqualTo(2_490);
		assertThat(fill(admission, "lobby", liveHls(5, 2), 2)).hasSize(1);
		assertThat(admission.release("unknown")).isNull();
	}

	@Test
	void anOnDemandSessionStopsHoldingMediaWhenItsLoadingEnds() {
		Admission admission = admission(exactKvsQuotas());
		Decision.Granted granted = (Decision.Granted) admit(admission, "archive", "ann", onDemandDash(100, 2));
		// 200 fragments at 5/s: 40 s of loading.
		assertThat(granted.lease().mediaUntil()).isEqualTo(clock.instant().plusSeconds(40));
		assertThat(granted.lease().mediaPointsPerSecond()).isEqualTo(5);

		clock.advance(Duration.ofSeconds(40));
		assertThat(usage(admission, "archive", Budget.FRAGMENT_MEDIA).reserved()).as("draining").isEqualTo(5);
		clock.advance(TAIL);

		assertThat(usage(admission, "archive", Budget.FRAGMENT_MEDIA).reserved()).isZero();
		assertThat(admission.snapshot().get(0).activeLeases()).isZero();
		assertThat(admission.release(granted.lease().sessionId())).as("holds nothing any more").isNull();
	}

	@Test
	void oneViewerCannotHoldMoreThanItsShareOfAStream() {
		Admission admission = admission(QuotaTestSupport.properties(0, 0.5));
		List<Instant> expiries = new ArrayList<>();
		for (int i = 0; i < 125; i++) {
			clock.advance(URL_SPACING);
			Decision.Granted granted = (Decision.Granted) admit(admission, "lobby", "ann", liveHls(5, 2));
			expiries.add(granted.lease().expiresAt());
		}
		clock.advance(URL_SPACING);
		Decision.Granted bob = (Decision.Granted) admit(admission, "lobby", "bob", liveHls(5, 2));

		clock.advance(URL_SPACING);
		Decision the126th = admit(admission, "lobby", "ann", liveHls(5, 2));

		// Ann holds 250 of the 500 media points; her earliest session frees her share (a second after it expires),
		// not Bob's.
		assertThat(the126th).isEqualTo(new Decision.Rejected(Budget.VIEWER_SHARE,
				Duration.between(clock.instant(), expiries.get(0)).plus(TAIL)));
		assertThat(bob.lease().viewer()).isEqualTo("bob");
		assertThat(admit(admission, "lobby", "carol", liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
	}

	@Test
	void aSessionThatCanNeverFitIsUnaffordableRatherThanRejected() {
		Admission admission = admission(QuotaTestSupport.properties(0.05, 0.5));

		// Three playlists of 5,000 points a second: 15,000 > 9,500.
		assertThat(admit(admission, "lobby", "ann", liveHls(5000, 3)))
			.isEqualTo(new Decision.Unaffordable(Budget.FRAGMENT_METADATA, 15_000, 9_500));
		// 5,000 points fit the stream but not half of it.
		assertThat(admit(admission, "lobby", "ann", liveHls(5000, 1)))
			.isEqualTo(new Decision.Unaffordable(Budget.VIEWER_SHARE, 5_000, 4_750));
	}

	@Test
	void streamOverridesApplyByPattern() {
		Admission admission = admission(QuotaTestSupport.withStreams(
				Map.of("garage-*", new QuotaProperties.Capacities(null, 100.0, null, null))));

		assertThat(fill(admission, "garage-7", liveHls(5, 2), 100)).hasSize(50);
		assertThat(fill(admission, "lobby", liveHls(5, 2), 100)).hasSize(100);
		assertThat(usage(admission, "garage-7", Budget.FRAGMENT_MEDIA).capacity()).isEqualTo(100);
	}

	@Test
	void noSecondHoldsMoreThan25SessionUrls() {
		Admission admission = admission(exactKvsQuotas());
		for (int i = 0; i < 25; i++) {
			assertThat(admit(admission, "lobby", "viewer-" + i, liveHls(1, 1))).isInstanceOf(Decision.Granted.class);
		}

		// A token bucket would have refilled 12 calls by now, and let 37 through within one second.
		clock.advance(Duration.ofMillis(500));
		assertThat(admit(admission, "lobby", "viewer-25", liveHls(1, 1)))
			.isEqualTo(new Decision.Rejected(Budget.SESSION_URLS, Duration.ofMillis(500)));

		clock.advance(Duration.ofMillis(499));
		assertThat(admit(admission, "lobby", "viewer-25", liveHls(1, 1)))
			.isEqualTo(new Decision.Rejected(Budget.SESSION_URLS, Duration.ofMillis(1)));
		clock.advance(Duration.ofMillis(1));
		for (int i = 25; i < 50; i++) {
			assertThat(admit(admission, "lobby", "viewer-" + i, liveHls(1, 1))).isInstanceOf(Decision.Granted.class);
		}
		assertThat(admit(admission, "lobby", "viewer-50", liveHls(1, 1))).isInstanceOf(Decision.Rejected.class);
	}

	@Test
	void getDataEndpointIsLimitedTo5PerSecond() {
		Admission admission = admission(exactKvsQuotas());
		for (int i = 0; i < 5; i++) {
			assertThat(admission.tryAcquire("lobby", Budget.DATA_ENDPOINT)).isEqualTo(Permit.ACQUIRED);
		}

		clock.advance(Duration.ofMillis(200));
		assertThat(admission.tryAcquire("lobby", Budget.DATA_ENDPOINT))
			.isEqualTo(new Decision.Rejected(Budget.DATA_ENDPOINT, Duration.ofMillis(800)));
		assertThat(admission.tryAcquire("lobby", Budget.SESSION_URLS)).isEqualTo(Permit.ACQUIRED);
		clock.advance(Duration.ofMillis(800));
		assertThat(admission.tryAcquire("lobby", Budget.DATA_ENDPOINT)).isEqualTo(Permit.ACQUIRED);
		assertThatIllegalArgumentException().isThrownBy(() -> admission.tryAcquire("lobby", Budget.FRAGMENT_MEDIA));
	}

	@Test
	void getClipDebitsBothBudgetsOrNeither() {
		Admission admission = admission(exactKvsQuotas());
		assertThat(admission.debit("lobby", 200, 200)).isEqualTo(Permit.ACQUIRED);
		assertThat(admission.debit("lobby", 200, 200)).isEqualTo(Permit.ACQUIRED);

		// 100 media points left; 200 come back at 500 per second after another 200 ms.
		assertThat(admission.debit("lobby", 200, 200))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_MEDIA, Duration.ofMillis(200)));
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).available()).isEqualTo(9_600);

		clock.advance(Duration.ofMillis(200));
		assertThat(admission.debit("lobby", 200, 200)).isEqualTo(Permit.ACQUIRED);
	}

	@Test
	void listFragmentsDrawsMetadataAndWaitsForTheRefill() {
		Admission admission = admission(exactKvsQuotas());
		assertThat(admission.debit("lobby", 10_000, 0)).isEqualTo(Permit.ACQUIRED);

		assertThat(admission.debit("lobby", 1000, 0))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofMillis(100)));
		assertThat(admission.debit("lobby", 1, 0)).as("a tenth of a millisecond rounds up to one")
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofMillis(1)));
	}

	@Test
	void burstsRefillAtWhatSustainedReservationsLeave() {
		Admission admission = admission(exactKvsQuotas());
		// Nine live sessions of 1,000 metadata points a second leave 1,000 a second for one-time use.
		assertThat(fill(admission, "lobby", liveHls(1000, 1), 9)).hasSize(9);
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).available()).isEqualTo(1_000);

		assertThat(admit(admission, "lobby", "ann", onDemandDash(1000, 1))).isInstanceOf(Decision.Granted.class);
		assertThat(admit(admission, "lobby", "bob", onDemandDash(1000, 1)))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofSeconds(1)));
		// A tenth live session fits the sustained budget, but not in the second Ann's manifest used up.
		assertThat(admit(admission, "lobby", "carol", liveHls(1000, 1)))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofSeconds(1)));
		clock.advance(Duration.ofSeconds(1));
		assertThat(admit(admission, "lobby", "carol", liveHls(1000, 1))).isInstanceOf(Decision.Granted.class);
		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).available()).isZero();
	}

	@Test
	void aBurstLargerThanTheBucketGoesWhenTheBucketIsFullAndLeavesItInDebt() {
		Admission admission = admission(exactKvsQuotas());
		// Nine and a half thousand points are reserved; a 2,000-point burst is more than a second of the 500 left.
		assertThat(fill(admission, "lobby", liveHls(950, 1), 10)).hasSize(10);
		assertThat(admit(admission, "lobby", "ann", onDemandDash(2000, 1))).isInstanceOf(Decision.Granted.class);

		assertThat(usage(admission, "lobby", Budget.FRAGMENT_METADATA).available()).isEqualTo(-1_500);
		// The next burst waits for the debt and a full bucket: 2,000 points at 500 per second.
		assertThat(admit(admission, "lobby", "bob", onDemandDash(2000, 1)))
			.isEqualTo(new Decision.Rejected(Budget.FRAGMENT_METADATA, Duration.ofSeconds(4)));
	}

	@Test
	void waitsForBudgetWhenConfiguredInsteadOfRejecting() {
		List<Duration> sleeps = new ArrayList<>();
		QuotaProperties properties = new QuotaProperties(null, 0.0, null, null, 1.0, Duration.ofMillis(100), null,
				null, null);
		Admission admission = new Admission(properties, store(properties), clock, duration -> {
			sleeps.add(duration);
			clock.advance(duration);
		});
		for (int i = 0; i < 25; i++) {
			admit(admission, "lobby", "viewer-" + i, liveHls(1, 1));
		}
		clock.advance(Duration.ofMillis(960));

		// The 25 calls leave the one-second window in 40 ms.
		assertThat(admit(admission, "lobby", "viewer-25", liveHls(1, 1))).isInstanceOf(Decision.Granted.class);
		assertThat(admit(admission, "lobby", "viewer-26", liveHls(1, 1))).isInstanceOf(Decision.Granted.class);
		assertThat(sleeps).containsExactly(Duration.ofMillis(40));
		assertThat(admission.snapshot().get(0).rejections()).as("a wait that ends in a grant is no rejection")
			.isEmpty();

		// Nothing frees within 100 ms: reject at once, without sleeping.
		assertThat(admission.debit("lobby", 10_000, 0)).isEqualTo(Permit.ACQUIRED);
		Decision rejected = admit(admission, "lobby", "ann", onDemandDash(5000, 1));
		assertThat(rejected).isInstanceOfSatisfying(Decision.Rejected.class, rejection -> {
			assertThat(rejection.budget()).isEqualTo(Budget.FRAGMENT_METADATA);
			assertThat(rejection.retryAfter()).isGreaterThan(Duration.ofMillis(500));
		});
		assertThat(sleeps).hasSize(1);
	}

	@Test
	void countsRejectionsPerBudgetForTheSnapshot() {
		Admission admission = admission(exactKvsQuotas());
		admission.debit("lobby", 10_000, 500);
		admission.debit("lobby", 1, 0);
		admission.debit("lobby", 0, 1);
		admission.debit("lobby", 0, 1);
		admit(admission, "lobby", "ann", liveHls(5000, 3));

		StreamQuota quota = admission.snapshot().get(0);

		assertThat(quota.streamName()).isEqualTo("lobby");
		assertThat(quota.rejections()).containsExactlyInAnyOrderEntriesOf(
				Map.of(Budget.FRAGMENT_METADATA, 2L, Budget.FRAGMENT_MEDIA, 2L));
		assertThat(quota.usage().get(Budget.SESSION_URLS)).isEqualTo(new StreamQuota.Usage(25, 0, 25));
	}

	@Test
	void refusesAnExpiredSessionAndASecondLeaseForOneSession() {
		Admission admission = admission(exactKvsQuotas());
		SessionProfile profile = liveHls(5, 2);
		assertThatIllegalArgumentException().isThrownBy(
				() -> admission.admit(new AdmissionRequest("lobby", "ann", "s", profile, clock.instant())));

		admission.admit(new AdmissionRequest("lobby", "ann", "s", profile, clock.instant().plus(SESSION)));

		assertThatIllegalStateException().isThrownBy(
				() -> admission.admit(new AdmissionRequest("lobby", "ann", "s", profile, clock.instant().plus(SESSION))));
		assertThatIllegalStateException().isThrownBy(
				() -> admission.admit(new AdmissionRequest("yard", "ann", "s", profile, clock.instant().plus(SESSION))));
	}

	@Test
	void tracksABoundedNumberOfStreamsForgettingIdleOnes() {
		QuotaProperties properties = new QuotaProperties(null, 0.0, null, null, 1.0, null, null, null, 2);
		Admission admission = admission(properties);
		assertThat(admit(admission, "a", "ann", liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
		assertThat(admission.tryAcquire("b", Budget.DATA_ENDPOINT)).isEqualTo(Permit.ACQUIRED);

		// Stream b's bucket is not full yet: forgetting it would forget that call.
		assertThat(admit(admission, "c", "ann", liveHls(5, 2)))
			.isEqualTo(new Decision.Rejected(Budget.TRACKED_STREAMS, Duration.ofSeconds(1)));

		clock.advance(Duration.ofSeconds(1));
		assertThat(admit(admission, "c", "ann", liveHls(5, 2))).isInstanceOf(Decision.Granted.class);
		assertThat(admission.snapshot()).extracting(StreamQuota::streamName).containsExactly("a", "c");
	}

}
