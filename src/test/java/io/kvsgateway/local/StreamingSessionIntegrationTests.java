package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ContainerFormat;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHDisplayFragmentNumber;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.kvsgateway.local.LocalKvsTestSupport.MovableClock;
import io.kvsgateway.media.MediaFragment;
import io.kvsgateway.media.Track;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Follows the URLs of real SDK GetHLSStreamingSessionURL / GetDASHStreamingSessionURL answers, over HTTP, to every
 * resource behind them, with media uploaded through PutMedia. Packaging is a recording fake here (the bytes of the
 * fMP4 and TS writers are judged by ffprobe in {@link StreamingSessionFfprobeIntegrationTests}); what is checked is
 * which fragment, track and timestamps each resource asks for, the session token rules, the rates and CORS.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({ LocalKvsTestSupport.MovableClockConfiguration.class,
		StreamingSessionIntegrationTests.RecordingPackagingConfiguration.class })
class StreamingSessionIntegrationTests {

	static final Path DATA_DIR = Path.of("target", "streaming-session-tests", UUID.randomUUID().toString());

	static final AtomicInteger names = new AtomicInteger();

	/**
	 * The producer's clock, far from the server's so that the timestamps the media carries are recognisable; an hour
	 * further for each test, so that no two tests' media start at the same time.
	 */
	static final Instant PRODUCER_BASE = Instant.parse("2026-01-02T03:04:05Z");

