package io.kvsgateway.local;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link LocalFragmentStore#sweepExpired()} at a fixed delay on its own thread, so that retention works without
 * the application enabling Spring scheduling.
 */
class RetentionSweeper implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

	private final LocalFragmentStore fragments;

	private final Duration interval;

	private @Nullable ScheduledExecutorService executor;

	RetentionSweeper(LocalFragmentStore fragments, Duration interval) {
		this.fragments = fragments;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
			.name("kvs-retention-sweep")
			.daemon(true)
			.factory());
		executor.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void sweep() {
		try {
			fragments.sweepExpired();
		}
		catch (RuntimeException ex) {
			// Keep sweeping: one unreadable stream must not stop retention for the others.
			log.warn("Retention sweep failed: {}", ex.toString());
		}
	}

	@Override
	public synchronized void stop() {
		if (executor != null) {
			executor.shutdownNow();
			executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return executor != null;
	}

}
