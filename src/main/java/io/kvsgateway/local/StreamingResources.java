package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.PlaybackSelection.LiveCursor;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.PlaybackTracks.Playable;
import io.kvsgateway.local.SessionRateLimiter.Api;
import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;
import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.MediaFragment;
import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.media.Track;

/**
 * The HLS and DASH resources behind a session URL: playlists, manifest, init and media segments. The session token
 * decides everything: the stream comes only from it, and it must still name the same stream (not one deleted and
 * created again under its name).
 * <p>
 * Fragments are immutable, so packaged segments are cached by stream, fragment, track, format and the timestamps
 * they carry; a segment many viewers play is read from disk and packaged once.
 */
final class StreamingResources {

	static final String HLS_CONTENT_TYPE = "application/vnd.apple.mpegurl";

	static final String DASH_CONTENT_TYPE = "application/dash+xml";

	static final String MP4_CONTENT_TYPE = "video/mp4";

	static final String TS_CONTENT_TYPE = "video/MP2T";

	/** Live playlists change every fragment; players poll them. */
	static final String LIVE_CACHING = "no-cache";

	/** Media segments never change; an ON_DEMAND playlist of a session does not either. */
	static final String IMMUTABLE_CACHING = "private, max-age=86400, immutable";

	/** Init segments follow the stream header, which a new producer session may change. */
	static final String INIT_CACHING = "private, max-age=60";

	private static final Pattern FRAGMENT_NUMBER = Pattern.compile("[0-9]{1,128}");

	private static final Pattern FRAGMENT_TIMESTAMP = Pattern.compile("[0-9]{1,18}");

	private static final Pattern TRACK_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

	private final LocalStreams streams;

	private final LocalFragmentStore fragments;

	private final SessionTokens tokens;

	private final PlaybackSelection selection;

	private final MediaPackaging packaging;

	private final SessionRateLimiter limiter;

	private final Clock clock;

	private final Cache<SegmentKey, byte[]> segments;

	private final Cache<String, LiveCursor> cursors;

	private final Cache<TracksKey, PlaybackTracks> tracks;

	StreamingResources(LocalStreams streams, LocalFragmentStore fragments, SessionTokens tokens,
			PlaybackSelection selection, MediaPackaging packaging, SessionRateLimiter limiter, Clock clock,
			long segmentCacheBytes, int maxSessions) {
		this.streams = streams;
		this.fragments = fragments;
		this.tokens = tokens;
		this.selection = selection;
		this.packaging = packaging;
		this.limiter = limiter;
		this.clock = clock;
		this.segments = Caffeine.newBuilder()
			.maximumWeight(segmentCacheBytes)
			.<SegmentKey, byte[]>weigher((key, bytes) -> bytes.length + 64)
			.build();
		this.cursors = Caffeine.newBuilder()
			.maximumSize(maxSessions)
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.expireAfterAccess(Duration.ofHours(12).plusMinutes(1))
			.build();
		this.tracks = Caffeine.newBuilder().maximumSize(10_000).build();
	}

	/** A response body with its content type and caching. */
	record Resource(byte[] body, String contentType, String cacheControl) {

		static Resource text(String text, String contentType, String cacheControl) {
			return new Resource(text.getBytes(StandardCharsets.UTF_8), contentType, cacheControl);
		}

	}

	/** GetHLSMasterPlaylist. */
	Resource hlsMaster(@Nullable String token) {
		Opened opened = open(token, Protocol.HLS, Api.GET_HLS_MASTER_PLAYLIST);
		Selection listed = select(opened);
		PlaybackTracks playable = tracksFor(opened, listed);
		return Resource.text(HlsPlaylists.master(opened.session(), opened.token(), playable), HLS_CONTENT_TYPE,
				caching(opened.session()));
	}

	/** GetHLSMediaPlaylist: one track's playlist (fMP4) or the muxed one (MPEG-TS, no TrackNumber needed). */
	Resource hlsMedia(@Nullable String token, @Nullable String trackNumber) {
		Opened opened = open(token, Protocol.HLS, Api.GET_HLS_MEDIA_PLAYLIST);
		Selection listed = select(opened);
		Long track = null;
		if (opened.session().containerFormat() != ContainerFormat.MPEG_TS) {
			track = trackNumber(trackNumber);
			requireTrack(tracksFor(opened, listed), track);
		}
		return Resource.text(HlsPlaylists.media(opened.session(), opened.token(), track, listed), HLS_CONTENT_TYPE,
				caching(opened.session()));
	}

