package io.kvsgateway.kvs;

/** Asks KVS for a streaming-session URL; every call yields a new URL for one player. */
public interface PlaybackUrlIssuer {

	/**
	 * Returns a fresh HLS master playlist or DASH manifest URL for the request.
	 *
	 * @param request must not be {@literal null}
	 * @return the session URL, never {@literal null}
	 * @throws KvsException when KVS refuses or cannot be reached
	 */
	String issue(PlaybackUrlRequest request);

}
