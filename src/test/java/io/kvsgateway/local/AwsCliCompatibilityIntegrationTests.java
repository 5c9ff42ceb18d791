package io.kvsgateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.ExternalTools;

/**
 * The embedded KVS judged by a client nobody here wrote: the AWS CLI (Python, botocore) signs with its own SigV4
 * code and maps errors with its own service model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AwsCliCompatibilityIntegrationTests {

	@LocalServerPort
	int port;

	String aws;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
	}

	@BeforeEach
	void cli() {
		aws = ExternalTools.require("aws");
	}

	@Test
	void createsDescribesAndListsStreamsWithTheAwsCli() throws Exception {
		Cli created = run("kinesisvideo", "create-stream", "--stream-name", "cli-cam", "--data-retention-in-hours", "2");
		Cli described = run("kinesisvideo", "describe-stream", "--stream-name", "cli-cam");
		Cli listed = run("kinesisvideo", "list-streams");

		assertThat(created.exit()).as(created.output()).isZero();
		assertThat(created.output()).contains("arn:aws:kinesisvideo:us-east-1:000000000000:stream/cli-cam/");
		assertThat(described.output()).contains("\"Status\": \"ACTIVE\"", "\"DataRetentionInHours\": 2");
		assertThat(listed.output()).contains("\"StreamName\": \"cli-cam\"");
	}

	@Test
	void issuesAnHlsUrlAndNamesErrorsTheWayBotocoreExpects() throws Exception {
		run("kinesisvideo", "create-stream", "--stream-name", "cli-replay", "--data-retention-in-hours", "2");

		Cli replay = run("kinesis-video-archived-media", "get-hls-streaming-session-url", "--stream-name",
				"cli-replay", "--playback-mode", "LIVE_REPLAY", "--hls-fragment-selector",
				"FragmentSelectorType=SERVER_TIMESTAMP,TimestampRange={StartTimestamp=2026-01-01T00:00:00Z}");
		Cli live = run("kinesis-video-archived-media", "get-hls-streaming-session-url", "--stream-name",
				"cli-replay", "--playback-mode", "LIVE");
		Cli unknown = run("kinesisvideo", "describe-stream", "--stream-name", "no-such-cam");

		assertThat(replay.output()).as(replay.output())
			.contains("/kvs/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=");
		assertThat(live.output()).contains("(ResourceNotFoundException)", "GetHLSStreamingSessionURL");
		assertThat(unknown.output()).contains("(ResourceNotFoundException)");
	}

	@Test
	void refusesTheAwsCliWithAWrongSecret() throws Exception {
		Cli refused = run(Map.of("AWS_SECRET_ACCESS_KEY", "not-the-secret"), "kinesisvideo", "list-streams");

		assertThat(refused.exit()).isNotZero();
		assertThat(refused.output()).contains("(InvalidSignatureException)");
	}

	private Cli run(String... args) throws IOException, InterruptedException {
		return run(Map.of(), args);
	}

	private Cli run(Map<String, String> env, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(aws, "--region", "us-east-1", "--endpoint-url",
				"http://localhost:" + port + "/kvs", "--output", "json"));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("AWS_ACCESS_KEY_ID", "AKIDKVSGATEWAYLOCAL");
		builder.environment().put("AWS_SECRET_ACCESS_KEY", "kvs-gateway-local-development-secret");
		builder.environment().remove("AWS_PROFILE");
		builder.environment().put("AWS_CONFIG_FILE", "/dev/null");
		builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
		builder.environment().putAll(env);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return new Cli(process.exitValue(), output);
	}

	private record Cli(int exit, String output) {
	}

}