	/** GetDASHManifest. */
	Resource dashManifest(@Nullable String token) {
		Opened opened = open(token, Protocol.DASH, Api.GET_DASH_MANIFEST);
		StreamingSession session = opened.session();
		Selection listed = select(opened);
		PlaybackTracks playable = tracksFor(opened, listed);
		Duration mediaToWallClock = switch (session.playbackMode()) {
			case LIVE -> cursor(session).mediaToWallClock();
			// A LIVE_REPLAY plays its StartTimestamp live at the moment the session began.
			case LIVE_REPLAY -> Duration.between(Objects.requireNonNull(session.startTimestamp()),
					session.issuedAt());
			case ON_DEMAND -> Duration.ZERO;
		};
		// The segment URLs carry the compact token: the full one stays in the manifest URL only.
		return Resource.text(DashManifests.manifest(session, tokens.sealCompact(session), playable, listed,
				clock.instant(), mediaToWallClock), DASH_CONTENT_TYPE, caching(session));
	}

	/** GetMP4InitFragment: the init segment of one track, from the header of the fragments the session lists. */
	Resource init(Protocol protocol, @Nullable String token, @Nullable String trackNumber) {
		Opened opened = open(token, protocol, Api.GET_MP4_INIT_FRAGMENT);
		if (opened.session().containerFormat() == ContainerFormat.MPEG_TS) {
			throw KvsError.invalidArgument("The session's ContainerFormat is MPEG_TS; use GetTSFragment.");
		}
		long track = trackNumber(trackNumber);
		Selection listed = select(opened);
		Fragment source = headerSource(opened, listed);
		PlaybackTracks playable = tracksFor(opened, listed);
		Playable wanted = requireTrack(playable, track);
		byte[] body = segments.get(new SegmentKey(opened.stream().streamId(), source.fragmentNumber(), track, "init",
				false), key -> packaging.init(List.of(wanted.track())));
		return new Resource(body, MP4_CONTENT_TYPE, INIT_CACHING);
	}

	/** GetMP4MediaFragment: one fragment's samples of one track. */
	Resource mp4Fragment(Protocol protocol, @Nullable String token, @Nullable String fragmentNumber,
			@Nullable String trackNumber) {
		return mp4Fragment(protocol, token, fragmentNumber, null, trackNumber);
	}

	/**
	 * GetMP4MediaFragment: one fragment's samples of one track, the fragment named by its number or (DASH manifests'
	 * {@code $Time$}) by its timestamp in epoch milliseconds on the session's clock.
	 */
	Resource mp4Fragment(Protocol protocol, @Nullable String token, @Nullable String fragmentNumber,
			@Nullable String fragmentTimestamp, @Nullable String trackNumber) {
		Opened opened = open(token, protocol, Api.GET_MP4_MEDIA_FRAGMENT);
		if (opened.session().containerFormat() == ContainerFormat.MPEG_TS) {
			throw KvsError.invalidArgument("The session's ContainerFormat is MPEG_TS; use GetTSFragment.");
		}
		long track = trackNumber(trackNumber);
		Fragment fragment = (fragmentTimestamp != null && fragmentNumber == null)
				? fragmentAt(opened, fragmentTimestamp) : fragmentOf(opened, fragmentNumber);
		boolean producer = opened.session().fragmentSelectorType() == FragmentSelectorType.PRODUCER_TIMESTAMP;
		byte[] body = segments.get(
				new SegmentKey(opened.stream().streamId(), fragment.fragmentNumber(), track, "fmp4", producer),
				// A fragment may lack a track's samples (audio outlasting video at the end of an upload); the
				// playlists list it for every track all the same, so it is packaged without them, not refused.
				key -> packaging.fmp4(media(opened, fragment), sequenceNumber(fragment), Set.of(track)));
		return new Resource(body, MP4_CONTENT_TYPE, IMMUTABLE_CACHING);
	}

