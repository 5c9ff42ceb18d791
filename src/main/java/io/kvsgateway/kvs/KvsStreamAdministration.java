package io.kvsgateway.kvs;

import java.util.Map;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.core.exception.SdkException;

/** Creates and tags streams with the KVS control plane. */
@Component
class KvsStreamAdministration implements StreamAdministration {

	private final KvsClients clients;

	private final KvsErrors errors;

	KvsStreamAdministration(KvsClients clients, KvsProperties properties) {
		this.clients = clients;
		this.errors = new KvsErrors(properties);
	}

	@Override
	public String createStream(NewStream request) {
		try {
			return clients.controlPlane().createStream(r -> {
				r.streamName(request.streamName())
					.deviceName(request.deviceName())
					.mediaType(request.mediaType())
					.kmsKeyId(request.kmsKeyId())
					.dataRetentionInHours(request.dataRetentionInHours());
				if (!request.tags().isEmpty()) {
					r.tags(request.tags());
				}
			}).streamARN();
		}
		catch (SdkException e) {
			throw errors.translate(e, request.streamName());
		}
	}

	@Override
	public void tagStream(String streamName, Map<String, String> tags) {
		try {
			clients.controlPlane().tagStream(r -> r.streamName(streamName).tags(tags));
		}
		catch (SdkException e) {
			throw errors.translate(e, streamName);
		}
	}

	@Override
	public boolean embedded() {
		return clients.mode() == KvsProperties.Mode.EMBEDDED;
	}

}