	Instant producerStart;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("gateway.local.data-dir", DATA_DIR::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	MovableClock clock;

	@Autowired
	RecordingPackaging packaging;

	@Autowired
	LocalFragmentStore store;

	final HttpClient http = HttpClient.newHttpClient();

	KinesisVideoClient kvs;

	KinesisVideoArchivedMediaClient media;

	String name;

	@BeforeEach
	void stream() {
		kvs = LocalKvsTestSupport.kinesisVideo(port);
		media = LocalKvsTestSupport.archivedMedia(port);
		name = "play-" + names.incrementAndGet();
		producerStart = PRODUCER_BASE.plus(Duration.ofHours(names.get()));
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
	}

	@AfterEach
	void close() {
		clock.reset();
		kvs.close();
		media.close();
	}

	@Test
	void followsTheHlsSessionUrlToEveryTrackAndFragment() throws Exception {
		List<String> numbers = upload(name, "h264-aac.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		HttpResponse<byte[]> master = get(url);
		assertThat(master.statusCode()).isEqualTo(200);
		assertThat(master.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/vnd.apple.mpegurl"));
		assertThat(master.headers().allValues("Access-Control-Allow-Origin")).containsExactly("*");
		String text = text(master);
		assertThat(text).contains("#EXT-X-MEDIA:TYPE=AUDIO").contains("RESOLUTION=320x180")
			.contains("CODECS=\"avc1.fake,mp4a.40.2\"");

		List<String> playlists = new ArrayList<>();
		for (String line : text.lines().toList()) {
			if (line.startsWith("getHLSMediaPlaylist")) {
				playlists.add(line);
			}
			else if (line.contains("URI=\"")) {
				playlists.add(line.substring(line.indexOf("URI=\"") + 5, line.lastIndexOf('"')));
			}
		}
		assertThat(playlists).hasSize(2).allSatisfy(p -> assertThat(p).contains("SessionToken="));

		for (String playlistUri : playlists) {
			URI playlistUrl = URI.create(url).resolve(playlistUri);
			String playlist = text(ok(get(playlistUrl.toString())));
			long track = Long.parseLong(playlistUri.substring(playlistUri.indexOf("TrackNumber=") + 12));
			assertThat(playlist).contains("#EXT-X-PLAYLIST-TYPE:VOD").endsWith("#EXT-X-ENDLIST\n");
			String map = playlist.lines().filter(l -> l.startsWith("#EXT-X-MAP")).findFirst().orElseThrow();
			HttpResponse<byte[]> init = ok(get(playlistUrl.resolve(map.substring(map.indexOf('"') + 1,
					map.lastIndexOf('"'))).toString()));
			assertThat(init.headers().firstValue("Content-Type")).hasValue("video/mp4");
			assertThat(text(init)).isEqualTo("init " + track);

			List<String> fragmentUris = playlist.lines().filter(l -> l.startsWith("getMP4MediaFragment")).toList();
			assertThat(fragmentUris).hasSize(numbers.size());
			for (int i = 0; i < fragmentUris.size(); i++) {
				HttpResponse<byte[]> segment = ok(get(playlistUrl.resolve(fragmentUris.get(i)).toString()));
				assertThat(segment.headers().firstValue("Content-Type")).hasValue("video/mp4");
				assertThat(segment.headers().firstValue("Cache-Control")).hasValueSatisfying(
						c -> assertThat(c).contains("immutable"));
				// PRODUCER_TIMESTAMP sessions carry the producer timestamps in the media.
				assertThat(text(segment)).isEqualTo("fmp4 track " + track + " at " + producerNanos(numbers.get(i)));
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "h264.mkv", "h264-aac.mkv", "h265.mkv", "h264-live.mkv", "h264-kvs.mkv" })
	void describesTheTracksOfEveryFixture(String fixture) throws Exception {
		upload(name, fixture);
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		String master = text(ok(get(url)));

		assertThat(master).contains("RESOLUTION=320x180")
			.contains(fixture.contains("aac") ? "CODECS=\"avc1.fake,mp4a.40.2\"" : "CODECS=\"avc1.fake\"");
		String segment = URI.create(url).resolve("getMP4MediaFragment.mp4?SessionToken=" + token(url)
				+ "&FragmentNumber=" + store.fragments(name).get(1).fragmentNumber() + "&TrackNumber=1").toString();
		assertThat(text(ok(get(segment)))).isEqualTo("fmp4 track 1 at " + nanos(store.fragments(name).get(1)
			.producerTimestamp()));
	}

	@Test
	void packagesEachSegmentOnceForEveryViewer() throws Exception {
		List<String> numbers = upload(name, "h264.mkv");
		String first = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		String second = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		String segment = "getMP4MediaFragment.mp4?SessionToken=%s&FragmentNumber=" + numbers.get(2) + "&TrackNumber=1";

		ok(get(URI.create(first).resolve(segment.formatted(token(first))).toString()));
		ok(get(URI.create(second).resolve(segment.formatted(token(second))).toString()));

		assertThat(packaging.packaged.get(producerNanos(numbers.get(2)) + "/1")).hasValue(1);
	}

	@Test
	void refusesH265AsMpegTsAsTheGuidesHlsTsTableListsH264Only() throws Exception {
		upload(name, "h265.mkv");

		HttpResponse<byte[]> response = get(onDemandHls(name, ContainerFormat.MPEG_TS));

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("x-amzn-ErrorType"))
			.hasValueSatisfying(type -> assertThat(type).startsWith("UnsupportedStreamMediaTypeException"));
	}

	@Test
	void servesMpegTsAsOneMuxedPlaylist() throws Exception {
		List<String> numbers = upload(name, "h264-aac.mkv");
		String url = onDemandHls(name, ContainerFormat.MPEG_TS);

		String master = text(ok(get(url)));
		String playlistUri = master.lines().filter(l -> l.startsWith("getHLSMediaPlaylist")).findFirst().orElseThrow();
		assertThat(master).doesNotContain("EXT-X-MEDIA:");
		String playlist = text(ok(get(URI.create(url).resolve(playlistUri).toString())));
		assertThat(playlist).doesNotContain("EXT-X-MAP");
		List<String> fragments = playlist.lines().filter(l -> l.startsWith("getTSFragment.ts")).toList();
		assertThat(fragments).hasSize(numbers.size());

		HttpResponse<byte[]> ts = ok(get(URI.create(url).resolve(fragments.getFirst()).toString()));
		assertThat(ts.headers().firstValue("Content-Type")).hasValue("video/MP2T");
		assertThat(text(ts)).isEqualTo("ts tracks [1, 2] at " + producerNanos(numbers.getFirst()));
	}

	@Test
	void followsTheDashSessionUrlToInitAndMediaSegments() throws Exception {
		List<String> numbers = upload(name, "h264-aac.mkv");
		String url = media.getDASHStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(DASHPlaybackMode.ON_DEMAND)
			.displayFragmentNumber(DASHDisplayFragmentNumber.ALWAYS)
			.dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(Instant.now().minusSeconds(120)).endTimestamp(Instant.now()))))
			.dashStreamingSessionURL();

		HttpResponse<byte[]> manifest = ok(get(url));
		assertThat(manifest.headers().firstValue("Content-Type")).hasValue("application/dash+xml");
		Document mpd = xml(manifest.body());
		assertThat(mpd.getDocumentElement().getAttribute("type")).isEqualTo("static");
		List<Element> segments = elements(mpd, "S");
		assertThat(segments).hasSize(2 * numbers.size());
		assertThat(segments).extracting(s -> s.getAttributeNS(DashManifests.KVS_NAMESPACE, "fn"))
			.containsExactlyElementsOf(concat(numbers, numbers));

		List<Element> templates = elements(mpd, "SegmentTemplate");
		assertThat(text(ok(get(URI.create(url).resolve(templates.get(1).getAttribute("initialization")).toString()))))
			.isEqualTo("init 2");
		String lastAudio = segmentUrl(url, templates.get(1), segments.getLast());
		Instant server = store.fragments(name).getLast().serverTimestamp();
		// SERVER_TIMESTAMP sessions carry the server timestamps.
		assertThat(text(ok(get(lastAudio)))).isEqualTo("fmp4 track 2 at " + nanos(server));
	}

