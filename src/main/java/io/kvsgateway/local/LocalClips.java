package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.media.Fmp4Writer;
import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.MediaFragment;
import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.media.Track;

/**
 * GetClip: the stored fragments of a timestamp range as one fragmented MP4 file (an init segment, then one
 * {@code moof}/{@code mdat} per fragment), without re-encoding.
 * <p>
 * Everything KVS refuses with an HTTP error (range, limits, codecs) is decided from the index and the stored headers
 * before the response begins; the media is then read one fragment at a time while it is written, so that a clip of
 * up to 100 MB is never held in memory.
 * <p>
 * Limits: the developer guide's data plane quotas table ("GetClip ... 100 MB size limit, Maximum number of
 * fragments: 200") and its "GetClip requirements" (track 1 H.264 or H.265, optionally track 2 AAC; codec private
 * data and tracks must not change within the clip).
 */
class LocalClips {

	static final String CONTENT_TYPE = "video/mp4";

	static final int MAX_FRAGMENTS = 200;

	static final long MAX_BYTES = 100L * 1024 * 1024;

	private static final Set<String> VIDEO_CODECS = Set.of("V_MPEG4/ISO/AVC", "V_MPEGH/ISO/HEVC");

	private static final String AAC = "A_AAC";

	private final LocalStreams streams;

	private final LocalFragmentStore store;

	private final Clock clock;

	private final LocalQuotas quotas;

	LocalClips(LocalStreams streams, LocalFragmentStore store, Clock clock, LocalQuotas quotas) {
		this.quotas = quotas;
		this.streams = streams;
		this.store = store;
		this.clock = clock;
	}

	/**
	 * Checks a GetClip request completely and answers what the response body will be.
	 * @throws KvsError as KVS answers a bad request
	 */
	MediaOutput.Body clip(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		KvsRequest selector = request.object("ClipFragmentSelector");
		if (selector == null) {
			throw KvsError.invalidArgument("ClipFragmentSelector is required.");
		}
		FragmentSelectorType type = selector.enumValue("FragmentSelectorType", FragmentSelectorType.class);
		if (type == null) {
			throw KvsError.invalidArgument(selector.qualified("FragmentSelectorType") + " is required.");
		}
		KvsRequest range = selector.object("TimestampRange");
		if (range == null) {
			throw KvsError.invalidArgument(selector.qualified("TimestampRange") + " is required.");
		}
		Instant start = range.timestamp("StartTimestamp");
		Instant end = range.timestamp("EndTimestamp");
		if (start == null || end == null) {
			throw KvsError.invalidArgument(range.qualified((start == null) ? "StartTimestamp" : "EndTimestamp")
					+ " is required.");
		}
		ArchivedMedia.checkEndTimestamp(type, range, start, end, clock.instant());
		LocalStream stream = streams.resolve(name, arn);

		// ClipTimestampRange: fragments that start at or after StartTimestamp and at or before EndTimestamp.
		Function<Fragment, Instant> timestamp = (type == FragmentSelectorType.SERVER_TIMESTAMP)
				? Fragment::serverTimestamp : Fragment::producerTimestamp;
		// Metadata-only fragments (no media) have nothing to clip.
		List<Fragment> selected = store.select(stream.streamId(),
				LocalFragmentStore.within(timestamp, start, end).and(f -> f.sizeInBytes() > 0), null,
				MAX_FRAGMENTS + 1);
		if (selected.isEmpty()) {
			throw KvsError.resourceNotFound("No fragments found in the stream " + stream.streamName()
					+ " for the specified time range.");
		}
		if (selected.size() > MAX_FRAGMENTS) {
			throw KvsError.invalidArgument("The clip would hold more than " + MAX_FRAGMENTS
					+ " fragments; request a shorter TimestampRange.");
		}
		long bytes = selected.stream().mapToLong(Fragment::sizeInBytes).sum();
		if (bytes > MAX_BYTES) {
			throw KvsError.invalidArgument("The clip would be larger than the 100 MB limit (" + bytes
					+ " bytes of media); request a shorter TimestampRange.");
		}
		List<Track> tracks = checkTracks(stream, selected);
		// GetClip is in both consumption tables: "Number of fragments in the resulting clip".
		quotas.consume(stream.streamName(), LocalQuotas.Api.GET_CLIP, selected.size(), selected.size());
		// The clip's clock starts at 0 at its earliest fragment (producer time, the media's own clock), so that
		// players show 0:00 to the clip's length rather than hours since the epoch. Earliest rather than first: a
		// producer whose clock stepped back must not give the writer negative times.
		Instant origin = selected.stream().map(Fragment::producerTimestamp).min(Instant::compareTo).orElseThrow();
		return out -> write(stream, selected, tracks, origin, out);
	}

