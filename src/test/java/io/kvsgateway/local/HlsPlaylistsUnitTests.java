package io.kvsgateway.local;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static io.kvsgateway.local.PlaybackFixtures.T0;
import static io.kvsgateway.local.PlaybackFixtures.fragment;
import static io.kvsgateway.local.PlaybackFixtures.playableAudio;
import static io.kvsgateway.local.PlaybackFixtures.playableVideo;
import static io.kvsgateway.local.PlaybackFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/** The playlists of GetHLSMasterPlaylist and GetHLSMediaPlaylist, as RFC 8216 text. */
class HlsPlaylistsUnitTests {

	static final String TOKEN = "tok_en-1";

	static Selection selection(boolean ended, Entry... entries) {
		return new Selection(List.of(entries), ended);
	}

	static Entry entry(int n, long sequence, boolean discontinuity, long discontinuitySequence, Duration duration) {
		return new Entry(fragment(n, T0.plusSeconds(n), T0.plusSeconds(n), duration), T0.plusSeconds(n), sequence,
				discontinuity, discontinuitySequence);
	}

	@Test
	void masterOfVideoAndAudioGivesAudioItsOwnRendition() {
		String master = HlsPlaylists.master(session(Protocol.HLS, PlaybackMode.LIVE).build(), TOKEN,
				new PlaybackTracks(playableVideo(1), playableAudio(2)));

		assertThat(master).isEqualTo("""
				#EXTM3U
				#EXT-X-VERSION:6
				#EXT-X-INDEPENDENT-SEGMENTS
				#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,\
				URI="getHLSMediaPlaylist.m3u8?SessionToken=tok_en-1&TrackNumber=2"
				#EXT-X-STREAM-INF:BANDWIDTH=464000,CODECS="avc1.64000d,mp4a.40.2",RESOLUTION=320x180,AUDIO="audio"
				getHLSMediaPlaylist.m3u8?SessionToken=tok_en-1&TrackNumber=1
				""");
	}

	@Test
	void masterOfVideoOnlyHasOneVariant() {
		String master = HlsPlaylists.master(session(Protocol.HLS, PlaybackMode.LIVE).build(), TOKEN,
				new PlaybackTracks(playableVideo(1), null));

		assertThat(master).doesNotContain("EXT-X-MEDIA:")
			.contains("#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS=\"avc1.64000d\",RESOLUTION=320x180\n"
					+ "getHLSMediaPlaylist.m3u8?SessionToken=tok_en-1&TrackNumber=1\n");
	}

	@Test
	void masterOfAudioOnlyUsesTheAudioTrackAsTheVariant() {
		String master = HlsPlaylists.master(session(Protocol.HLS, PlaybackMode.LIVE).build(), TOKEN,
				new PlaybackTracks(null, playableAudio(1)));

		assertThat(master).doesNotContain("EXT-X-MEDIA:").doesNotContain("RESOLUTION")
			.contains("CODECS=\"mp4a.40.2\"\ngetHLSMediaPlaylist.m3u8?SessionToken=tok_en-1&TrackNumber=1\n");
	}

	@Test
	void masterOfMpegTsMuxesEveryTrackIntoOnePlaylist() {
		String master = HlsPlaylists.master(
				session(Protocol.HLS, PlaybackMode.LIVE).container(ContainerFormat.MPEG_TS).build(), TOKEN,
				new PlaybackTracks(playableVideo(1), playableAudio(2)));

		assertThat(master).startsWith("#EXTM3U\n#EXT-X-VERSION:3\n")
			.doesNotContain("EXT-X-MEDIA:")
			.contains("CODECS=\"avc1.64000d,mp4a.40.2\",RESOLUTION=320x180\n"
					+ "getHLSMediaPlaylist.m3u8?SessionToken=tok_en-1\n");
	}

	@Test
	void onDemandMediaPlaylistOfFragmentedMp4() {
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND).timestamps(Display.ALWAYS).build();
		Selection listed = selection(true, entry(0, 0, false, 0, Duration.ofMillis(1_000)),
				entry(1, 1, true, 1, Duration.ofMillis(2_400)));