	@Test
	void dashSegmentUrlsAreShorterThanTheManifestUrlAndCarryACompactToken() throws Exception {
		upload(name, "h264-aac.mkv");
		String url = onDemandDash(name);

		Document mpd = xml(ok(get(url)).body());

		// ffmpeg's DASH demuxer sizes its URL buffers from the manifest URL's length.
		for (Element template : elements(mpd, "SegmentTemplate")) {
			for (String resource : List.of(template.getAttribute("initialization"), template.getAttribute("media"))) {
				assertThat(URI.create(url).resolve(resource.replace("$Time$", "9".repeat(13))).toString().length())
					.as(resource)
					.isLessThan(url.length() / 2);
				assertThat(token(resource)).isNotEqualTo(token(url));
			}
		}
		String segment = segmentUrl(url, elements(mpd, "SegmentTemplate").getFirst(), elements(mpd, "S").getFirst());
		String compact = token(segment);
		assertThat(get(segment).statusCode()).isEqualTo(200);
		// The full token still opens every resource; the compact one opens segments only.
		assertThat(get(segment.replace(compact, token(url))).statusCode()).isEqualTo(200);
		HttpResponse<byte[]> manifest = get(url.replace(token(url), compact));
		assertThat(manifest.statusCode()).isEqualTo(403);
		assertThat(manifest.headers().firstValue("x-amzn-ErrorType")).hasValue("NotAuthorizedException");
	}

	@Test
	void refusesAnExpiredOrTamperedCompactToken() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandDash(name);
		Document mpd = xml(ok(get(url)).body());
		String segment = segmentUrl(url, elements(mpd, "SegmentTemplate").getFirst(), elements(mpd, "S").getFirst());
		String compact = token(segment);
		char flipped = compact.charAt(40) == 'A' ? 'B' : 'A';

		HttpResponse<byte[]> tampered = get(
				segment.replace(compact, compact.substring(0, 40) + flipped + compact.substring(41)));
		clock.moveBy(Duration.ofSeconds(301));
		HttpResponse<byte[]> expired = get(segment);

