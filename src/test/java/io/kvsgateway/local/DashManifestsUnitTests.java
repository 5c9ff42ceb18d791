package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.kvsgateway.local.PlaybackSelection.Entry;
import io.kvsgateway.local.PlaybackSelection.Selection;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static io.kvsgateway.local.PlaybackFixtures.T0;
import static io.kvsgateway.local.PlaybackFixtures.fragment;
import static io.kvsgateway.local.PlaybackFixtures.playableAudio;
import static io.kvsgateway.local.PlaybackFixtures.playableVideo;
import static io.kvsgateway.local.PlaybackFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/** The GetDASHManifest MPD, read back with a namespace-aware XML parser. */
class DashManifestsUnitTests {

	static final String MPD = "urn:mpeg:dash:schema:mpd:2011";

	static final String TOKEN = "tok_en-1";

	static final PlaybackTracks TRACKS = new PlaybackTracks(playableVideo(1), playableAudio(2));

	/** Two contiguous fragments from T0 + 0.5 s: 1 s and 2 s long. */
	static Selection twoFragments(boolean ended) {
		Instant first = T0.plusMillis(500);
		return new Selection(List.of(new Entry(fragment(0, first, first), first, 0, false, 0),
				new Entry(fragment(1, first.plusSeconds(1), first.plusSeconds(1), Duration.ofSeconds(2)),
						first.plusSeconds(1), 1, false, 0)),
				ended);
	}

