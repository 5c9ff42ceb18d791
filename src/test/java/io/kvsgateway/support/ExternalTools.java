package io.kvsgateway.support;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.util.Arrays;

/**
 * Tests that need a program from outside the JVM (curl, ffmpeg, chromium, redis-server) ask here. On a developer
 * machine a missing tool skips the test with a reason; in CI ({@code CI=true}) it fails, because .ci/run installs it.
 */
public final class ExternalTools {

	private ExternalTools() {
	}

	public static String require(String program) {
		String path = System.getenv().getOrDefault("PATH", "");
		return Arrays.stream(path.split(File.pathSeparator))
			.map(dir -> new File(dir, program))
			.filter(File::canExecute)
			.map(File::getAbsolutePath)
			.findFirst()
			.orElseGet(() -> {
				String reason = program + " is not installed; install it (see .ci/run) to run this test";
				if ("true".equalsIgnoreCase(System.getenv("CI"))) {
					fail(reason);
				}
				assumeTrue(false, reason);
				return program;
			});
	}

}
