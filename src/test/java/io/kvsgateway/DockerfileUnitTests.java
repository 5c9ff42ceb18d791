package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The container image's essentials, checked on the Dockerfile itself: no Docker engine runs in the build, so the image
 * cannot be built here. The health check's command is run for real, with bash, against a local HTTP server.
 */
class DockerfileUnitTests {

	private static final Path DOCKERFILE = Path.of("Dockerfile");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<Stage> stages = parse(DOCKERFILE);

	private final Stage build = stages.getFirst();

	private final Stage runtime = stages.getLast();

	@Test
	void buildsWithTheWrapperOnAJdkAndRunsOnAJre() {
		assertThat(stages).hasSize(2);
		assertThat(build.image()).matches("eclipse-temurin:25-jdk");
		assertThat(build.all("RUN")).anyMatch((run) -> run.contains("./mvnw") && run.contains("package"));
		assertThat(runtime.image()).as("the final stage runs on a JRE, not the JDK that built it")
			.matches("eclipse-temurin:25-jre");
	}

	@Test
	void extractsTheJarIntoLayersAndCopiesThemLeastChangingFirst() {
		assertThat(build.all("RUN")).anyMatch((run) -> run.matches(
				"(?s).*java -Djarmode=tools -jar \\S+\\.jar extract --layers --launcher --destination extracted.*"));
		List<String> copied = runtime.all("COPY")
			.stream()
			.filter((copy) -> copy.startsWith("--from=build "))
			.map((copy) -> copy.split("\\s+")[1])
			.toList();
		assertThat(copied).containsExactly("/src/extracted/dependencies/", "/src/extracted/spring-boot-loader/",
				"/src/extracted/snapshot-dependencies/", "/src/extracted/application/");
	}

	@Test
	void runsAsANumericNonRootUser() {
		String user = runtime.last("USER");
		assertThat(user).as("USER must be uid[:gid] in numbers, so that runAsNonRoot can check it").matches("\\d+(:\\d+)?");
		for (String id : user.split(":")) {
			assertThat(Integer.parseInt(id)).isNotZero();
		}
		assertThat(user).startsWith("10001");
	}

