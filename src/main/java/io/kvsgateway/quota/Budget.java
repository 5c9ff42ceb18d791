package io.kvsgateway.quota;

/** The per-stream budgets admission keeps, and so the reasons it can refuse. */
public enum Budget {

	/** Fragment-metadata points per second (GetHLSMediaPlaylist, GetDASHManifest, ListFragments, GetClip). */
	FRAGMENT_METADATA,

	/** Fragment-media points per second (GetMP4MediaFragment, GetTSFragment, GetClip). */
	FRAGMENT_MEDIA,

	/** GetHLSStreamingSessionURL and GetDASHStreamingSessionURL calls per second. */
	SESSION_URLS,

	/** GetDataEndpoint calls per second. */
	DATA_ENDPOINT,

	/** The viewer already holds its configured share of the stream's fragment-metadata or fragment-media budget. */
	VIEWER_SHARE,

	/** The store tracks as many busy streams as it may hold in memory. */
	TRACKED_STREAMS,

	/**
	 * The shared store (Redis) cannot be reached and {@code gateway.quota.redis-unavailable=reject}: the gateway cannot
	 * tell whether the stream has room, so it refuses. Not the viewer's doing: answer 503 with {@code Retry-After},
	 * not 429.
	 */
	QUOTA_STORE

}