	/**
	 * Reads every selected fragment's stream header (fragments share few distinct headers) and checks that the
	 * tracks are a GetClip combination, have codec private data, and do not change within the clip.
	 */
	private List<Track> checkTracks(LocalStream stream, List<Fragment> selected) {
		byte[] firstHeader = null;
		List<Track> tracks = null;
		for (Fragment fragment : selected) {
			StoredFragment stored = read(stream, fragment);
			if (firstHeader != null && Arrays.equals(firstHeader, stored.header())) {
				continue;
			}
			List<Track> these = tracks(stored);
			if (tracks == null) {
				firstHeader = stored.header();
				tracks = these;
				checkCodecs(these);
			}
			else if (!sameMedia(tracks, these)) {
				throw KvsError.of(HttpStatus.BAD_REQUEST, "InvalidCodecPrivateDataException",
						"The tracks or their codec private data change within the requested clip (at fragment "
								+ fragment.fragmentNumber() + "); GetClip needs them consistent.");
			}
		}
		return tracks;
	}

	private static void checkCodecs(List<Track> tracks) {
		List<String> codecs = tracks.stream().map(Track::codecId).toList();
		boolean supported = !tracks.isEmpty() && tracks.size() <= 2 && tracks.getFirst().type() == Track.Type.VIDEO
				&& VIDEO_CODECS.contains(codecs.getFirst())
				&& (tracks.size() == 1 || (tracks.get(1).type() == Track.Type.AUDIO && AAC.equals(codecs.get(1))));
		if (!supported) {
			throw KvsError.of(HttpStatus.BAD_REQUEST, "UnsupportedStreamMediaTypeException",
					"The codec IDs of the tracks " + codecs.stream().map(KvsRequest::printable)
						.collect(Collectors.joining(", ", "[", "]")) + " are not supported for GetClip: track 1 "
							+ "must be V_MPEG4/ISO/AVC or V_MPEGH/ISO/HEVC and an optional track 2 A_AAC.");
		}
		for (Track track : tracks) {
			if (!track.hasCodecPrivate()) {
				throw KvsError.of(HttpStatus.BAD_REQUEST, "MissingCodecPrivateDataException",
						"No codec private data was found in track " + track.number() + " of the media.");
			}
		}
		try {
			Fmp4Writer.init(tracks);
			tracks.forEach(Fmp4Writer::codecs);
		}
		catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
			throw KvsError.of(HttpStatus.BAD_REQUEST, "InvalidCodecPrivateDataException",
					"The codec private data of the media is not valid: " + KvsRequest.printable(ex.getMessage()));
		}
	}

	private static boolean sameMedia(List<Track> a, List<Track> b) {
		if (a.size() != b.size()) {
			return false;
		}
		for (int i = 0; i < a.size(); i++) {
			Track x = a.get(i);
			Track y = b.get(i);
			if (x.number() != y.number() || !x.codecId().equals(y.codecId())
					|| !x.codecPrivate().equals(y.codecPrivate())) {
				return false;
			}
		}
		return true;
	}

	private void write(LocalStream stream, List<Fragment> selected, List<Track> tracks, Instant origin,
			OutputStream out) throws IOException {
		out.write(Fmp4Writer.init(tracks));
		Set<Long> numbers = tracks.stream().map(Track::number).collect(Collectors.toSet());
		long sequence = 1;
		for (Fragment fragment : selected) {
			Optional<StoredFragment> stored = store.read(stream.streamName(), fragment.fragmentNumber());
			if (stored.isEmpty()) {
				continue; // expired since the check; the clip simply has a gap
			}
			long startNanos = Duration.between(origin, fragment.producerTimestamp()).toNanos();
			// The stored header may be a file's, whose Segment size covers far more than one Cluster: re-frame it
			// as a live (unknown-size) Segment, as GetMedia does, so that one Cluster is a complete Segment.
			byte[] header = MkvWriter.liveHeader(ByteBuffer.wrap(stored.get().header()));
			MediaFragment media = MediaFragment.read(header, stored.get().payload(), startNanos,
					fragment.duration().toNanos());
			out.write(Fmp4Writer.segment(media, sequence++, numbers));
		}
		out.flush();
	}

	private StoredFragment read(LocalStream stream, Fragment fragment) {
		return store.read(stream.streamName(), fragment.fragmentNumber())
			.orElseThrow(() -> KvsError.resourceNotFound("No fragments found in the stream " + stream.streamName()
					+ " for the specified time range."));
	}

	private static List<Track> tracks(StoredFragment stored) {
		byte[] header = MkvWriter.liveHeader(ByteBuffer.wrap(stored.header()));
		FragmentReader reader = FragmentReader.of(new SequenceInputStream(new ByteArrayInputStream(header),
				new ByteArrayInputStream(stored.payload())));
		try {
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.HeaderRead read) {
					return read.header().tracks();
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// fall through: a damaged store answers as KVS does for media it cannot read
		}
		throw KvsError.internalFailure();
	}

}
