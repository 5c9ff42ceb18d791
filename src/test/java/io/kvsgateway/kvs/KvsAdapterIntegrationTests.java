package io.kvsgateway.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.FakeKvs;
import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;

/**
 * The SDK adapter against a scripted KVS over real HTTP, for the answers the embedded service does not give on
 * demand: throttling, a data endpoint that stops answering, KVS out of reach.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KvsAdapterIntegrationTests {

	/** The session URL's own lookups; the gateway also looks up ListFragments' endpoint to price sessions. */
	private static final String HLS_ENDPOINT_LOOKUPS = "getDataEndpoint/GET_HLS_STREAMING_SESSION_URL";

	static FakeKvs kvs;

	static TestJwks jwks;

	@LocalServerPort
	int port;

	@BeforeAll
	static void start() throws IOException {
		kvs = FakeKvs.start();
		jwks = TestJwks.start();
	}

	@AfterAll
	static void stop() {
		kvs.close();
		jwks.close();
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("gateway.kvs.endpoint", () -> kvs.endpoint());
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> jwks.jwkSetUri());
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	private Reply openSession(String stream) {
		return new Http(port).post("/v1/streams/" + stream + "/playback-sessions",
				jwks.token("viewer", "playback", List.of("*")), null);
	}

	@Test
	void asksForADataEndpointOncePerStreamAndApi() {
		int before = kvs.calls(HLS_ENDPOINT_LOOKUPS);

		assertThat(openSession("cached").status()).isEqualTo(201);
		assertThat(openSession("cached").status()).isEqualTo(201);
		assertThat(openSession("cached").status()).isEqualTo(201);

		assertThat(kvs.calls(HLS_ENDPOINT_LOOKUPS) - before).isEqualTo(1);
	}

	@Test
	void looksTheEndpointUpAgainWhenTheCachedOneStopsAnswering() {
		int before = kvs.calls(HLS_ENDPOINT_LOOKUPS);
		kvs.answerDataEndpoints("http://127.0.0.1:1");

		Reply reply = openSession("moved");

		assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
		assertThat(kvs.calls(HLS_ENDPOINT_LOOKUPS) - before).isEqualTo(2);
	}

	@Test
	void answersTooManyRequestsWithRetryAfterWhenKvsThrottles() {
		kvs.failHlsWith("ClientLimitExceededException");
		try {
			Reply reply = openSession("busy");

			assertThat(reply.status()).isEqualTo(429);
			assertThat(reply.header("Retry-After")).isEqualTo("1");
			assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:kvs-throttled");
		}
		finally {
			kvs.failHlsWith("");
		}
	}

	@Test
	void answersServiceUnavailableWithoutAStackTraceWhenKvsCannotBeReached() {
		kvs.answerDataEndpoints("http://127.0.0.1:1", "http://127.0.0.1:1");

		Reply reply = openSession("unreachable");

		assertThat(reply.status()).isEqualTo(503);
		assertThat(reply.header("Retry-After")).isEqualTo("5");
		assertThat(reply.json()).containsEntry("type", "urn:kvs-gateway:problem:kvs-unavailable");
		assertThat(reply.body()).doesNotContain("at software.amazon", "Exception:");
	}

}
