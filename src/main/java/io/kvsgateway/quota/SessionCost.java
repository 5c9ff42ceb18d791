package io.kvsgateway.quota;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What one session costs a stream. Points are counted in millionths ("micro-points") so that sums of sessions stay
 * exact integers and fractional rates (a 3-second fragment refreshed once per duration) round up, never down.
 *
 * @param metadataPerSecond sustained fragment-metadata micro-points per second, held until the session expires
 * @param mediaPerSecond sustained fragment-media micro-points per second
 * @param mediaFor how long the media rate is held; {@literal null} until the session expires
 * @param metadataBurst one-time fragment-metadata micro-points at the start (on-demand playlists or manifest)
 */
record SessionCost(long metadataPerSecond, long mediaPerSecond, @Nullable Duration mediaFor, long metadataBurst) {

	/** Micro-points per point. */
	static final long MICRO = 1_000_000L;

	static long micro(double points) {
		// Round up, but forgive binary noise such as 5.000000000001 so that exact figures stay exact.
		return (long) Math.ceil(points * MICRO - 1e-3);
	}

	static double points(long micro) {
		return micro / (double) MICRO;
	}

}
