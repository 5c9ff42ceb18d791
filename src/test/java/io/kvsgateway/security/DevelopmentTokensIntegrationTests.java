package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.ExternalTools;
import io.kvsgateway.support.Http;

/** Embedded mode with no issuer: the gateway prints tokens that work, and a curl command that works when pasted. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class DevelopmentTokensIntegrationTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@Test
	void printsAViewerTokenThatListsStreams(CapturedOutput output) {
		String viewer = tokenAfter(output.getOut(), "viewer (scope playback, streams *):");
		String operator = tokenAfter(output.getOut(), "operator (scope ops):");
		Http http = new Http(port);

		assertThat(http.get("/v1/streams", viewer).status()).isEqualTo(200);
		assertThat(http.get("/v1/streams", operator).status()).isEqualTo(403);
	}

	@Test
	void printsACurlCommandThatWorksWhenPasted(CapturedOutput output) throws Exception {
		String bash = ExternalTools.require("bash");
		ExternalTools.require("curl");
		Matcher line = Pattern.compile("^curl .*$", Pattern.MULTILINE).matcher(output.getOut());
		assertThat(line.find()).as("a curl line in the start-up output").isTrue();

		Process curl = new ProcessBuilder(bash, "-c", line.group() + " --silent --show-error --fail-with-body")
			.redirectErrorStream(true)
			.start();
		String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

		assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(curl.exitValue()).as(answer).isZero();
		assertThat(answer).startsWith("{\"streams\":[");
	}

	private static String tokenAfter(String output, String label) {
		int at = output.indexOf(label);
		assertThat(at).as("'" + label + "' in the start-up output").isNotNegative();
		return output.substring(at + label.length()).strip().lines().findFirst().orElseThrow().strip();
	}

}
