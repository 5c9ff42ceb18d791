package io.kvsgateway.kvs;

import java.net.URI;
import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import software.amazon.awssdk.services.kinesisvideo.model.APIName;

/**
 * GetDataEndpoint answers cached per (stream, API). KVS allows only 5 GetDataEndpoint calls per second per stream
 * (developer guide, control plane quotas), so a busy stream must not ask on every viewer request; the misses are
 * charged to the stream's {@link DataEndpointBudget} when the application has one.
 */
@Component
class DataEndpoints {

	private final LoadingCache<Key, URI> endpoints;

	private static final DataEndpointBudget UNLIMITED = streamName -> Optional.empty();

	@Autowired
	DataEndpoints(KvsClients clients, KvsProperties properties, ObjectProvider<DataEndpointBudget> budgets) {
		this(clients, properties, budgets.getIfAvailable(() -> UNLIMITED));
	}

	/** Without a budget: every miss asks KVS. */
	DataEndpoints(KvsClients clients, KvsProperties properties) {
		this(clients, properties, UNLIMITED);
	}

	private DataEndpoints(KvsClients clients, KvsProperties properties, DataEndpointBudget budget) {
		this.endpoints = Caffeine.newBuilder()
			.maximumSize(properties.endpointCacheSize())
			.expireAfterWrite(properties.endpointCacheTtl())
			.build(key -> {
				budget.take(key.streamName()).ifPresent(wait -> {
					throw new KvsException.Throttled("The gateway's GetDataEndpoint allowance for stream "
							+ key.streamName() + " is spent for now", "ClientLimitExceededException", wait);
				});
				return URI.create(clients.controlPlane()
					.getDataEndpoint(r -> r.streamName(key.streamName()).apiName(key.api()))
					.dataEndpoint());
			});
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
