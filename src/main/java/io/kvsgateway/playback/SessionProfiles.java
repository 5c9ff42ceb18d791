package io.kvsgateway.playback;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.Decision;
import io.kvsgateway.quota.SessionProfile;

/**
 * Turns a checked playback request and its stream's shape into what admission prices, and an unaffordable session into
 * the rule the viewer broke.
 */
final class SessionProfiles {

	private SessionProfiles() {
	}

	/**
	 * @param request the request with KVS defaults filled in ({@code maxFragmentResults} 5 for LIVE and LIVE_REPLAY,
	 * 1,000 for ON_DEMAND)
	 * @param shape the stream's track count and fragment duration
	 */
	static SessionProfile of(PlaybackUrlRequest request, StreamShapes.Shape shape) {
		SessionProfile.Protocol protocol = switch (request.protocol()) {
			case HLS -> SessionProfile.Protocol.HLS;
			case DASH -> SessionProfile.Protocol.DASH;
		};
		SessionProfile.PlaybackMode mode = switch (request.playbackMode()) {
			case LIVE -> SessionProfile.PlaybackMode.LIVE;
			case LIVE_REPLAY -> SessionProfile.PlaybackMode.LIVE_REPLAY;
			case ON_DEMAND -> SessionProfile.PlaybackMode.ON_DEMAND;
		};
		return new SessionProfile(protocol, mode, request.maxFragmentResults(), shape.tracks(),
				shape.fragmentDuration());
	}

	/**
	 * Says what would fit. A live session's fragment-metadata cost grows with {@code maxFragmentResults} (each
	 * playlist or manifest refresh costs that many points, developer guide example 1), so a smaller value can fit;
	 * its fragment-media cost, and an on-demand session's loading rate, do not depend on it.
	 */
	static InvalidPlaybackRequest.Violation unaffordable(SessionProfile profile, Decision.Unaffordable unaffordable) {
		String field = "maxFragmentResults";
		String available = number(unaffordable.availablePerSecond());
		String required = number(unaffordable.requiredPerSecond());
		String scope = unaffordable.budget() == Budget.VIEWER_SHARE ? "one viewer's share of the stream's"
				: "the stream's";
		if (profile.playbackMode() != SessionProfile.PlaybackMode.ON_DEMAND && metadataBound(profile, unaffordable)) {
			double perResult = playlistsPerRefresh(profile) / seconds(profile.fragmentDuration());
			long fits = (long) Math.floor(unaffordable.availablePerSecond() / perResult + 1e-9);
			String cost = "this session would cost " + required + " fragment-metadata points per second ("
					+ profile.maxFragmentResults() + " per playlist refresh × " + playlistsPerRefresh(profile)
					+ " playlist(s) every " + number(seconds(profile.fragmentDuration())) + " s) and " + scope
					+ " budget is " + available;
			if (fits >= 1) {
				return new InvalidPlaybackRequest.Violation(field, "must be at most " + fits + " on this stream: " + cost);
			}
			return new InvalidPlaybackRequest.Violation(field, "has no value that fits on this stream: " + cost);
		}
		return new InvalidPlaybackRequest.Violation(field, "cannot make this session fit whatever its value: it would"
				+ " cost " + required + " " + points(unaffordable.budget()) + " per second and " + scope
				+ " budget is " + available);
	}

	/** Whether the refused figure is the session's fragment-metadata rate (a viewer share can refuse either). */
	private static boolean metadataBound(SessionProfile profile, Decision.Unaffordable unaffordable) {
		if (unaffordable.budget() == Budget.FRAGMENT_METADATA) {
			return true;
		}
		if (unaffordable.budget() != Budget.VIEWER_SHARE) {
			return false;
		}
		double metadata = profile.maxFragmentResults() * playlistsPerRefresh(profile)
				/ seconds(profile.fragmentDuration());
		return Math.abs(metadata - unaffordable.requiredPerSecond()) <= 1e-3 * Math.max(1, metadata);
	}

	/** HLS refreshes one media playlist per track, DASH the one manifest. */
	private static int playlistsPerRefresh(SessionProfile profile) {
		return profile.protocol() == SessionProfile.Protocol.HLS ? profile.tracks() : 1;
	}

	private static String points(Budget budget) {
		return budget == Budget.FRAGMENT_METADATA ? "fragment-metadata points" : "fragment-media points";
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1e9;
	}

	private static String number(double value) {
		return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
	}

}
