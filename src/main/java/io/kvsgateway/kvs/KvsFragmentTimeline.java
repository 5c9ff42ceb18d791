package io.kvsgateway.kvs;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ListFragmentsRequest;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ListFragmentsResponse;

/** Lists fragments with ListFragments on the stream's LIST_FRAGMENTS data endpoint. */
@Component
class KvsFragmentTimeline implements FragmentTimeline {

	private final ArchivedMediaCalls calls;

	KvsFragmentTimeline(ArchivedMediaCalls calls) {
		this.calls = calls;
	}

	@Override
	public Page list(Query query) {
		ListFragmentsRequest request = ListFragmentsRequest.builder()
			.streamName(query.streamName())
			.maxResults((long) query.maxResults())
			.nextToken(query.nextToken())
			.fragmentSelector(s -> s.fragmentSelectorType(query.selector().name())
				.timestampRange(t -> t.startTimestamp(query.start()).endTimestamp(query.end())))
			.build();
		ListFragmentsResponse response = calls.call(query.streamName(), APIName.LIST_FRAGMENTS,
				client -> client.listFragments(request));
		return new Page(response.fragments().stream()
			.map(f -> new Fragment(f.fragmentNumber(), f.producerTimestamp(), f.serverTimestamp(),
					f.fragmentLengthInMilliseconds() == null ? 0 : f.fragmentLengthInMilliseconds(),
					f.fragmentSizeInBytes() == null ? 0 : f.fragmentSizeInBytes()))
			.toList(), response.nextToken());
	}

}