	static Document parse(String xml) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
	}

	static List<Element> elements(Document document, String name) {
		NodeList nodes = document.getElementsByTagNameNS(MPD, name);
		List<Element> elements = new ArrayList<>();
		for (int i = 0; i < nodes.getLength(); i++) {
			elements.add((Element) nodes.item(i));
		}
		return elements;
	}

	@Test
	void onDemandManifestIsStaticAndStartsAtZero() throws Exception {
		StreamingSession session = session(Protocol.DASH, PlaybackMode.ON_DEMAND).build();

		Document mpd = parse(DashManifests.manifest(session, TOKEN, TRACKS, twoFragments(true), T0, Duration.ZERO));

		Element root = mpd.getDocumentElement();
		assertThat(root.getAttribute("type")).isEqualTo("static");
		assertThat(root.getAttribute("mediaPresentationDuration")).isEqualTo("PT3.000S");
		assertThat(root.hasAttribute("minimumUpdatePeriod")).isFalse();
		assertThat(elements(mpd, "UTCTiming")).isEmpty();
		List<Element> sets = elements(mpd, "AdaptationSet");
		assertThat(sets).extracting(e -> e.getAttribute("contentType")).containsExactly("video", "audio");
		List<Element> representations = elements(mpd, "Representation");
		assertThat(representations.get(0).getAttribute("codecs")).isEqualTo("avc1.64000d");
		assertThat(representations.get(0).getAttribute("width")).isEqualTo("320");
		assertThat(representations.get(1).getAttribute("codecs")).isEqualTo("mp4a.40.2");
		assertThat(representations.get(1).getAttribute("audioSamplingRate")).isEqualTo("48000");

		// Milliseconds for every track: t is the fragment's timestamp, presentationTimeOffset moves the first to 0.
		List<Element> templates = elements(mpd, "SegmentTemplate");
		assertThat(templates).hasSize(2);
		long first = T0.toEpochMilli() + 500;
		assertThat(templates).allSatisfy(template -> {
			assertThat(template.getAttribute("timescale")).isEqualTo("1000");
			assertThat(template.getAttribute("presentationTimeOffset")).isEqualTo(Long.toString(first));
			// $Time$ is an index into ffmpeg's timeline unless numbering starts at 0; its default does.
			assertThat(template.hasAttribute("startNumber")).isFalse();
		});
		List<Element> segments = elements(mpd, "S");
		assertThat(segments).hasSize(4);
		assertThat(segments).extracting(e -> e.getAttribute("t"))
			.containsExactly(Long.toString(first), Long.toString(first + 1_000), Long.toString(first),
					Long.toString(first + 1_000));
		assertThat(segments).extracting(e -> e.getAttribute("d")).containsExactly("1000", "2000", "1000", "2000");
		assertThat(segments.get(0).hasAttributeNS(DashManifests.KVS_NAMESPACE, "fn")).isFalse();

		assertThat(templates.get(1).getAttribute("initialization"))
			.isEqualTo("getMP4InitFragment.mp4?SessionToken=tok_en-1&TrackNumber=2");
		assertThat(templates).extracting(e -> e.getAttribute("media"))
			.containsExactly("getMP4MediaFragment.mp4?SessionToken=tok_en-1&TrackNumber=1&FragmentTimestamp=$Time$",
					"getMP4MediaFragment.mp4?SessionToken=tok_en-1&TrackNumber=2&FragmentTimestamp=$Time$");
		assertThat(elements(mpd, "SegmentList")).isEmpty();
		assertThat(elements(mpd, "SegmentURL")).isEmpty();
	}

	@Test
	void displaysFragmentNumbersAndTimestampsInTheKvsNamespace() throws Exception {
		StreamingSession session = session(Protocol.DASH, PlaybackMode.ON_DEMAND).numbers(Display.ALWAYS)
			.timestamps(Display.ALWAYS)
			.build();

		Document mpd = parse(DashManifests.manifest(session, TOKEN, TRACKS, twoFragments(true), T0, Duration.ZERO));

		Element second = elements(mpd, "S").get(1);
		assertThat(second.getAttributeNS(DashManifests.KVS_NAMESPACE, "fn")).isEqualTo("1001");
		assertThat(second.getAttributeNS(DashManifests.KVS_NAMESPACE, "ts"))
			.isEqualTo(Long.toString(T0.plusMillis(1_500).toEpochMilli()));
	}

	@Test
	void liveManifestIsDynamicOnTheWallClock() throws Exception {
		StreamingSession session = session(Protocol.DASH, PlaybackMode.LIVE).build();
		Instant now = T0.plusSeconds(4);

		Document mpd = parse(
				DashManifests.manifest(session, TOKEN, TRACKS, twoFragments(false), now, Duration.ofHours(1)));

		Element root = mpd.getDocumentElement();
		assertThat(root.getAttribute("type")).isEqualTo("dynamic");
		assertThat(root.getAttribute("availabilityStartTime")).isEqualTo("1970-01-01T01:00:00Z");
		assertThat(root.getAttribute("publishTime")).isEqualTo("2026-03-04T05:06:11Z");
		assertThat(root.getAttribute("minimumUpdatePeriod")).isEqualTo("PT1S");
		assertThat(root.hasAttribute("mediaPresentationDuration")).isFalse();
		assertThat(elements(mpd, "SegmentTemplate").get(0).getAttribute("presentationTimeOffset")).isEqualTo("0");
		// the server's time in the manifest, so that players need no time server (dash.js asks one on the internet)
		assertThat(elements(mpd, "UTCTiming")).singleElement().satisfies(timing -> {
			assertThat(timing.getAttribute("schemeIdUri")).isEqualTo("urn:mpeg:dash:utc:direct:2014");
			assertThat(timing.getAttribute("value")).isEqualTo("2026-03-04T05:06:11Z");
		});
	}

	@Test
	void endedLiveReplayStopsAskingForUpdates() throws Exception {
		StreamingSession session = session(Protocol.DASH, PlaybackMode.LIVE_REPLAY).range(T0, null).build();

		Element root = parse(DashManifests.manifest(session, TOKEN, TRACKS, twoFragments(true), T0, Duration.ZERO))
			.getDocumentElement();

		assertThat(root.getAttribute("type")).isEqualTo("dynamic");
		assertThat(root.hasAttribute("minimumUpdatePeriod")).isFalse();
		assertThat(root.getAttribute("mediaPresentationDuration")).isEqualTo("PT3.000S");
	}

	@Test
	void anOverlappingFragmentEndsWhereTheNextStartsAndAGapStays() throws Exception {
		StreamingSession session = session(Protocol.DASH, PlaybackMode.ON_DEMAND).build();
		Instant third = T0.plusSeconds(5);
		Selection overlapping = new Selection(List.of(
				new Entry(fragment(0, T0, T0, Duration.ofMillis(1_500)), T0, 0, false, 0),
				new Entry(fragment(1, T0.plusSeconds(1), T0.plusSeconds(1)), T0.plusSeconds(1), 1, false, 0),
				new Entry(fragment(2, third, third), third, 2, true, 1)), true);

		Document mpd = parse(DashManifests.manifest(session, TOKEN, TRACKS, overlapping, T0, Duration.ZERO));

		assertThat(elements(mpd, "S").subList(0, 3)).extracting(e -> e.getAttribute("d"))
			.containsExactly("1000", "1000", "1000");
	}

	@Test
	void ticksRoundDownInTheTimescale() {
		assertThat(DashManifests.ticks(Instant.ofEpochSecond(10, 999_999_999), 1_000)).isEqualTo(10_999);
		assertThat(DashManifests.ticks(Instant.ofEpochSecond(1, 500_000_000), 48_000)).isEqualTo(72_000);
	}

}
