package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.TestJwks;
import io.kvsgateway.support.Http;

/**
 * A gateway with a token issuer, as in production: the viewer page's files are public and nothing else is; there are
 * no development tokens, so there is no endpoint handing one out either.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ViewerAccessWithIssuerIntegrationTests {

	static final TestJwks JWKS = TestJwks.start();

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", JWKS::jwkSetUri);
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@AfterAll
	static void stop() {
		JWKS.close();
	}

	@Test
	void theDevelopmentTokenDoesNotExist() {
		Http http = new Http(port);
		String viewer = JWKS.token("viewer-1", "playback", List.of("*"));

		assertThat(context.getBeansOfType(DevelopmentTokenController.class)).isEmpty();
		assertThat(context.getBeansOfType(DevelopmentTokens.class)).isEmpty();
		// even from this machine: an anonymous caller is asked for a token, as on any other /v1 path
		assertThat(http.get(DevelopmentTokenController.PATH, null).status()).isEqualTo(401);
		Http.Reply withToken = http.get(DevelopmentTokenController.PATH, viewer);
		assertThat(withToken.status()).as(withToken.toString()).isEqualTo(404);
		assertThat(withToken.body()).doesNotContain("\"token\"");
	}

	@Test
	void thePageAndItsFilesArePublicAndNothingElseIs() {
		Http http = new Http(port);

		Http.Reply page = http.get("/", null);
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.header("Content-Type")).startsWith("text/html");
		assertThat(page.body()).contains("<script type=\"module\" src=\"viewer/viewer.js\">");
		for (String file : List.of("/index.html", "/viewer/viewer.js", "/viewer/player.js", "/viewer/api.js",
				"/viewer/timeline.js", "/viewer/viewer.css")) {
			assertThat(http.get(file, null).status()).as(file).isEqualTo(200);
		}
		Http.Reply player = http.get("/webjars/hls.js/1.4.12/dist/hls.min.js", null);
		assertThat(player.status()).isEqualTo(200);
		assertThat(player.header("Content-Type")).contains("javascript");
		assertThat(player.body()).contains("Hls");

		for (String path : List.of("/v1/streams", "/actuator/metrics", "/anything-else.html")) {
			assertThat(http.get(path, null).status()).as(path).isEqualTo(401);
		}
		// a way round through the public folder is refused before any rule is read (Spring Security's firewall)
		assertThat(http.get("/viewer/../v1/streams", null).status()).isEqualTo(400);
		assertThat(http.post("/", null, "{}").status()).isEqualTo(401);
	}

}