	/** GetTSFragment: one fragment, every track muxed. */
	Resource tsFragment(@Nullable String token, @Nullable String fragmentNumber) {
		Opened opened = open(token, Protocol.HLS, Api.GET_TS_FRAGMENT);
		if (opened.session().containerFormat() != ContainerFormat.MPEG_TS) {
			throw KvsError.invalidArgument("The session's ContainerFormat is FRAGMENTED_MP4; use GetMP4MediaFragment.");
		}
		Fragment fragment = fragmentOf(opened, fragmentNumber);
		boolean producer = opened.session().fragmentSelectorType() == FragmentSelectorType.PRODUCER_TIMESTAMP;
		byte[] body = segments.get(new SegmentKey(opened.stream().streamId(), fragment.fragmentNumber(), 0, "ts",
				producer), key -> packaging.ts(media(opened, fragment), sequenceNumber(fragment)));
		return new Resource(body, TS_CONTENT_TYPE, IMMUTABLE_CACHING);
	}

	/**
	 * The token, then the per-session rate, then the stream: in that order, so a bad token learns nothing. A DASH
	 * manifest names its init and media segments with the session's compact token; the manifest itself and HLS take
	 * only the full one.
	 */
	private Opened open(@Nullable String token, Protocol protocol, Api api) {
		if (token == null || token.isBlank()) {
			throw KvsError.invalidArgument("SessionToken is required.");
		}
		boolean compactAllowed = protocol == Protocol.DASH
				&& (api == Api.GET_MP4_INIT_FRAGMENT || api == Api.GET_MP4_MEDIA_FRAGMENT);
		StreamingSession session;
		try {
			session = tokens.open(token, compactAllowed);
		}
		catch (SessionTokens.TokenRejected rejected) {
			// A player that outlives Expires gets 403 "Streaming session token is expired" (aws-samples
			// amazon-kinesis-video-streams-media-viewer issue 5); an altered token is no credential either.
			throw KvsError.of(HttpStatus.FORBIDDEN, "NotAuthorizedException", rejected.getMessage());
		}
		if (session.protocol() != protocol) {
			throw KvsError.of(HttpStatus.FORBIDDEN, "NotAuthorizedException",
					"The streaming session token is not valid for " + protocol + ".");
		}
		limiter.acquire(session, api);
		LocalStream stream = streams.findByName(session.streamName())
			.filter(s -> s.streamId().equals(session.streamId()) && s.isActive())
			.orElseThrow(LocalStreams::notFound);
		return new Opened(session, stream, token);
	}

	/**
	 * LIVE looks only at the newest fragments (a live playlist is polled every second, and a stream may hold days of
	 * them); the other modes at the fragments of their range.
	 */
	private Selection select(Opened opened) {
		StreamingSession session = opened.session();
		String streamId = opened.stream().streamId();
		if (session.playbackMode() == PlaybackMode.LIVE) {
			// Some slack beyond MaxResults for producer-timestamp duplicates, which deduplication drops.
			List<Fragment> newest = fragments.newestOf(streamId, 2 * session.maxFragmentResults() + 16);
			return selection.select(session, newest, cursor(session));
		}
		Instant start = Objects.requireNonNull(session.startTimestamp());
		Instant end = (session.endTimestamp() != null) ? session.endTimestamp() : Instant.MAX;
		List<Fragment> inRange = fragments.select(streamId,
				f -> !PlaybackSelection.timestampOf(session, f).isBefore(start)
						&& !PlaybackSelection.timestampOf(session, f).isAfter(end),
				null, Integer.MAX_VALUE);
		return selection.select(session, inRange, new LiveCursor());
	}

	private LiveCursor cursor(StreamingSession session) {
		return cursors.get(session.sessionId(), id -> new LiveCursor());
	}

	private static String caching(StreamingSession session) {
		return (session.playbackMode() == PlaybackMode.ON_DEMAND) ? IMMUTABLE_CACHING : LIVE_CACHING;
	}

	/** The fragment whose header describes the session's tracks: the first listed, else the stream's newest. */
	private Fragment headerSource(Opened opened, Selection listed) {
		if (!listed.entries().isEmpty()) {
			return listed.entries().getFirst().fragment();
		}
		return fragments.newestOf(opened.stream().streamId())
			.orElseThrow(() -> KvsError.resourceNotFound("No fragments found in the stream for the session."));
	}

