package io.kvsgateway.local;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.PlaybackTracks.Playable;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.PlaybackMode;

/**
 * The text of a session's MPEG-DASH manifest (ISO/IEC 23009-1): one Period, one AdaptationSet per playable track, and
 * per Representation a SegmentList whose SegmentTimeline gives each fragment's time and whose SegmentURLs name each
 * fragment by its KVS fragment number.
 * <p>
 * Segment times are the fragments' own timestamps (the ones the media segments carry in {@code tfdt}): a static
 * manifest offsets them to start at 0 with {@code presentationTimeOffset}; a dynamic one maps them to wall-clock time
 * with {@code availabilityStartTime}, so that players find the live edge where the newest fragment is.
 */
final class DashManifests {

	static final String MANIFEST = "getDASHManifest.mpd";

	/**
	 * The namespace of the {@code kvs:fn} and {@code kvs:ts} attributes. The API page names the attributes but not
	 * their namespace; this one is ours.
	 */
	static final String KVS_NAMESPACE = "urn:kvs-gateway:kinesisvideo:dash:2018";

	private DashManifests() {
	}

	/**
	 * @param session the session
	 * @param token its token, repeated in every URL
	 * @param tracks the stream's playable tracks
	 * @param selection the fragments to list
	 * @param now the time of publication
	 * @param mediaToWallClock for LIVE and LIVE_REPLAY: what to add to a fragment timestamp to get the wall-clock time
	 * at which it plays live
	 */
	static String manifest(StreamingSession session, String token, PlaybackTracks tracks, Selection selection,
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
			adaptationSet(xml, session, token, playable, selection, dynamic);
		}
		xml.append("  </Period>\n");
		xml.append("</MPD>\n");
		return xml.toString();
	}

	private static void adaptationSet(StringBuilder xml, StreamingSession session, String token, Playable playable,
			Selection selection, boolean dynamic) {
		long number = playable.number();
		long timescale = playable.timescale();
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
		long offset = (!dynamic && !selection.entries().isEmpty())
				? ticks(selection.entries().getFirst().timestamp(), timescale) : 0;
		xml.append("        <SegmentList timescale=\"").append(timescale).append("\" presentationTimeOffset=\"")
			.append(offset)
			.append("\">\n");
		xml.append("          <Initialization sourceURL=\"").append(HlsPlaylists.INIT).append("?SessionToken=")
			.append(token)
			.append("&amp;TrackNumber=")
			.append(number)
			.append("\"/>\n");
		xml.append("          <SegmentTimeline>\n");
		for (Entry entry : selection.entries()) {
			long t = ticks(entry.timestamp(), timescale);
			long d = ticks(entry.timestamp().plus(entry.duration()), timescale) - t;
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
		for (Entry entry : selection.entries()) {
			xml.append("          <SegmentURL media=\"").append(HlsPlaylists.MP4_FRAGMENT).append("?SessionToken=")
				.append(token)
				.append("&amp;TrackNumber=")
				.append(number)
				.append("&amp;FragmentNumber=")
				.append(entry.fragmentNumber())
				.append("\"/>\n");
		}
		xml.append("        </SegmentList>\n");
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
