package io.kvsgateway.kvs;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.kvsgateway.kvs.PlaybackUrlRequest.Protocol;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHTimestampRange;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetDashStreamingSessionUrlRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetHlsStreamingSessionUrlRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSTimestampRange;

/** Issues session URLs with {@code GetHLSStreamingSessionURL} / {@code GetDASHStreamingSessionURL} on the stream's data endpoint. */
@Component
class KvsPlaybackUrlIssuer implements PlaybackUrlIssuer {

	private final KvsClients clients;

	private final ArchivedMediaCalls calls;

	KvsPlaybackUrlIssuer(KvsClients clients, ArchivedMediaCalls calls) {
		this.clients = clients;
		this.calls = calls;
	}

	@Override
	public String issue(PlaybackUrlRequest request) {
		APIName api = request.protocol() == Protocol.HLS ? APIName.GET_HLS_STREAMING_SESSION_URL
				: APIName.GET_DASH_STREAMING_SESSION_URL;
		String url = calls.call(request.streamName(), api, client -> request.protocol() == Protocol.HLS
				? client.getHLSStreamingSessionURL(hls(request)).hlsStreamingSessionURL()
				: client.getDASHStreamingSessionURL(dash(request)).dashStreamingSessionURL());
		return forViewer(url);
	}

	/**
	 * In embedded mode the gateway reaches the embedded service on loopback, so KVS answers loopback URLs; a viewer
	 * must get them on the address it used to reach the gateway.
	 */
	private String forViewer(String url) {
		if (clients.mode() != KvsProperties.Mode.EMBEDDED || RequestContextHolder.getRequestAttributes() == null) {
			return url;
		}
		URI internal = clients.controlPlaneEndpoint();
		String internalBase = internal == null ? null : internal.toString();
		if (internalBase == null || !url.startsWith(internalBase + "/")) {
			return url;
		}
		return ServletUriComponentsBuilder.fromCurrentContextPath().path("/kvs").toUriString()
				+ url.substring(internalBase.length());
	}

	private static GetHlsStreamingSessionUrlRequest hls(PlaybackUrlRequest r) {
		return GetHlsStreamingSessionUrlRequest.builder()
			.streamName(r.streamName())
			.playbackMode(r.playbackMode().name())
			.hlsFragmentSelector(s -> s.fragmentSelectorType(r.fragmentSelectorType().name())
				.timestampRange(r.startTimestamp() == null ? null
						: HLSTimestampRange.builder()
							.startTimestamp(r.startTimestamp())
							.endTimestamp(r.endTimestamp())
							.build()))
			.containerFormat(name(r.containerFormat()))
			.discontinuityMode(name(r.discontinuityMode()))
			.displayFragmentTimestamp(r.displayFragmentTimestamp().name())
			.expires(r.expiresInSeconds())
			.maxMediaPlaylistFragmentResults((long) r.maxFragmentResults())
			.build();
	}

	private static GetDashStreamingSessionUrlRequest dash(PlaybackUrlRequest r) {
		return GetDashStreamingSessionUrlRequest.builder()
			.streamName(r.streamName())
			.playbackMode(r.playbackMode().name())
			.dashFragmentSelector(s -> s.fragmentSelectorType(r.fragmentSelectorType().name())
				.timestampRange(r.startTimestamp() == null ? null
						: DASHTimestampRange.builder()
							.startTimestamp(r.startTimestamp())
							.endTimestamp(r.endTimestamp())
							.build()))
			.displayFragmentTimestamp(r.displayFragmentTimestamp().name())
			.displayFragmentNumber(name(r.displayFragmentNumber()))
			.expires(r.expiresInSeconds())
			.maxManifestFragmentResults((long) r.maxFragmentResults())
			.build();
	}

	private static @Nullable String name(@Nullable Enum<?> value) {
		return value == null ? null : value.name();
	}

}