	private PlaybackTracks tracksFor(Opened opened, Selection listed) {
		Fragment source = headerSource(opened, listed);
		PlaybackTracks found = tracks.get(new TracksKey(opened.stream().streamId(), source.fragmentNumber()),
				key -> readTracks(opened, source));
		if (opened.session().containerFormat() == ContainerFormat.MPEG_TS && found.video() != null
				&& PlaybackTracks.HEVC.equals(found.video().track().codecId())) {
			// The guide's "HLS TS" table lists H.264 and AAC only.
			throw KvsError.of(HttpStatus.BAD_REQUEST, "UnsupportedStreamMediaTypeException",
					"H.265 media cannot be packaged as MPEG_TS; use FRAGMENTED_MP4.");
		}
		return found;
	}

	private PlaybackTracks readTracks(Opened opened, Fragment source) {
		StoredFragment stored = fragments.read(opened.stream().streamName(), source.fragmentNumber())
			.orElseThrow(() -> KvsError.resourceNotFound("The fragment " + source.fragmentNumber()
					+ " is no longer available."));
		List<Track> all = headerTracks(stored);
		MediaFragment media = media(opened, stored);
		Track video = all.stream().filter(PlaybackTracks::playableVideo).findFirst().orElse(null);
		Track audio = all.stream().filter(PlaybackTracks::playableAudio).findFirst().orElse(null);
		if (video == null && audio == null) {
			// The track requirements of the guide ("Video playback track requirements").
			throw KvsError.of(HttpStatus.BAD_REQUEST, "UnsupportedStreamMediaTypeException",
					"The stream's media has no H.264, H.265 or AAC track.");
		}
		for (Track track : Stream.of(video, audio).filter(Objects::nonNull).toList()) {
			if (!track.hasCodecPrivate()) {
				throw KvsError.of(HttpStatus.BAD_REQUEST, "MissingCodecPrivateDataException",
						"No codec private data found in track " + track.number() + " of the stream's media.");
			}
		}
		double seconds = Math.max(0.001, source.duration().toNanos() / 1e9);
		return new PlaybackTracks(playable(video, media, seconds), playable(audio, media, seconds));
	}

	private @Nullable Playable playable(@Nullable Track track, MediaFragment media, double seconds) {
		if (track == null) {
			return null;
		}
		long bytes = 0;
		for (MediaFragment.TrackSamples samples : media.tracks()) {
			if (samples.track().number() == track.number()) {
				for (MediaFragment.Sample sample : samples.samples()) {
					bytes += sample.data().remaining();
				}
			}
		}
		// A peak estimate: one fragment's rate with headroom, as players only use it to choose and to size buffers.
		long bandwidth = Math.round(bytes * 8 / seconds * 1.25);
		return new Playable(track, packaging.codecs(track), packaging.timescale(track), Math.max(bandwidth, 1));
	}

