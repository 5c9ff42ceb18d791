package io.kvsgateway.bench;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same simulation and pass criteria against an embedded KVS that counts every quota over a sliding second, the
 * strictest reading of the developer guide's "N per second" (no one-second window ever holds more than N). The
 * scheduler meets it because it counts the way such a KVS does:
 * <ul>
 * <li>an ended reservation (released, expired, or an on-demand session's loading over) is charged for one more
 * second, while KVS still counts that session's last second of requests;</li>
 * <li>no second holds more session-URL or GetDataEndpoint calls than the capacity (a log of the last second's
 * calls, not a token bucket that lets up to twice that through within one second after a quiet one).</li>
 * </ul>
 * Live players fetch at exactly the reserved rate, so jitter can still put two fetches of one session in a window; the
 * 5% margin (2 points of 40) absorbed it in every run recorded in docs/benchmarks.md (a producer stall that makes
 * every live player catch up at once, seen at 100 points/s on a saturated machine, it does not).
 */
class QuotaSimulationSlidingWindowIntegrationTests extends QuotaSimulationIntegrationTests {

	@DynamicPropertySource
	static void slidingWindow(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.quotas.window", () -> "sliding");
	}

}
