package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.support.Http;
import io.kvsgateway.support.Http.Reply;

/**
 * A replica whose embedded-store volume has less free space than the threshold (here an absurd 1000 TB) is not
 * ready, and so leaves the load balancer, while it stays alive: restarting it would not free the disk.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReadinessDiskSpaceIntegrationTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir",
				() -> Path.of("target", "test-data", UUID.randomUUID().toString()).toString());
		registry.add("management.health.diskspace.threshold", () -> "1000TB");
	}

	@Test
	void readinessIsDownAndLivenessUpWhenTheDataDirectoryIsShortOfSpace() {
		Http http = new Http(port);

		Reply ready = http.get("/readyz", null);
		Reply live = http.get("/livez", null);

		assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
		assertThat((Map<String, Object>) ready.json()).containsEntry("status", "DOWN");
		assertThat(live.status()).as(live.toString()).isEqualTo(200);
	}

}
