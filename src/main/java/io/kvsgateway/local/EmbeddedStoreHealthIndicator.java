package io.kvsgateway.local;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code embeddedStore} health, part of readiness in embedded mode: the embedded KVS can take a fragment only
 * while its streams directory exists and is writable (a read-only remount or a deleted volume shows up here, not as
 * PutMedia errors). Free space is the separate {@code diskSpace} indicator, pointed at the same data directory.
 */
class EmbeddedStoreHealthIndicator implements HealthIndicator {

	private final Path streamsDir;

	EmbeddedStoreHealthIndicator(Path streamsDir) {
		this.streamsDir = streamsDir;
	}

	@Override
	public Health health() {
		Path dir = streamsDir.toAbsolutePath();
		Health.Builder health = Files.isDirectory(dir) && Files.isWritable(dir) ? Health.up()
				: Health.down().withDetail("error", "the streams directory is missing or not writable");
		return health.withDetail("path", dir.toString()).build();
	}

}