	private static List<Track> headerTracks(StoredFragment stored) {
		FragmentReader reader = FragmentReader.of(new SequenceInputStream(
				new ByteArrayInputStream(liveHeader(stored)), new ByteArrayInputStream(stored.payload())));
		try {
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.HeaderRead read) {
					return read.header().tracks();
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new ArrayList<>();
	}

	private static Playable requireTrack(PlaybackTracks playable, long track) {
		return playable.byNumber(track)
			.orElseThrow(() -> KvsError.resourceNotFound("The stream has no playable track " + track + "."));
	}

	/**
	 * The fragment a segment request names: it must be in the session's stream, and for ON_DEMAND and LIVE_REPLAY in
	 * the session's range ("No other media data ... outside the requested window ... is made available").
	 */
	private Fragment fragmentOf(Opened opened, @Nullable String fragmentNumber) {
		if (fragmentNumber == null || !FRAGMENT_NUMBER.matcher(fragmentNumber).matches()) {
			throw KvsError.invalidArgument("FragmentNumber must be a fragment number of the session's stream.");
		}
		Fragment fragment = fragments.find(opened.stream().streamId(), fragmentNumber)
			.orElseThrow(() -> KvsError.resourceNotFound("The fragment " + fragmentNumber
					+ " is not in the session's stream."));
		StreamingSession session = opened.session();
		Instant at = PlaybackSelection.timestampOf(session, fragment);
		if ((session.startTimestamp() != null && at.isBefore(session.startTimestamp()))
				|| (session.endTimestamp() != null && at.isAfter(session.endTimestamp()))) {
			throw KvsError.resourceNotFound("The fragment " + fragmentNumber + " is outside the session's range.");
		}
		return fragment;
	}

	/**
	 * The fragment a DASH {@code $Time$} names: the one the session lists at that millisecond, which with producer
	 * timestamps is the newest fragment starting then ("the fragment that has the larger fragment number ... is
	 * included"), within the session's range.
	 */
	private Fragment fragmentAt(Opened opened, String fragmentTimestamp) {
		if (!FRAGMENT_TIMESTAMP.matcher(fragmentTimestamp).matches()) {
			throw KvsError.invalidArgument(DashManifests.FRAGMENT_TIMESTAMP
					+ " must be a fragment timestamp of the session in epoch milliseconds.");
		}
		long millis = Long.parseLong(fragmentTimestamp);
		StreamingSession session = opened.session();
		List<Fragment> starting = fragments.select(opened.stream().streamId(),
				f -> DashManifests.ticks(PlaybackSelection.timestampOf(session, f), DashManifests.TIMESCALE) == millis,
				null, Integer.MAX_VALUE);
		if (starting.isEmpty()) {
			throw KvsError.resourceNotFound("No fragment of the session's stream starts at " + millis + ".");
		}
		return fragmentOf(opened, starting.getLast().fragmentNumber());
	}

	private MediaFragment media(Opened opened, Fragment fragment) {
		StoredFragment stored = fragments.read(opened.stream().streamName(), fragment.fragmentNumber())
			.orElseThrow(() -> KvsError.resourceNotFound("The fragment " + fragment.fragmentNumber()
					+ " is no longer available."));
		return media(opened, stored);
	}

	/**
	 * The samples on the session's clock: "the producer timestamps are used in the MP4 fragments" with
	 * PRODUCER_TIMESTAMP, the server timestamps with SERVER_TIMESTAMP (the gaps and overlaps the DiscontinuityMode
	 * section warns about come from those).
	 */
	private MediaFragment media(Opened opened, StoredFragment stored) {
		Instant start = PlaybackSelection.timestampOf(opened.session(), stored.fragment());
		long startNanos = Math.addExact(Math.multiplyExact(start.getEpochSecond(), 1_000_000_000L), start.getNano());
		return MediaFragment.read(liveHeader(stored), stored.payload(), startNanos,
				stored.fragment().duration().toNanos());
	}

	/**
	 * The stored header as a live (unknown-size) Segment: the header was cut from an upload whose Segment size, when
	 * known, spans every fragment of it, not the one Cluster stored with it.
	 */
	private static byte[] liveHeader(StoredFragment stored) {
		if (stored.header().length == 0) {
			throw KvsError.of(HttpStatus.BAD_REQUEST, "UnsupportedStreamMediaTypeException",
					"The fragment " + stored.fragment().fragmentNumber() + " was stored without a stream header.");
		}
		return MkvWriter.liveHeader(ByteBuffer.wrap(stored.header()));
	}

	/**
	 * The {@code mfhd} / continuity number of a fragment's segment: the same for every session, so that segments can
	 * be shared; the server timestamp's seconds grow with every fragment (fragments last at least a second).
	 */
	static long sequenceNumber(Fragment fragment) {
		return Math.max(1, fragment.serverTimestamp().getEpochSecond() & 0xFFFF_FFFFL);
	}

	static long trackNumber(@Nullable String value) {
		if (value == null || !TRACK_NUMBER.matcher(value).matches()) {
			throw KvsError.invalidArgument("TrackNumber must be a track number of the stream.");
		}
		return Long.parseLong(value);
	}

	private record Opened(StreamingSession session, LocalStream stream, String token) {
	}

	private record SegmentKey(String streamId, String fragmentNumber, long track, String format,
			boolean producerTimestamps) {
	}

	private record TracksKey(String streamId, String fragmentNumber) {
	}

}
