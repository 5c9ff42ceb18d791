package io.kvsgateway.ingest;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The cameras uploading through this replica now, for operators: what each has sent and when KVS last acknowledged
 * it, and a way to close one (a camera that must reconnect elsewhere, or that floods a stream).
 */
public interface CameraConnections {

	/** @return the open PutMedia connections, by stream name */
	List<Connection> list();

	/**
	 * Closes the stream's camera connection as an idle close does: what was forwarded is finished upstream, the
	 * camera's response ends, and the stream is free for the camera's next connection.
	 *
	 * @return {@literal false} when the stream has no open connection here
	 */
	boolean close(String streamName);

	/**
	 * One camera's connection.
	 *
	 * @param streamName the stream it writes
	 * @param camera the subject of the camera's token, or its access key id when it signs with SigV4
	 * @param openedAt when the connection was accepted
	 * @param bytes bytes read from the camera so far
	 * @param fragments fragments read whole so far (refused ones included)
	 * @param lastAck when the camera was last sent a RECEIVED or PERSISTED from KVS, {@literal null} before the first
	 */
	record Connection(String streamName, String camera, Instant openedAt, long bytes, long fragments,
			@Nullable Instant lastAck) {
	}

}