	@Test
	void startsJavaInExecFormWithContainerAwareMemoryFlags() {
		List<String> entrypoint = execForm(runtime.last("ENTRYPOINT"));
		assertThat(entrypoint.getFirst()).isEqualTo("java");
		assertThat(entrypoint).contains("-XX:+ExitOnOutOfMemoryError")
			.anyMatch((argument) -> argument.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
			.endsWith("org.springframework.boot.loader.launch.JarLauncher");
		assertThat(runtime.all("CMD")).isEmpty();
	}

	@Test
	void keepsTheEmbeddedStoreOnAVolume() {
		assertThat(runtime.all("ENV")).anyMatch((env) -> env.matches("(?s).*\\bGATEWAY_LOCAL_DATA_DIR=/app/data\\b.*"));
		assertThat(runtime.all("VOLUME")).containsExactly("/app/data");
		assertThat(runtime.all("RUN")).anyMatch((run) -> run.contains("chown 10001:10001 /app/data"));
		assertThat(runtime.all("EXPOSE")).containsExactly("8080");
	}

	@Test
	void healthCheckAsksTheLivenessGroupAndFailsWhenItIsNotUp() throws Exception {
		String healthcheck = runtime.last("HEALTHCHECK");
		assertThat(healthcheck).contains("/actuator/health/liveness");
		List<String> command = execForm(healthcheck.substring(healthcheck.indexOf("CMD ") + 4));
		assertThat(command.subList(0, 2)).containsExactly("bash", "-c");

		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		int[] status = { 200 };
		List<String> paths = new ArrayList<>();
		server.createContext("/", (exchange) -> {
			paths.add(exchange.getRequestURI().getPath());
			exchange.sendResponseHeaders(status[0], -1);
			exchange.close();
		});
		server.start();
		try {
			int port = server.getAddress().getPort();
			assertThat(run(command, "SERVER_PORT", port)).as("UP").isZero();
			assertThat(paths).containsExactly("/actuator/health/liveness");
			assertThat(run(command, "MANAGEMENT_SERVER_PORT", port)).as("on a separate management port").isZero();
			status[0] = 503;
			assertThat(run(command, "SERVER_PORT", port)).as("DOWN").isNotZero();
		}
		finally {
			server.stop(0);
		}
		try (var free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			int closed = free.getLocalPort();
			free.close();
			assertThat(run(command, "SERVER_PORT", closed)).as("nothing listening").isNotZero();
		}
	}

	@Test
	void sendsOnlyWhatTheBuildNeedsToTheDaemon() throws IOException {
		List<String> rules = Files.readAllLines(Path.of(".dockerignore"))
			.stream()
			.map(String::strip)
			.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
			.toList();
		assertThat(rules.getFirst()).as("everything is left out unless let in").isEqualTo("*");
		assertThat(rules).contains("!.mvn/", "!mvnw", "!pom.xml", "!src/").noneMatch((rule) -> rule.contains("target"));
		for (String copy : build.all("COPY")) {
			List<String> words = List.of(copy.split("\\s+"));
			for (String source : words.subList(0, words.size() - 1)) {
				String rule = "!" + source.replaceAll("/$", "") + (Files.isDirectory(Path.of(source)) ? "/" : "");
				assertThat(rules).as(source + " reaches the build stage").contains(rule);
			}
		}
	}

	private static int run(List<String> command, String portVariable, int port) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		builder.environment().remove("SERVER_PORT");
		builder.environment().remove("MANAGEMENT_SERVER_PORT");
		builder.environment().put(portVariable, Integer.toString(port));
		Process process = builder.start();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the health check ends by itself").isTrue();
		return process.exitValue();
	}

	private static List<String> execForm(String instruction) {
		assertThat(instruction).as("exec form (a JSON array), so that no shell stands between Docker and the process")
			.startsWith("[");
		return List.of(JSON.readValue(instruction, String[].class));
	}

	/** The Dockerfile's stages, each with its instructions; continuation lines joined, comments dropped. */
	private static List<Stage> parse(Path dockerfile) {
		String text;
		try {
			text = Files.readString(dockerfile);
		}
		catch (IOException ex) {
			throw new IllegalStateException("tests run from the repository root, where the Dockerfile is", ex);
		}
		List<Stage> stages = new ArrayList<>();
		StringBuilder logical = new StringBuilder();
		for (String line : text.split("\n")) {
			if (line.strip().startsWith("#")) {
				continue;
			}
			if (line.endsWith("\\")) {
				logical.append(line, 0, line.length() - 1).append('\n');
				continue;
			}
			logical.append(line);
			String instruction = logical.toString().strip();
			logical.setLength(0);
			if (instruction.isEmpty()) {
				continue;
			}
			Matcher matcher = Pattern.compile("(?s)(\\w+)\\s+(.*)").matcher(instruction);
			assertThat(matcher.matches()).as(instruction).isTrue();
			String keyword = matcher.group(1).toUpperCase(Locale.ROOT);
			String arguments = matcher.group(2).strip();
			if (keyword.equals("FROM")) {
				stages.add(new Stage(arguments.split("\\s+")[0], new ArrayList<>()));
			}
			else {
				assertThat(stages).as(keyword + " before the first FROM").isNotEmpty();
				stages.getLast().instructions().add(new String[] { keyword, arguments });
			}
		}
		return stages;
	}

	private record Stage(String image, List<String[]> instructions) {

		List<String> all(String keyword) {
			return instructions.stream().filter((i) -> i[0].equals(keyword)).map((i) -> i[1]).toList();
		}

		String last(String keyword) {
			List<String> all = all(keyword);
			assertThat(all).as(keyword + " in the stage from " + image).isNotEmpty();
			return all.getLast();
		}

	}

}
