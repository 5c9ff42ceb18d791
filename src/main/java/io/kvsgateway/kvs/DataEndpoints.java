package io.kvsgateway.kvs;

import java.net.URI;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import software.amazon.awssdk.services.kinesisvideo.model.APIName;

/**
 * GetDataEndpoint answers cached per (stream, API). KVS allows only 5 GetDataEndpoint calls per second per stream
 * (developer guide, control plane quotas), so a busy stream must not ask on every viewer request.
 */
@Component
class DataEndpoints {

	private final LoadingCache<Key, URI> endpoints;

	DataEndpoints(KvsClients clients, KvsProperties properties) {
		this.endpoints = Caffeine.newBuilder()
			.maximumSize(properties.endpointCacheSize())
			.expireAfterWrite(properties.endpointCacheTtl())
			.build(key -> URI.create(clients.controlPlane()
				.getDataEndpoint(r -> r.streamName(key.streamName()).apiName(key.api()))
				.dataEndpoint()));
	}

	URI get(String streamName, APIName api) {
		return endpoints.get(new Key(streamName, api));
	}

	void invalidate(String streamName, APIName api) {
		endpoints.invalidate(new Key(streamName, api));
	}

	private record Key(String streamName, APIName api) {
	}

}