		assertThat(tampered.statusCode()).isEqualTo(403);
		assertThat(tampered.headers().firstValue("x-amzn-ErrorType")).hasValue("NotAuthorizedException");
		assertThat(expired.statusCode()).isEqualTo(403);
		assertThat(text(expired)).contains("Streaming session token is expired");
	}

	@Test
	void aCompactTokenNeverReadsAnotherStream() throws Exception {
		upload(name, "h264.mkv");
		String other = "play-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(other).dataRetentionInHours(24));
		// Later in the same range: the other stream's times are none of this one's.
		upload(port, other, "h264.mkv", producerStart.plusSeconds(30));
		String ours = token(elements(xml(ok(get(onDemandDash(name))).body()), "SegmentTemplate").getFirst()
			.getAttribute("media"));
		String otherUrl = onDemandDash(other);
		Document otherMpd = xml(ok(get(otherUrl)).body());
		String otherSegment = segmentUrl(otherUrl, elements(otherMpd, "SegmentTemplate").getFirst(),
				elements(otherMpd, "S").getFirst());

		HttpResponse<byte[]> response = get(otherSegment.replace(token(otherSegment), ours));

		assertThat(get(otherSegment).statusCode()).isEqualTo(200);
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
	}

	@Test
	void compactTokensCountAgainstTheirSessionsFragmentRate() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandDash(name);
		Document mpd = xml(ok(get(url)).body());
		String segment = segmentUrl(url, elements(mpd, "SegmentTemplate").getFirst(), elements(mpd, "S").getFirst());

		clock.freeze();
		for (int i = 0; i < 20; i++) {
			String token = (i % 2 == 0) ? token(segment) : token(url);
			assertThat(get(segment.replace(token(segment), token)).statusCode()).as("request %d", i + 1)
				.isEqualTo(200);
		}
		HttpResponse<byte[]> refused = get(segment);

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("x-amzn-ErrorType")).hasValue("ClientLimitExceededException");
	}

	/** A media segment's URL: the template's, with $Time$ from a SegmentTimeline entry, resolved to the manifest's. */
	static String segmentUrl(String manifestUrl, Element template, Element s) {
		return URI.create(manifestUrl)
			.resolve(template.getAttribute("media").replace("$Time$", s.getAttribute("t")))
			.toString();
	}

	String onDemandDash(String stream) {
		return media.getDASHStreamingSessionURL(r -> r.streamName(stream)
			.playbackMode(DASHPlaybackMode.ON_DEMAND)
			.dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(producerStart).endTimestamp(producerStart.plusSeconds(60)))))
			.dashStreamingSessionURL();
	}

	@Test
	void liveSessionsListTheNewestFragmentsWithoutEnding() throws Exception {
		List<String> numbers = upload(name, "h264.mkv");
		String url = media.getHLSStreamingSessionURL(r -> r.streamName(name).maxMediaPlaylistFragmentResults(3L))
			.hlsStreamingSessionURL();

		String playlist = text(ok(get(URI.create(url).resolve(
				"getHLSMediaPlaylist.m3u8?SessionToken=" + token(url) + "&TrackNumber=1").toString())));

		assertThat(playlist).contains("#EXT-X-MEDIA-SEQUENCE:0\n").doesNotContain("ENDLIST")
			.contains("FragmentNumber=" + numbers.get(3)).contains("FragmentNumber=" + numbers.get(5))
			.doesNotContain("FragmentNumber=" + numbers.get(2));
		HttpResponse<byte[]> response = get(url);
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
	}

	@Test
	void liveReplayAddsFragmentsAsTheirDurationsElapse() throws Exception {
		List<String> numbers = upload(name, "h264.mkv");
		Instant first = store.fragments(name).getFirst().serverTimestamp();
		String url = media.getHLSStreamingSessionURL(r -> r.streamName(name)
			.playbackMode(HLSPlaybackMode.LIVE_REPLAY)
			.maxMediaPlaylistFragmentResults(10L)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.SERVER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(first))))
			.hlsStreamingSessionURL();
		String playlistUrl = URI.create(url)
			.resolve("getHLSMediaPlaylist.m3u8?SessionToken=" + token(url) + "&TrackNumber=1")
			.toString();

		List<String> atStart = listed(text(ok(get(playlistUrl))));
		clock.moveBy(Duration.ofMillis(2_500));
		String later = text(ok(get(playlistUrl)));

		assertThat(atStart).containsExactly(numbers.getFirst());
		assertThat(listed(later)).hasSizeGreaterThan(1).startsWith(numbers.getFirst())
			.isSubsetOf(numbers);
		assertThat(later).doesNotContain("ENDLIST").contains("#EXT-X-DISCONTINUITY\n");
	}

	@Test
	void liveDashManifestIsDynamicOnTheServerClock() throws Exception {
		List<String> numbers = upload(name, "h264.mkv");
		String url = media.getDASHStreamingSessionURL(r -> r.streamName(name)).dashStreamingSessionURL();

		Document mpd = xml(ok(get(url)).body());

		Element root = mpd.getDocumentElement();
		assertThat(root.getAttribute("type")).isEqualTo("dynamic");
		assertThat(root.getAttribute("availabilityStartTime")).isEqualTo("1970-01-01T00:00:00Z");
		assertThat(root.getAttribute("minimumUpdatePeriod")).isEqualTo("PT1S");
		assertThat(root.getAttribute("publishTime")).isNotEmpty();
		Element template = elements(mpd, "SegmentTemplate").getFirst();
		assertThat(template.getAttribute("media")).contains("TrackNumber=1&FragmentTimestamp=$Time$");
		Instant newest = store.fragments(name).getLast().serverTimestamp();
		assertThat(elements(mpd, "S").getLast().getAttribute("t")).isEqualTo(Long.toString(newest.toEpochMilli()));
		// LIVE plays by server timestamps: $Time$ of the newest entry names the newest fragment.
		assertThat(text(ok(get(segmentUrl(url, template, elements(mpd, "S").getLast())))))
			.isEqualTo("fmp4 track 1 at " + nanos(newest));
		assertThat(numbers).isNotEmpty();
	}

	static List<String> listed(String playlist) {
		return playlist.lines()
			.filter(l -> l.startsWith("getMP4MediaFragment"))
			.map(l -> l.substring(l.indexOf("FragmentNumber=") + 15, l.indexOf("&TrackNumber")))
			.toList();
	}

	@Test
	void refusesAnExpiredToken() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		clock.moveBy(Duration.ofSeconds(301));
		HttpResponse<byte[]> response = get(url);

		// aws-samples/amazon-kinesis-video-streams-media-viewer issue 5: 403 "Streaming session token is expired".
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(text(response)).contains("Streaming session token is expired");
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
	}

	@Test
	void refusesATamperedToken() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		String token = token(url);
		char flipped = token.charAt(40) == 'A' ? 'B' : 'A';
		String tampered = url.replace(token, token.substring(0, 40) + flipped + token.substring(41));

		HttpResponse<byte[]> response = get(tampered);

		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("NotAuthorizedException");
		assertThat(get(url.substring(0, url.indexOf('?'))).statusCode()).isEqualTo(400);
	}

	@Test
	void aTokenNeverReadsAnotherStream() throws Exception {
		upload(name, "h264.mkv");
		String other = "play-" + names.incrementAndGet();
		kvs.createStream(r -> r.streamName(other).dataRetentionInHours(24));
		List<String> otherNumbers = upload(other, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		HttpResponse<byte[]> response = get(URI.create(url).resolve("getMP4MediaFragment.mp4?SessionToken="
				+ token(url) + "&FragmentNumber=" + otherNumbers.getFirst() + "&TrackNumber=1").toString());

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
	}

	@Test
	void aTokenOfADeletedStreamDoesNotReadItsSuccessor() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		kvs.deleteStream(r -> r.streamARN(kvs.describeStream(d -> d.streamName(name)).streamInfo().streamARN()));
		kvs.createStream(r -> r.streamName(name).dataRetentionInHours(24));
		upload(name, "h264.mkv");

		HttpResponse<byte[]> response = get(url);

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
	}

	@Test
	void refusesAHlsTokenOnTheDashResources() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		HttpResponse<byte[]> response = get(url.replace("/hls/v1/getHLSMasterPlaylist.m3u8",
				"/dash/v1/getDASHManifest.mpd"));

		assertThat(response.statusCode()).isEqualTo(403);
	}

	@Test
	void refusesTheTwentyFirstFragmentRequestOfASessionWithinOneSecond() throws Exception {
		List<String> numbers = upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		String fragment = URI.create(url).resolve("getMP4MediaFragment.mp4?SessionToken=" + token(url)
				+ "&FragmentNumber=" + numbers.getFirst() + "&TrackNumber=1").toString();

		// The guide's "Video playback protocol API service quotas": GetMP4MediaFragment 20 TPS per session.
		clock.freeze();
		for (int i = 0; i < 20; i++) {
			assertThat(get(fragment).statusCode()).as("request %d", i + 1).isEqualTo(200);
		}
		HttpResponse<byte[]> refused = get(fragment);

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("x-amzn-ErrorType")).hasValue("ClientLimitExceededException");
		assertThat(JsonMapper.shared().readTree(refused.body()).required("Message").stringValue()).isNotBlank();
		// Another session of the same viewer has its own budget.
		String another = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);
		assertThat(get(fragment.replace(token(url), token(another))).statusCode()).isEqualTo(200);
	}

	@Test
	void answersCorsPreflights() throws Exception {
		upload(name, "h264.mkv");
		String url = onDemandHls(name, ContainerFormat.FRAGMENTED_MP4);

		HttpResponse<byte[]> preflight = http.send(HttpRequest.newBuilder(URI.create(url))
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
			.header("Origin", "https://viewer.example")
			.header("Access-Control-Request-Method", "GET")
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		HttpResponse<byte[]> cross = http.send(HttpRequest.newBuilder(URI.create(url))
			.header("Origin", "https://viewer.example")
			.build(), HttpResponse.BodyHandlers.ofByteArray());

		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(
				m -> assertThat(m).contains("GET"));
		assertThat(cross.statusCode()).isEqualTo(200);
		assertThat(cross.headers().allValues("Access-Control-Allow-Origin")).containsExactly("*");
	}

	String onDemandHls(String stream, ContainerFormat format) {
		return media.getHLSStreamingSessionURL(r -> r.streamName(stream)
			.playbackMode(HLSPlaybackMode.ON_DEMAND)
			.containerFormat(format)
			.hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
				.timestampRange(t -> t.startTimestamp(producerStart).endTimestamp(producerStart.plusSeconds(60)))))
			.hlsStreamingSessionURL();
	}

	long producerNanos(String fragmentNumber) {
		return nanos(store.fragments(name)
			.stream().filter(f -> f.fragmentNumber().equals(fragmentNumber))
			.findFirst().orElseThrow().producerTimestamp());
	}

	static long nanos(Instant instant) {
		return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
	}

	static String token(String url) {
		String token = url.substring(url.indexOf("SessionToken=") + 13);
		return token.contains("&") ? token.substring(0, token.indexOf('&')) : token;
	}

	List<String> upload(String stream, String fixture) {
		return upload(port, stream, fixture, producerStart);
	}

	/** Uploads a whole fixture with PutMedia and returns the PERSISTED fragment numbers. */
	static List<String> upload(int port, String stream, String fixture, Instant producerStart) {
		byte[] bytes = MediaFixtures.bytes(fixture);
		Map<String, String> headers = Map.of("x-amzn-stream-name", stream, "x-amzn-fragment-timecode-type",
				"RELATIVE", "x-amzn-producer-start-timestamp", Long.toString(producerStart.getEpochSecond()));
		try (PutMediaUpload upload = PutMediaUpload.open(port, headers, LocalKvsTestSupport.SECRET_ACCESS_KEY)) {
			assertThat(upload.status()).isEqualTo(200);
			upload.send(bytes, 0, bytes.length);
			return upload.finish()
				.allAcks(Duration.ofSeconds(20))
				.stream()
				.filter(a -> a.required("EventType").stringValue().equals("PERSISTED"))
				.map(a -> a.required("FragmentNumber").stringValue())
				.toList();
		}
	}

	HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	static HttpResponse<byte[]> ok(HttpResponse<byte[]> response) {
		assertThat(response.statusCode()).as(() -> new String(response.body(), StandardCharsets.UTF_8))
			.isEqualTo(200);
		return response;
	}

	static String text(HttpResponse<byte[]> response) {
		return new String(response.body(), StandardCharsets.UTF_8);
	}

	static Document xml(byte[] bytes) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
	}

	static List<Element> elements(Document document, String name) {
		NodeList nodes = document.getElementsByTagNameNS("urn:mpeg:dash:schema:mpd:2011", name);
		List<Element> elements = new ArrayList<>();
		for (int i = 0; i < nodes.getLength(); i++) {
			elements.add((Element) nodes.item(i));
		}
		return elements;
	}

	static List<String> concat(List<String> a, List<String> b) {
		List<String> all = new ArrayList<>(a);
		all.addAll(b);
		return all;
	}

	/** Replaces the writers with {@link RecordingPackaging}; imported, never scanned. */
	static class RecordingPackagingConfiguration {

		@Bean
		@Primary
		RecordingPackaging recordingPackaging() {
			return new RecordingPackaging();
		}

	}

	/** Packages into text that names what was asked for (tracks, start time), and counts it. */
	static final class RecordingPackaging implements MediaPackaging {

		final Map<String, AtomicInteger> packaged = new ConcurrentHashMap<>();

		@Override
		public byte[] init(List<Track> tracks) {
			return ("init " + String.join(",", tracks.stream().map(t -> Long.toString(t.number())).toList()))
				.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public byte[] fmp4(MediaFragment fragment, long sequenceNumber, java.util.Set<Long> trackNumbers) {
			long track = trackNumbers.iterator().next();
			packaged.computeIfAbsent(fragment.startNanos() + "/" + track, k -> new AtomicInteger()).incrementAndGet();
			return ("fmp4 track " + track + " at " + fragment.startNanos()).getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public byte[] ts(MediaFragment fragment, long sequenceNumber) {
			return ("ts tracks " + fragment.tracks().stream().map(t -> t.track().number()).toList() + " at "
					+ fragment.startNanos())
				.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String codecs(Track track) {
			return (track.type() == Track.Type.VIDEO) ? "avc1.fake" : "mp4a.40.2";
		}

		@Override
		public long timescale(Track track) {
			return (track.type() == Track.Type.VIDEO) ? 90_000 : 48_000;
		}

	}

}
