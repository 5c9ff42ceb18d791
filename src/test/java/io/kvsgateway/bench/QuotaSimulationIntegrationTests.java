package io.kvsgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.local.LocalQuotaUsage;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.LiveCamera;

/**
 * The quota scheduler against a KVS that really throttles: a population of simulated players ({@link QuotaSimulation})
 * asks the gateway for sessions on one stream at twice what the stream can carry and plays what it is given from the
 * embedded KVS at player pace. Scaled down for CI: the stream's fragment-media quota is 40 points per second on both
 * sides (the gateway's {@code gateway.quota.streams[sim-*]} and the embedded KVS's {@code gateway.local.quotas}), of
 * which the gateway's 5% safety margin leaves 38.
 * <p>
 * The stream (H.264 only, 1-second fragments, ingested through the gateway so it knows the shape) holds a recorded
 * 6-fragment clip, which on-demand DASH players load at 5 fragments per second (5 points per second for 1.2 s each,
 * then a new session), and live media from a camera, which live HLS players follow (1 point per second each). 60 live
 * and 4 on-demand players ask for 80 points per second, from 64 viewers.
 * <p>
 * It passes when the embedded KVS throttled nothing at all on the stream (every request of every admitted session was
 * served) and the admitted load held at least 90% of the binding budget (fragment media) through the steady state,
 * both as the scheduler reserved it and as KVS counted it consumed. The developer guide does not say how KVS counts
 * "per second"; here the embedded KVS counts each quota as a token bucket of one second's worth (the scheduler's own
 * model), and {@link QuotaSimulationSlidingWindowIntegrationTests} holds the scheduler to a sliding second.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QuotaSimulationIntegrationTests {

	/** Per test class (the sliding-window subclass has a context of its own), started before its context. */
	static TestJwks JWKS;

	static final String STREAM = "sim-live";

	/** The stream's fragment-media quota on both sides; {@code -Dsim.media-quota} scales the simulation up. */
	static final int MEDIA_QUOTA = Integer.getInteger("sim.media-quota", 40);

	/** Twice what the stream carries: 1 point per second per live player, 5 per loading on-demand player. */
	static final int LIVE_PLAYERS = MEDIA_QUOTA * 3 / 2;

	static final int ON_DEMAND_PLAYERS = MEDIA_QUOTA / 10;


	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> JWKS.jwkSetUri());
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("gateway.quota.streams[sim-*].fragment-media", () -> Integer.toString(MEDIA_QUOTA));
		registry.add("gateway.local.quotas.fragment-media", () -> Integer.toString(MEDIA_QUOTA));
		// KVS does not say how it counts a second; this test holds the scheduler to a token bucket of a second's worth,
		// the subclass to the strictest reading.
		registry.add("gateway.local.quotas.window", () -> "token-bucket");
	}

	@BeforeAll
	static void start() {
		JWKS = TestJwks.start();
	}

	@AfterAll
	static void stop() {
		JWKS.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	LocalQuotaUsage kvsUsage;

	@Test
	void admittedPlayersAreNeverThrottledAndFillTheBindingBudget() throws Exception {
		Outcome run = simulate();

		assertThat(run.report().otherFailures()).as(run.figures()).isZero();
		assertThat(run.report().rejectionTotal()).as("demand was twice the capacity: " + run.figures()).isPositive();
		assertThat(run.usage().throttled()).as(run.figures()).isEmpty();
		assertThat(run.report().refusals()).as(run.figures()).isZero();
		assertThat(run.reservedShare()).as(run.figures()).isGreaterThanOrEqualTo(0.9);
		assertThat(run.consumedPerSecond()).as(run.figures()).isGreaterThanOrEqualTo(0.9 * run.capacity());
	}

	Outcome simulate() throws Exception {
		// Given a stream with a recorded clip and a live camera
		String camera = JWKS.token("sim-camera", "ingest", List.of(STREAM));
		QuotaSimulation.Stream stream = QuotaSimulation.Stream.prepare(port, camera, STREAM);
		assertThat(stream.recordedFragments()).isEqualTo(6);
		try (LiveCamera live = stream.camera()) {
			Http http = new Http(port);
			String operator = JWKS.token("sim-operator", "ops", List.of("*"));
			List<String> viewers = new ArrayList<>();
			for (int i = 0; i < LIVE_PLAYERS + ON_DEMAND_PLAYERS; i++) {
				viewers.add(JWKS.token("sim-viewer-" + i, "playback", List.of(STREAM)));
			}
			QuotaSimulation.Plan plan = new QuotaSimulation.Plan("http://127.0.0.1:" + port, STREAM, viewers::get,
					LIVE_PLAYERS, ON_DEMAND_PLAYERS, Duration.ofSeconds(3), Duration.ofSeconds(24),
					Duration.ofSeconds(1), 5, stream.recordedFrom(), stream.recordedTo(), stream.recordedFragments());

			// When the players play, and the steady state (after the ramp-up) is sampled
			List<Double> reservedShares = new CopyOnWriteArrayList<>();
			long[] consumed = new long[4];
			Thread sampler = Thread.ofVirtual().start(() -> {
				try {
					Thread.sleep(8_000);
					consumed[0] = kvsUsage.of(STREAM).mediaPoints();
					consumed[2] = System.nanoTime();
					for (int i = 0; i < 28; i++) {
						Map<String, Object> quota = http.get("/actuator/quotas/" + STREAM, operator).json();
						@SuppressWarnings("unchecked")
						Map<String, Object> media = ((Map<String, Map<String, Object>>) quota.get("budgets"))
							.get("FRAGMENT_MEDIA");
						reservedShares.add(((Number) media.get("reserved")).doubleValue()
								/ ((Number) media.get("capacity")).doubleValue());
						Thread.sleep(500);
					}
					consumed[1] = kvsUsage.of(STREAM).mediaPoints();
					consumed[3] = System.nanoTime();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			QuotaSimulation.Report report = QuotaSimulation.run(plan);
			sampler.join();

			LocalQuotaUsage.Usage usage = kvsUsage.of(STREAM);
			double reserved = reservedShares.stream().mapToDouble(Double::doubleValue).average().orElse(0);
			double consumedPerSecond = (consumed[1] - consumed[0]) / ((consumed[3] - consumed[2]) / 1e9);
			double capacity = MEDIA_QUOTA * 0.95;
			String figures = String.format(
					"players %d, session requests %d, admitted %d, rejections %s, other failures %d, peak playing %d,"
							+ " KVS requests %d (playlists %d, fragments %d), refused %d %s; embedded KVS: media"
							+ " consumed %d points (%.1f/s in the steady state vs budget %.1f after margin, quota %d),"
							+ " metadata %d points, throttled %s; reserved/capacity in the steady state %.3f; new"
							+ " fragments per live refresh (-1: first) %s; refused at (ms) %s",
					report.players(), report.attempts(), report.admitted(), report.rejections(), report.otherFailures(),
					report.peakPlaying(), report.kvsRequests(), report.playlists(), report.fragments(),
					report.refusals(), report.refusalSamples().stream().limit(3).toList(), usage.mediaPoints(),
					consumedPerSecond, capacity, MEDIA_QUOTA, usage.metadataPoints(), usage.throttled(), reserved,
					report.newFragmentsPerRefresh(), report.refusedAtMillis().stream().limit(40).toList());
			System.out.println("Quota simulation: " + figures);
			return new Outcome(report, usage, reserved, consumedPerSecond, capacity, figures);
		}
	}

	/** What one simulation measured. */
	record Outcome(QuotaSimulation.Report report, LocalQuotaUsage.Usage usage, double reservedShare,
			double consumedPerSecond, double capacity, String figures) {
	}

}
