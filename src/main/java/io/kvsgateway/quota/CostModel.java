package io.kvsgateway.quota;

import java.time.Duration;

/**
 * Prices a playback session from how players use KVS, following the developer guide, "Fragment-metadata and
 * fragment-media quotas": GetHLSMediaPlaylist costs {@code MaxMediaPlaylistFragmentResults} metadata points,
 * GetDASHManifest {@code MaxManifestFragmentResults}, GetMP4MediaFragment and GetTSFragment one media point each.
 */
final class CostModel {

	private final double onDemandFetchesPerSecond;

	/**
	 * @param onDemandFetchesPerSecond media fragments an on-demand player requests per second, per session
	 */
	CostModel(double onDemandFetchesPerSecond) {
		if (!(onDemandFetchesPerSecond > 0)) {
			throw new IllegalArgumentException("on-demand fetch rate must be positive, was " + onDemandFetchesPerSecond);
		}
		this.onDemandFetchesPerSecond = onDemandFetchesPerSecond;
	}

	SessionCost cost(SessionProfile profile) {
		int n = profile.maxFragmentResults();
		int tracks = profile.tracks();
		double seconds = profile.fragmentDuration().toNanos() / 1e9;
		boolean hls = profile.protocol() == SessionProfile.Protocol.HLS;
		if (profile.playbackMode() == SessionProfile.PlaybackMode.ON_DEMAND) {
			// Guide, example 2: the player fetches the manifest once (HLS: one media playlist per track), then loads
			// media "at a rate of up to 5 times per second" for an audio+video session: the rate belongs to the
			// session, not to each track, so it is not multiplied by the track count. Loading ends once the N
			// fragments of every track are in; after that the session costs nothing.
			double burst = hls ? (double) n * tracks : n;
			double fragments = (double) n * tracks;
			Duration loading = Duration.ofNanos((long) Math.ceil(fragments / onDemandFetchesPerSecond * 1e9));
			return new SessionCost(0, SessionCost.micro(onDemandFetchesPerSecond), loading,
					SessionCost.micro(burst));
		}
		// LIVE and LIVE_REPLAY (guide, example 1): once per fragment duration an HLS player refreshes one media
		// playlist per track (N points each) and a DASH player the one manifest (N points); both fetch the newest
		// fragment of every track (one media point each). A LIVE_REPLAY player that starts in the past catches up
		// no faster than it plays, so it is priced as live.
		double playlists = hls ? (double) n * tracks : n;
		return new SessionCost(SessionCost.micro(playlists / seconds), SessionCost.micro(tracks / seconds), null, 0);
	}

}
