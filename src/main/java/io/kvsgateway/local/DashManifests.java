package io.kvsgateway.local;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.PlaybackTracks.Playable;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.PlaybackMode;

/**
 * The text of a session's MPEG-DASH manifest (ISO/IEC 23009-1): one Period, one AdaptationSet per playable track, and
 * per Representation a SegmentTemplate whose SegmentTimeline gives each fragment's time, by which ({@code $Time$})
 * the media URL names the fragment.
 * <p>
 * The URLs are templates rather than one SegmentURL per fragment, and carry a compact token rather than the session
 * token, so that each is shorter than the manifest URL: ffmpeg's DASH demuxer, for one, sizes its URL buffers from
 * the manifest URL and fails to open longer segment URLs without even requesting them. Naming fragments by time
 * instead of by a sequence number keeps segment requests stateless: the same time names the same fragment before and
 * after a restart, and after a live window has moved on.
 * <p>
 * Every track lists every fragment, so the timelines stay aligned and a fragment has one time for all of them, as it
 * has one sequence number in the session; a track a fragment holds no samples of (audio outlasting video at the end
 * of an upload) gets a valid media segment without samples.
 * <p>
 * Known ffmpeg (5.1) limits, not the manifest's: its demuxer ends the input when the track furthest behind ends,
 * dropping the longer track's last packets; and in a dynamic manifest it re-finds its place in each refreshed
 * timeline by whole seconds, so two fragments starting within the same second (fragments shorter than a second)
 * make it fetch the first of them again and again.
 * <p>
 * Segment times are the fragments' own timestamps (the ones the media segments carry in {@code tfdt}): a static
 * manifest offsets them to start at 0 with {@code presentationTimeOffset}; a dynamic one maps them to wall-clock time
 * with {@code availabilityStartTime}, so that players find the live edge where the newest fragment is.
 */
final class DashManifests {

	static final String MANIFEST = "getDASHManifest.mpd";

	/** The query parameter of a media segment URL that names its fragment by {@code $Time$}. */
	static final String FRAGMENT_TIMESTAMP = "FragmentTimestamp";

	/** Milliseconds: the timescale of every SegmentTemplate and so of {@code $Time$}. */
	static final long TIMESCALE = 1_000;

	/**
	 * The namespace of the {@code kvs:fn} and {@code kvs:ts} attributes. The API page names the attributes but not
	 * their namespace; this one is ours.
	 */
	static final String KVS_NAMESPACE = "urn:kvs-gateway:kinesisvideo:dash:2018";

	private DashManifests() {
	}

	/**
	 * @param session the session
	 * @param segmentToken the session's {@link SessionTokens#sealCompact compact} token, for the init and media
	 * segment URLs: shorter than the manifest URL's token, as some players need
	 * @param tracks the stream's playable tracks
	 * @param selection the fragments to list
	 * @param now the time of publication
	 * @param mediaToWallClock for LIVE and LIVE_REPLAY: what to add to a fragment timestamp to get the wall-clock time
	 * at which it plays live
	 */
	static String manifest(StreamingSession session, String segmentToken, PlaybackTracks tracks, Selection selection,
			Instant now, Duration mediaToWallClock) {
		boolean dynamic = session.playbackMode() != PlaybackMode.ON_DEMAND;
		Duration longest = Duration.ofSeconds(1);
		Duration span = Duration.ZERO;
		if (!selection.entries().isEmpty()) {
			for (Entry entry : selection.entries()) {
				longest = (entry.duration().compareTo(longest) > 0) ? entry.duration() : longest;
			}
			Entry first = selection.entries().getFirst();
			Entry last = selection.entries().getLast();
			span = Duration.between(first.timestamp(), last.timestamp().plus(last.duration()));
		}
		StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		xml.append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:kvs=\"").append(KVS_NAMESPACE).append('"');
		xml.append(" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"");
		xml.append(" minBufferTime=\"").append(duration(longest)).append('"');
		if (dynamic) {
			xml.append(" type=\"dynamic\"");
			xml.append(" availabilityStartTime=\"").append(dateTime(Instant.EPOCH.plus(mediaToWallClock))).append('"');
			xml.append(" publishTime=\"").append(dateTime(now)).append('"');
			if (selection.ended()) {
				xml.append(" mediaPresentationDuration=\"").append(duration(span)).append('"');
			}
			else {
				// "We recommend that the media player retrieve a new manifest on a one-second interval."
				xml.append(" minimumUpdatePeriod=\"PT1S\"");
			}
			xml.append(" timeShiftBufferDepth=\"").append(duration(span.plus(longest))).append('"');
			xml.append(" suggestedPresentationDelay=\"").append(duration(longest.multipliedBy(3))).append('"');
		}
		else {
			xml.append(" type=\"static\"");
			xml.append(" mediaPresentationDuration=\"").append(duration(span)).append('"');
		}
		xml.append(">\n");
		xml.append("  <Period id=\"0\" start=\"PT0S\">\n");
		for (Playable playable : tracks.all()) {
			adaptationSet(xml, session, segmentToken, playable, selection, dynamic);
		}
		xml.append("  </Period>\n");
		if (dynamic) {
			// The server's clock, in the manifest itself: players place the live edge by wall-clock time, and with no
			// UTCTiming dash.js asks a time server on the internet (time.akamai.com), failing offline or when blocked
			// ("Failed to synchronize client and server time"). DASH-IF IOP 4.7.2: a dynamic MPD should have one.
			xml.append("  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" value=\"").append(dateTime(now))
				.append("\"/>\n");
		}
		xml.append("</MPD>\n");
		return xml.toString();
	}

