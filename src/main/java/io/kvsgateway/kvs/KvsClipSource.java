package io.kvsgateway.kvs;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetClipRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetClipResponse;

/** Opens clips with GetClip on the stream's GET_CLIP data endpoint; the SDK's response stream is handed on unread. */
@Component
class KvsClipSource implements ClipSource {

	private static final String MP4 = "video/mp4";

	private final ArchivedMediaCalls calls;

	KvsClipSource(ArchivedMediaCalls calls) {
		this.calls = calls;
	}

	@Override
	public Clip open(Query query) {
		GetClipRequest request = GetClipRequest.builder()
			.streamName(query.streamName())
			.clipFragmentSelector(s -> s.fragmentSelectorType(query.selector().name())
				.timestampRange(t -> t.startTimestamp(query.start()).endTimestamp(query.end())))
			.build();
		ResponseInputStream<GetClipResponse> clip = calls.call(query.streamName(), APIName.GET_CLIP,
				client -> client.getClip(request));
		String contentType = clip.response().contentType();
		return new Clip((contentType == null || contentType.isBlank()) ? MP4 : contentType, clip);
	}

}
