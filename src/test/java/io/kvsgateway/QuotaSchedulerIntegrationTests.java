package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalFragmentStore;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * The quota scheduler in front of the viewer API, over real HTTP against the embedded KVS. Streams named {@code q-*}
 * get small budgets: 5 fragment-media and 1,000 fragment-metadata points per second, no safety margin, and one viewer
 * may take all of it. The test streams are not ingested through the gateway, so a session is priced from
 * ListFragments (1-second fragments) and the assumed two tracks: an HLS LIVE session then reserves 2 fragment-media
 * points and 5 × 2 = 10 fragment-metadata points per second (developer guide, example 1), so two sessions fit and a
 * third does not.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QuotaSchedulerIntegrationTests {

	static TestJwks jwks;

	@LocalServerPort
	int port;

	@Autowired
	LocalFragmentStore fragments;

	@Autowired
	MeterRegistry meters;

	Http http;

	String viewer;

	String operator;

	@BeforeAll
	static void startJwks() {
		jwks = TestJwks.start();
	}

	@AfterAll
	static void stopJwks() {
		jwks.close();
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> jwks.jwkSetUri());
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("gateway.quota.safety-margin", () -> "0");
		registry.add("gateway.quota.max-viewer-share", () -> "1");
		registry.add("gateway.quota.streams[q-*].fragment-media", () -> "5");
		registry.add("gateway.quota.streams[q-*].fragment-metadata", () -> "1000");
		registry.add("gateway.quota.streams[q-lookup-*].data-endpoint", () -> "1");
		registry.add("gateway.ops.metrics-refresh", () -> "100ms");
	}

	@BeforeEach
	void tokens() {
		http = new Http(port);
		viewer = jwks.token("quota-viewer", "playback", List.of("*"));
		operator = jwks.token("quota-operator", "ops", List.of("*"));
	}

	@Test
	void admitsUntilTheMediaBudgetIsFullAnswers429ThenAdmitsAgainOnceASessionEnds() {
		String stream = liveStream("q-full");
		Reply first = open(stream);
		Reply second = open(stream);
		assertThat(first.status()).as(first.toString()).isEqualTo(201);
		assertThat(second.status()).as(second.toString()).isEqualTo(201);

		Reply third = open(stream);

		assertThat(third.status()).as(third.toString()).isEqualTo(429);
		assertThat(third.header("Content-Type")).startsWith("application/problem+json");
		Map<String, Object> problem = third.json();
		assertThat(problem).containsEntry("type", "urn:kvs-gateway:problem:quota-exhausted")
			.containsEntry("status", 429)
			.containsEntry("budget", "FRAGMENT_MEDIA")
			.containsEntry("streamName", stream);
		long retryAfter = Long.parseLong(third.header("Retry-After"));
		// The media budget frees a second after a lease ends, at the latest when a 300-second session expires.
		assertThat(retryAfter).isBetween(1L, 301L);
		assertThat(((Number) problem.get("retryAfterSeconds")).longValue()).isEqualTo(retryAfter);

		Reply ended = http.delete((String) first.header("Location"), viewer);
		assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
		// KVS may still count the ended session's requests of the last second: its budget drains for a second.
		pause(Duration.ofMillis(1100));
		Reply again = open(stream);
		assertThat(again.status()).as("after DELETE freed a session: " + again).isEqualTo(201);
	}

	@Test
	void refusesASessionTheStreamCouldNeverAffordNamingWhatWouldFit() {
		String stream = liveStream("q-dear");

		// 600 points per playlist × 2 playlists per 1-second refresh = 1,200 points per second, the stream has 1,000.
		Reply reply = http.post(sessions(stream), viewer, "{\"maxFragmentResults\":600}");

		assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
		Map<String, Object> problem = reply.json();
		assertThat(problem).containsEntry("type", "urn:kvs-gateway:problem:invalid-request");
		@SuppressWarnings("unchecked")
		List<Map<String, String>> errors = (List<Map<String, String>>) problem.get("errors");
		assertThat(errors).singleElement().satisfies(error -> {
			assertThat(error).containsEntry("field", "maxFragmentResults");
			assertThat(error.get("rule")).startsWith("must be at most 500 on this stream");
		});
		assertThat(quota(stream).get("activeLeases")).isEqualTo(0);
	}

	@Test
	void chargesTimelinePagesToTheMetadataBudgetAndAnswers429WhenItIsSpent() {
		String stream = liveStream("q-timeline");
		String page = "/v1/streams/" + stream + "/fragments?start=" + Instant.now().minusSeconds(3600) + "&end="
				+ Instant.now() + "&maxResults=1000";

		// ListFragments costs its MaxResults: one 1,000-point page spends this stream's whole second.
		Reply first = http.get(page, viewer);
		Reply second = http.get(page, viewer);

		assertThat(first.status()).as(first.toString()).isEqualTo(200);
		assertThat(second.status()).as(second.toString()).isEqualTo(429);
		assertThat(second.json()).containsEntry("type", "urn:kvs-gateway:problem:quota-exhausted")
			.containsEntry("budget", "FRAGMENT_METADATA")
			.containsEntry("streamName", stream);
		assertThat(Long.parseLong(second.header("Retry-After"))).isEqualTo(1);
	}

	@Test
	void chargesAClipItsEstimatedFragmentsBeforeKvsIsAsked() {
		String stream = liveStream("q-clip");
		String clip = "/v1/streams/" + stream + "/clip?start=" + Instant.now().minusSeconds(3600) + "&end="
				+ Instant.now().minusMillis(1);

		// An hour of 1-second fragments is more than a clip may hold: charged as KVS's maximum, 200 fragments, in
		// both budgets. An empty bucket lends it all at once; the 5-point media budget then owes 40 seconds.
		Reply first = http.get(clip, viewer);
		Reply second = http.get(clip, viewer);

		assertThat(first.status()).as(first.toString()).isNotEqualTo(429);
		assertThat(second.status()).as(second.toString()).isEqualTo(429);
		assertThat(second.json()).containsEntry("type", "urn:kvs-gateway:problem:quota-exhausted")
			.containsEntry("budget", "FRAGMENT_MEDIA");
		assertThat(Long.parseLong(second.header("Retry-After"))).isBetween(35L, 40L);
	}

	@Test
	void chargesDataEndpointLookupsAndAnswersAsKvsThrottlingWhenTheyAreSpent() {
		// One GetDataEndpoint per second for q-lookup-*: pricing the session looks up ListFragments' endpoint, so
		// the session URL's own lookup in the same second is refused before KVS sees it.
		String stream = liveStream("q-lookup");

		Reply reply = open(stream);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(429);
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:kvs-throttled");
		assertThat(reply.header("Retry-After")).isEqualTo("1");
		pause(Duration.ofMillis(1100)); // a released lease drains for a second
		Map<String, Object> quota = quota(stream);
		assertThat(quota.get("activeLeases")).as("the refused session's lease").isEqualTo(0);
		assertThat(quota.get("rejections")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("DATA_ENDPOINT", 1);
	}

	@Test
	void releasesTheLeaseWhenKvsRefusesTheSession() {
		// A stream with no fragment: KVS refuses LIVE, after admission granted the session.
		String stream = createStream("q-idle");

		// Each attempt is priced at 2 fragment-media points per second of a 5-point budget: had the refused
		// sessions kept their leases, the third attempt would be a 429 instead of KVS's answer. A released lease
		// drains for a second, so the attempts are that far apart.
		for (int i = 0; i < 4; i++) {
			if (i > 0) {
				pause(Duration.ofMillis(1100));
			}
			Reply reply = open(stream);
			assertThat(reply.status()).as("attempt " + i + ": " + reply).isEqualTo(404);
			assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:stream-idle");
		}
		pause(Duration.ofMillis(1100));
		Map<String, Object> quota = quota(stream);
		assertThat(quota.get("activeLeases")).isEqualTo(0);
		assertThat(budget(quota, "FRAGMENT_MEDIA").get("reserved")).isEqualTo(0.0);
	}

	@Test
	void showsOperatorsEachStreamsBudgetsAndRejectionsAndRefusesViewers() {
		String stream = liveStream("q-ops");
		assertThat(open(stream).status()).isEqualTo(201);

		Reply all = http.get("/actuator/quotas", operator);
		assertThat(all.status()).as(all.toString()).isEqualTo(200);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> streams = (List<Map<String, Object>>) all.json().get("streams");
		assertThat(streams).anySatisfy(s -> assertThat(s).containsEntry("streamName", stream));

		Map<String, Object> one = quota(stream);
		assertThat(one).containsEntry("streamName", stream).containsEntry("activeLeases", 1);
		assertThat(budget(one, "FRAGMENT_MEDIA")).containsEntry("capacity", 5.0).containsEntry("reserved", 2.0);
		assertThat(budget(one, "FRAGMENT_METADATA")).containsEntry("capacity", 1000.0)
			.containsEntry("reserved", 10.0);
		assertThat(budget(one, "SESSION_URLS")).containsEntry("capacity", 25.0);

		assertThat(http.get("/actuator/quotas", viewer).status()).isEqualTo(403);
		assertThat(http.get("/actuator/quotas/" + stream, viewer).status()).isEqualTo(403);
		assertThat(http.get("/actuator/quotas", null).status()).isEqualTo(401);
		assertThat(http.get("/actuator/quotas/q-never-seen", operator).status()).isEqualTo(404);

		double rejectionsBefore = rejections("FRAGMENT_MEDIA");
		assertThat(open(stream).status()).isEqualTo(201);
		assertThat(open(stream).status()).isEqualTo(429);
		assertThat(quota(stream).get("rejections")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("FRAGMENT_MEDIA", 1);

		eventually(() -> gauge("kvs.gateway.quota.reserved", stream, "FRAGMENT_MEDIA"), 4.0);
		eventually(() -> gauge("kvs.gateway.quota.capacity", stream, "FRAGMENT_MEDIA"), 5.0);
		eventually(() -> rejections("FRAGMENT_MEDIA") - rejectionsBefore, 1.0);
	}

	private Reply open(String stream) {
		return http.post(sessions(stream), viewer, "{\"protocol\":\"HLS\",\"playbackMode\":\"LIVE\"}");
	}

	private static String sessions(String stream) {
		return "/v1/streams/" + stream + "/playback-sessions";
	}

	private Map<String, Object> quota(String stream) {
		Reply reply = http.get("/actuator/quotas/" + stream, operator);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> budget(Map<String, Object> quota, String budget) {
		return ((Map<String, Map<String, Object>>) quota.get("budgets")).get(budget);
	}

	private double gauge(String name, String stream, String budget) {
		Gauge gauge = meters.find(name).tag("stream", stream).tag("budget", budget).gauge();
		return gauge == null ? Double.NaN : gauge.value();
	}

	private double rejections(String budget) {
		Counter counter = meters.find("kvs.gateway.quota.rejections").tag("budget", budget).counter();
		return counter == null ? 0 : counter.count();
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private static void eventually(Supplier<Double> actual, double expected) {
		Instant deadline = Instant.now().plusSeconds(5);
		while (actual.get() != expected && Instant.now().isBefore(deadline)) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		assertThat(actual.get()).isEqualTo(expected);
	}

	/** A new stream with three 1-second fragments that arrived just now, so LIVE has something to play. */
	private String liveStream(String prefix) {
		String stream = createStream(prefix);
		Instant producer = Instant.now().minusSeconds(3);
		for (int i = 0; i < 3; i++) {
			fragments.append(stream, producer.plusSeconds(i), Duration.ofSeconds(1));
		}
		return stream;
	}

	private String createStream(String prefix) {
		String stream = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
		try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
			kvs.createStream(r -> r.streamName(stream).dataRetentionInHours(24).mediaType("video/h264"));
		}
		return stream;
	}

}
