package io.kvsgateway.local;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.PlaybackTracks.Playable;
import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.PlaybackMode;

/**
 * The text of the HLS master and media playlists (RFC 8216) of a session. Every URI is relative to the playlist and
 * carries the session token, so the player never needs anything but the session URL.
 */
final class HlsPlaylists {

	static final String MASTER = "getHLSMasterPlaylist.m3u8";

	static final String MEDIA = "getHLSMediaPlaylist.m3u8";

	static final String INIT = "getMP4InitFragment.mp4";

	static final String MP4_FRAGMENT = "getMP4MediaFragment.mp4";

	static final String TS_FRAGMENT = "getTSFragment.ts";

	private static final String AUDIO_GROUP = "audio";

	private HlsPlaylists() {
	}

	/**
	 * GetHLSMasterPlaylist: "a URL for the GetHLSMediaPlaylist action for each track, and additional metadata for the
	 * media player, including estimated bitrate and resolution". fMP4 gives audio its own rendition and media
	 * playlist; MPEG-TS muxes every track into one playlist.
	 */
	static String master(StreamingSession session, String token, PlaybackTracks tracks) {
		StringBuilder m3u8 = new StringBuilder("#EXTM3U\n");
		boolean fmp4 = session.containerFormat() != ContainerFormat.MPEG_TS;
		m3u8.append("#EXT-X-VERSION:").append(fmp4 ? 6 : 3).append('\n');
		m3u8.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
		Playable main = tracks.main();
		Playable audio = tracks.audio();
		boolean separateAudio = fmp4 && audio != null && audio != main;
		if (separateAudio) {
			m3u8.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"").append(AUDIO_GROUP)
				.append("\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES,URI=\"")
				.append(mediaPlaylistUri(token, audio.number()))
				.append("\"\n");
		}
		long bandwidth = tracks.all().stream().mapToLong(Playable::bandwidth).sum();
		m3u8.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(Math.max(1, bandwidth));
		m3u8.append(",CODECS=\"")
			.append(String.join(",", tracks.all().stream().map(Playable::codecs).toList()))
			.append('"');
		if (main.isVideo() && main.track().video() != null && main.track().video().pixelWidth() > 0) {
			m3u8.append(",RESOLUTION=")
				.append(main.track().video().pixelWidth())
				.append('x')
				.append(main.track().video().pixelHeight());
		}
		if (separateAudio) {
			m3u8.append(",AUDIO=\"").append(AUDIO_GROUP).append('"');
		}
		m3u8.append('\n').append(fmp4 ? mediaPlaylistUri(token, main.number()) : MEDIA + "?SessionToken=" + token);
		m3u8.append('\n');
		return m3u8.toString();
	}

	/**
	 * GetHLSMediaPlaylist of one track (fMP4) or of the muxed stream (MPEG-TS, {@code trackNumber} null).
	 */
	static String media(StreamingSession session, String token, @Nullable Long trackNumber, Selection selection) {
		boolean fmp4 = session.containerFormat() != ContainerFormat.MPEG_TS;
		// Every line repeats the token: size the buffer once instead of growing it through a 5,000-entry playlist.
		StringBuilder m3u8 = new StringBuilder(256 + selection.entries().size() * (token.length() + 160));
		m3u8.append("#EXTM3U\n");
		// EXT-X-MAP outside an I-frames-only playlist needs version 6; decimal EXTINF needs 3.
		m3u8.append("#EXT-X-VERSION:").append(fmp4 ? 6 : 3).append('\n');
		m3u8.append("#EXT-X-TARGETDURATION:").append(targetDuration(selection)).append('\n');
		m3u8.append("#EXT-X-MEDIA-SEQUENCE:").append(selection.firstSequence()).append('\n');
		if (selection.firstDiscontinuitySequence() > 0) {
			m3u8.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(selection.firstDiscontinuitySequence()).append('\n');
		}
		if (session.playbackMode() == PlaybackMode.ON_DEMAND) {
			m3u8.append("#EXT-X-PLAYLIST-TYPE:VOD\n");
		}
		if (fmp4) {
			m3u8.append("#EXT-X-MAP:URI=\"")
				.append(INIT)
				.append("?SessionToken=")
				.append(token)
				.append("&TrackNumber=")
				.append(trackNumber)
				.append("\"\n");
		}
		boolean first = true;
		for (Entry entry : selection.entries()) {
			// The first entry's discontinuity, if any, is counted in EXT-X-DISCONTINUITY-SEQUENCE.
			if (entry.discontinuity() && !first) {
				m3u8.append("#EXT-X-DISCONTINUITY\n");
			}
			first = false;
			if (session.displayFragmentTimestamp() == Display.ALWAYS) {
				m3u8.append("#EXT-X-PROGRAM-DATE-TIME:")
					.append(DateTimeFormatter.ISO_INSTANT.format(entry.timestamp().truncatedTo(ChronoUnit.MILLIS)))
					.append('\n');
			}
			m3u8.append("#EXTINF:");
			appendSeconds(m3u8, entry.duration());
			m3u8.append(",\n");
			if (fmp4) {
				m3u8.append(MP4_FRAGMENT)
					.append("?SessionToken=")
					.append(token)
					.append("&FragmentNumber=")
					.append(entry.fragmentNumber())
					.append("&TrackNumber=")
					.append(trackNumber);
			}
			else {
				m3u8.append(TS_FRAGMENT)
					.append("?SessionToken=")
					.append(token)
					.append("&FragmentNumber=")
					.append(entry.fragmentNumber());
			}
			m3u8.append('\n');
		}
		if (selection.ended()) {
			m3u8.append("#EXT-X-ENDLIST\n");
		}
		return m3u8.toString();
	}

	static String mediaPlaylistUri(String token, long trackNumber) {
		return MEDIA + "?SessionToken=" + token + "&TrackNumber=" + trackNumber;
	}

	/** RFC 8216 4.3.3.1: every EXTINF, rounded to the nearest integer, must not exceed it. */
	static long targetDuration(Selection selection) {
		long target = 1;
		for (Entry entry : selection.entries()) {
			target = Math.max(target, Math.round(entry.duration().toMillis() / 1000.0));
		}
		return target;
	}

	static String seconds(Duration duration) {
		return appendSeconds(new StringBuilder(12), duration).toString();
	}

	/** Seconds with three decimals, rounded to the millisecond; by hand, as String.format costs a microsecond a line. */
	static StringBuilder appendSeconds(StringBuilder out, Duration duration) {
		long millis = Math.round(duration.toNanos() / 1e6);
		long fraction = millis % 1000;
		out.append(millis / 1000).append('.');
		if (fraction < 100) {
			out.append('0');
		}
		if (fraction < 10) {
			out.append('0');
		}
		return out.append(fraction);
	}

}
