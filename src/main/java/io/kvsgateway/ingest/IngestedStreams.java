package io.kvsgateway.ingest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.kvsgateway.media.Track;

/**
 * The streams whose latest header lacked what playback needs. Only not-playable streams are held, so the map is as
 * large as the number of broken cameras; a later header with codec private data clears the entry.
 */
@Component
class IngestedStreams implements StreamHealth {

	private static final Logger log = LoggerFactory.getLogger(IngestedStreams.class);

	private final Map<String, String> notPlayable = new ConcurrentHashMap<>();

	@Override
	public Optional<String> notPlayableReason(String streamName) {
		return Optional.ofNullable(notPlayable.get(streamName));
	}

	/** Records what a Segment header says about the stream's playability. */
	void headerRead(String streamName, List<Track> tracks) {
		Optional<String> reason = tracks.stream()
			.filter(track -> track.type() == Track.Type.VIDEO && !track.hasCodecPrivate())
			.findFirst()
			.map(track -> "MissingCodecPrivateDataException: video track " + track.number() + " ("
					+ track.codecId() + ") has no codec private data, so KVS cannot play it back");
		if (reason.isPresent()) {
			if (!reason.get().equals(notPlayable.put(streamName, reason.get()))) {
				log.warn("Stream {} is not playable: {}", streamName, reason.get());
			}
		}
		else {
			notPlayable.remove(streamName);
		}
	}

}
