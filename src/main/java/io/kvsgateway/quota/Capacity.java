package io.kvsgateway.quota;

/**
 * What admission may use of one stream's quotas, after the safety margin, in micro-points (or micro-calls) per
 * second. The store is handed this with every call, so that it holds state but no configuration (a Redis script gets
 * it as arguments).
 *
 * @param metadata fragment-metadata per second
 * @param media fragment-media per second
 * @param sessionUrls session-URL calls per second
 * @param dataEndpoint GetDataEndpoint calls per second
 * @param viewerMetadata the sustained fragment-metadata one viewer may hold
 * @param viewerMedia the sustained fragment-media one viewer may hold
 */
record Capacity(long metadata, long media, long sessionUrls, long dataEndpoint, long viewerMetadata,
		long viewerMedia) {

	static Capacity of(QuotaProperties.Capacities capacities, double safetyMargin, double viewerShare) {
		double usable = 1 - safetyMargin;
		long metadata = floor(capacities.value(Budget.FRAGMENT_METADATA) * usable);
		long media = floor(capacities.value(Budget.FRAGMENT_MEDIA) * usable);
		return new Capacity(metadata, media, floor(capacities.value(Budget.SESSION_URLS) * usable),
				floor(capacities.value(Budget.DATA_ENDPOINT) * usable), (long) Math.floor(metadata * viewerShare),
				(long) Math.floor(media * viewerShare));
	}

	private static long floor(double points) {
		return (long) Math.floor(points * SessionCost.MICRO + 1e-3);
	}

	long of(Budget budget) {
		return switch (budget) {
			case FRAGMENT_METADATA -> metadata;
			case FRAGMENT_MEDIA -> media;
			case SESSION_URLS -> sessionUrls;
			case DATA_ENDPOINT -> dataEndpoint;
			default -> throw new IllegalArgumentException(budget + " has no capacity of its own");
		};
	}

}
