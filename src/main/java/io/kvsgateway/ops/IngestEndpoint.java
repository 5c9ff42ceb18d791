package io.kvsgateway.ops;

import java.util.List;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;

import io.kvsgateway.ingest.CameraConnections;
import io.kvsgateway.ingest.CameraConnections.Connection;

/**
 * {@code /actuator/ingest}: the cameras uploading through this replica (stream, camera, bytes and fragments read,
 * last ACK), and {@code DELETE /actuator/ingest/{streamName}} to close one; its producer reconnects as after an idle
 * close. Operators only (scope {@code ops}).
 */
@Component
@Endpoint(id = "ingest")
class IngestEndpoint {

	private final CameraConnections connections;

	IngestEndpoint(CameraConnections connections) {
		this.connections = connections;
	}

	@ReadOperation
	Connections connections() {
		return new Connections(connections.list());
	}

	/** 204 when the stream had a connection and it is closing now, 404 when it had none. */
	@DeleteOperation
	WebEndpointResponse<Void> close(@Selector String streamName) {
		return new WebEndpointResponse<>(connections.close(streamName) ? WebEndpointResponse.STATUS_NO_CONTENT
				: WebEndpointResponse.STATUS_NOT_FOUND);
	}

	/** The open connections, by stream name. */
	record Connections(List<Connection> connections) {
	}

}
