package io.kvsgateway.kvs;

import java.util.List;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesisvideo.model.StreamInfo;

/** Lists and describes streams with the KVS control plane. */
@Component
class KvsStreamDirectory implements StreamDirectory {

	private final KvsClients clients;

	private final KvsErrors errors;

	KvsStreamDirectory(KvsClients clients, KvsProperties properties) {
		this.clients = clients;
		this.errors = new KvsErrors(properties);
	}

	@Override
	public List<StreamSummary> streams() {
		try {
			return clients.controlPlane()
				.listStreamsPaginator(r -> r.maxResults(10_000))
				.streamInfoList()
				.stream()
				.map(KvsStreamDirectory::summary)
				.toList();
		}
		catch (SdkException e) {
			throw errors.translate(e, "");
		}
	}

	@Override
	public StreamSummary describe(String streamName) {
		try {
			return summary(clients.controlPlane().describeStream(r -> r.streamName(streamName)).streamInfo());
		}
		catch (SdkException e) {
			throw errors.translate(e, streamName);
		}
	}

	private static StreamSummary summary(StreamInfo info) {
		return new StreamSummary(info.streamName(), info.streamARN(), info.statusAsString(), info.mediaType(),
				info.dataRetentionInHours() == null ? 0 : info.dataRetentionInHours(), info.creationTime());
	}

}
