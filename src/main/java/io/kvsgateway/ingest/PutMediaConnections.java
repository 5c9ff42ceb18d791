package io.kvsgateway.ingest;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * The streams with an open camera PutMedia on this gateway: KVS allows one per stream, and a second one is refused
 * before a byte of it is read. Per replica; across replicas, upstream KVS refuses the second upload itself.
 */
@Component
class PutMediaConnections implements CameraConnections {

	private final Set<String> open = ConcurrentHashMap.newKeySet();

	/** The uploads of claimed streams, once their connection is accepted. */
	private final Map<String, CameraUpload> uploads = new ConcurrentHashMap<>();

	/** @return whether the stream was free and is now held by the caller, who must {@link #release} it */
	boolean claim(String streamName) {
		return open.add(streamName);
	}

	/** Makes a claimed stream's upload visible to operators, until {@link #release}. */
	void attach(CameraUpload upload) {
		uploads.put(upload.streamName(), upload);
	}

	void release(String streamName) {
		uploads.remove(streamName);
		open.remove(streamName);
	}

	@Override
	public List<Connection> list() {
		return uploads.values()
			.stream()
			.map(CameraUpload::connection)
			.sorted(Comparator.comparing(Connection::streamName))
			.toList();
	}

	@Override
	public boolean close(String streamName) {
		CameraUpload upload = uploads.get(streamName);
		if (upload == null) {
			return false;
		}
		upload.close();
		return true;
	}

}
