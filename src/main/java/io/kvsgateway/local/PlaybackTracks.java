package io.kvsgateway.local;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.media.Track;

/**
 * The tracks of a stream that HLS and DASH can play, as its fragments' header describes them, with what playlists and
 * manifests say about each.
 *
 * @param video the first H.264 or H.265 video track, if any
 * @param audio the first AAC audio track, if any
 */
record PlaybackTracks(@Nullable Playable video, @Nullable Playable audio) {

	static final String AVC = "V_MPEG4/ISO/AVC";

	static final String HEVC = "V_MPEGH/ISO/HEVC";

	static final String AAC = "A_AAC";

	/** Video first, then audio: the order of DASH AdaptationSets and of HLS CODECS. */
	List<Playable> all() {
		return Stream.of(video, audio).filter(Objects::nonNull).toList();
	}

	Optional<Playable> byNumber(long trackNumber) {
		return all().stream().filter(p -> p.track().number() == trackNumber).findFirst();
	}

	/** The HLS variant: the video track, or the audio track of an audio-only stream. */
	Playable main() {
		return (video != null) ? video : Objects.requireNonNull(audio);
	}

	static boolean playableVideo(Track track) {
		return track.type() == Track.Type.VIDEO && (AVC.equals(track.codecId()) || HEVC.equals(track.codecId()));
	}

	static boolean playableAudio(Track track) {
		return track.type() == Track.Type.AUDIO && AAC.equals(track.codecId());
	}

	/**
	 * One playable track.
	 *
	 * @param track the Matroska track entry
	 * @param codecs the RFC 6381 codecs string
	 * @param timescale the fMP4 timescale of the track's media segments
	 * @param bandwidth estimated peak bits per second
	 */
	record Playable(Track track, String codecs, long timescale, long bandwidth) {

		long number() {
			return track.number();
		}

		boolean isVideo() {
			return track.type() == Track.Type.VIDEO;
		}

	}

}