		assertThat(HlsPlaylists.media(session, TOKEN, 2L, listed)).isEqualTo("""
				#EXTM3U
				#EXT-X-VERSION:6
				#EXT-X-TARGETDURATION:2
				#EXT-X-MEDIA-SEQUENCE:0
				#EXT-X-DISCONTINUITY-SEQUENCE:0
				#EXT-X-PLAYLIST-TYPE:VOD
				#EXT-X-MAP:URI="getMP4InitFragment.mp4?SessionToken=tok_en-1&TrackNumber=2"
				#EXT-X-PROGRAM-DATE-TIME:2026-03-04T05:06:07Z
				#EXTINF:1.000,
				getMP4MediaFragment.mp4?SessionToken=tok_en-1&FragmentNumber=1000&TrackNumber=2
				#EXT-X-DISCONTINUITY
				#EXT-X-PROGRAM-DATE-TIME:2026-03-04T05:06:08Z
				#EXTINF:2.400,
				getMP4MediaFragment.mp4?SessionToken=tok_en-1&FragmentNumber=1001&TrackNumber=2
				#EXT-X-ENDLIST
				""".replace("#EXT-X-DISCONTINUITY-SEQUENCE:0\n", ""));
	}

	@Test
	void livePlaylistHasNoEndListAndStartsAtItsSequences() {
		StreamingSession session = session(Protocol.HLS, PlaybackMode.LIVE).build();
		Selection listed = selection(false, entry(7, 7, true, 7, Duration.ofSeconds(1)),
				entry(8, 8, true, 8, Duration.ofSeconds(1)));

		String playlist = HlsPlaylists.media(session, TOKEN, 1L, listed);

		assertThat(playlist).contains("#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n")
			.doesNotContain("ENDLIST")
			.doesNotContain("PLAYLIST-TYPE")
			.doesNotContain("PROGRAM-DATE-TIME");
		// The first entry's discontinuity is counted in the sequence, not repeated as a tag.
		assertThat(playlist.split("#EXT-X-DISCONTINUITY\n", -1)).hasSize(2);
		assertThat(playlist.indexOf("#EXT-X-DISCONTINUITY\n")).isGreaterThan(playlist.indexOf("FragmentNumber=1007"));
	}

	@Test
	void mpegTsPlaylistNamesTsFragmentsAndNoInitSegment() {
		StreamingSession session = session(Protocol.HLS, PlaybackMode.ON_DEMAND).container(ContainerFormat.MPEG_TS)
			.build();
		Selection listed = selection(true, entry(0, 0, false, 0, Duration.ofMillis(1_500)));

		assertThat(HlsPlaylists.media(session, TOKEN, null, listed)).isEqualTo("""
				#EXTM3U
				#EXT-X-VERSION:3
				#EXT-X-TARGETDURATION:2
				#EXT-X-MEDIA-SEQUENCE:0
				#EXT-X-PLAYLIST-TYPE:VOD
				#EXTINF:1.500,
				getTSFragment.ts?SessionToken=tok_en-1&FragmentNumber=1000
				#EXT-X-ENDLIST
				""");
	}

	@Test
	void targetDurationCoversTheLongestFragmentRounded() {
		assertThat(HlsPlaylists.targetDuration(selection(false, entry(0, 0, false, 0, Duration.ofMillis(2_499)))))
			.isEqualTo(2);
		assertThat(HlsPlaylists.targetDuration(selection(false, entry(0, 0, false, 0, Duration.ofMillis(2_500)))))
			.isEqualTo(3);
		assertThat(HlsPlaylists.targetDuration(selection(false))).isEqualTo(1);
	}

	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.CsvSource({ "0, 0.000", "20000000, 0.020", "1000500000, 1.001",
			"1000499999, 1.000", "12345000000, 12.345", "999999999, 1.000" })
	void writesExtinfSecondsWithThreeDecimalsAsStringFormatWould(long nanos, String expected) {
		assertThat(HlsPlaylists.seconds(Duration.ofNanos(nanos))).isEqualTo(expected)
			.isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9));
	}

}