	private static void adaptationSet(StringBuilder xml, StreamingSession session, String segmentToken,
			Playable playable, Selection selection, boolean dynamic) {
		long number = playable.number();
		xml.append("    <AdaptationSet id=\"").append(number).append("\" contentType=\"")
			.append(playable.isVideo() ? "video" : "audio")
			.append("\" mimeType=\"")
			.append(playable.isVideo() ? "video/mp4" : "audio/mp4")
			.append("\" segmentAlignment=\"true\" startWithSAP=\"1\">\n");
		xml.append("      <Representation id=\"").append(number).append("\" codecs=\"").append(playable.codecs())
			.append("\" bandwidth=\"").append(Math.max(1, playable.bandwidth())).append('"');
		var video = playable.track().video();
		if (playable.isVideo() && video != null && video.pixelWidth() > 0) {
			xml.append(" width=\"").append(video.pixelWidth()).append("\" height=\"").append(video.pixelHeight())
				.append('"');
		}
		var audio = playable.track().audio();
		if (!playable.isVideo() && audio != null) {
			xml.append(" audioSamplingRate=\"").append(Math.round(audio.samplingFrequency())).append('"');
		}
		xml.append(">\n");
		if (!playable.isVideo() && audio != null) {
			xml.append("        <AudioChannelConfiguration schemeIdUri=")
				.append("\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"")
				.append(audio.channels())
				.append("\"/>\n");
		}
		// Every track on one millisecond timeline (KVS keeps fragment timestamps to the millisecond): $Time$ then
		// names the same fragment for every track, exactly, and stays within a double's integer range for browsers.
		long offset = (!dynamic && !selection.entries().isEmpty())
				? ticks(selection.entries().getFirst().timestamp(), TIMESCALE) : 0;
		// No startNumber: ffmpeg's DASH demuxer looks $Time$ up in the timeline by the segment number counted from
		// startNumber as if it were an index from 0, so any other start would make it ask for the wrong times.
		xml.append("        <SegmentTemplate timescale=\"").append(TIMESCALE).append("\" presentationTimeOffset=\"")
			.append(offset)
			.append("\" initialization=\"")
			.append(HlsPlaylists.INIT)
			.append("?SessionToken=")
			.append(segmentToken)
			.append("&amp;TrackNumber=")
			.append(number)
			.append("\" media=\"")
			.append(HlsPlaylists.MP4_FRAGMENT)
			.append("?SessionToken=")
			.append(segmentToken)
			.append("&amp;TrackNumber=")
			.append(number)
			.append("&amp;")
			.append(FRAGMENT_TIMESTAMP)
			.append("=$Time$\">\n");
		xml.append("          <SegmentTimeline>\n");
		List<Entry> entries = selection.entries();
		for (int i = 0; i < entries.size(); i++) {
			Entry entry = entries.get(i);
			long t = ticks(entry.timestamp(), TIMESCALE);
			long d = ticks(entry.timestamp().plus(entry.duration()), TIMESCALE) - t;
			// A fragment that overlaps the next ends where the next starts: a SegmentTimeline entry must not start
			// before the one before it ends (ISO/IEC 23009-1, S@t). A gap stays a gap.
			if (i + 1 < entries.size()) {
				long next = ticks(entries.get(i + 1).timestamp(), TIMESCALE);
				if (next > t && next < t + d) {
					d = next - t;
				}
			}
			xml.append("            <S t=\"").append(t).append("\" d=\"").append(d).append('"');
			// DisplayFragmentNumber: "the Kinesis Video Streams fragment number is added to each S element in the
			// manifest file with the attribute name kvs:fn".
			if (session.displayFragmentNumber() == Display.ALWAYS) {
				xml.append(" kvs:fn=\"").append(entry.fragmentNumber()).append('"');
			}
			// DisplayFragmentTimestamp: "the accurate fragment timestamp is added to each S element ... kvs:ts";
			// epoch milliseconds, the precision KVS keeps.
			if (session.displayFragmentTimestamp() == Display.ALWAYS) {
				xml.append(" kvs:ts=\"").append(entry.timestamp().toEpochMilli()).append('"');
			}
			xml.append("/>\n");
		}
		xml.append("          </SegmentTimeline>\n");
		xml.append("        </SegmentTemplate>\n");
		xml.append("      </Representation>\n");
		xml.append("    </AdaptationSet>\n");
	}

	/** An instant in a track's timescale, rounded down as the fMP4 writer rounds sample times. */
	static long ticks(Instant instant, long timescale) {
		return Math.multiplyExact(instant.getEpochSecond(), timescale) + instant.getNano() * timescale / 1_000_000_000L;
	}

	static String duration(Duration duration) {
		return String.format(Locale.ROOT, "PT%.3fS", duration.toMillis() / 1000.0);
	}

	static String dateTime(Instant instant) {
		return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
	}

}
