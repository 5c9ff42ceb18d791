package io.kvsgateway.kvs;

import java.util.function.Function;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

/**
 * Runs archived-media calls on a stream's data endpoint, as the KVS endpoint discovery pattern asks: the endpoint
 * comes from the cache, and one that stops answering is looked up again once ("If the cached endpoint no longer
 * works, make a new call"). SDK failures leave as {@link KvsException}s.
 */
@Component
class ArchivedMediaCalls {

	private final KvsClients clients;

	private final DataEndpoints endpoints;

	private final KvsErrors errors;

	ArchivedMediaCalls(KvsClients clients, DataEndpoints endpoints, KvsProperties properties) {
		this.clients = clients;
		this.endpoints = endpoints;
		this.errors = new KvsErrors(properties);
	}

	<T> T call(String streamName, APIName api, Function<KinesisVideoArchivedMediaClient, T> call) {
		try {
			try {
				return call.apply(clients.archivedMedia(endpoints.get(streamName, api)));
			}
			catch (SdkClientException unreachable) {
				endpoints.invalidate(streamName, api);
				return call.apply(clients.archivedMedia(endpoints.get(streamName, api)));
			}
		}
		catch (SdkException e) {
			throw errors.translate(e, streamName);
		}
	}

}
