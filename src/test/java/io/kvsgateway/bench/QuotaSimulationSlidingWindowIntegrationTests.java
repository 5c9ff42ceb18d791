package io.kvsgateway.bench;

import org.junit.jupiter.api.Disabled;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same simulation and pass criteria against an embedded KVS that counts every quota over a sliding second, the
 * strictest reading of the developer guide's "N per second" (no one-second window ever holds more than N). The
 * scheduler does not meet it reliably: requests of admitted sessions (7 to 85 of some 1,850) were throttled in four of
 * six runs here, and in the bench at 100 points per second, for three measured reasons (the figures the test
 * prints show them):
 * <ol>
 * <li>A lease's budget is free again the moment its session ends (an on-demand session's loading time is up, or the
 * viewer ends it), while KVS still counts that session's requests of the last second: sessions admitted into it
 * right away overdraw the window. Refusals cluster just after on-demand sessions end.</li>
 * <li>Live players fetch at exactly the reserved rate, so any jitter (request latency, the server's pause at each
 * fragment's fsync) puts two fetches of some sessions into one window; the 5% safety margin (2 points of 40 here, 5
 * of 100 in {@code bench/quota-simulation.sh 100}) does not absorb it.</li>
 * <li>The session-URL budget is a token bucket of a second's worth refilling at 23.75/s, which lets up to about 47
 * calls through within one second after a quiet one; KVS's 25 per second then refuses some
 * ({@code kvs-throttled} rejections in the bench at 100 points/s).</li>
 * </ol>
 * Run it with {@code -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition}.
 */
@Disabled("the quota scheduler lets a sliding-window KVS throttle admitted sessions; see the Javadoc")
class QuotaSimulationSlidingWindowIntegrationTests extends QuotaSimulationIntegrationTests {

	@DynamicPropertySource
	static void slidingWindow(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.quotas.window", () -> "sliding");
	}

}
