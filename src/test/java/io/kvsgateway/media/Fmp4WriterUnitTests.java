package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The box layout {@link Fmp4Writer} promises: sizes that add up, offsets into the mdat, times without drift. */
class Fmp4WriterUnitTests {

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_KVS })
	void boxSizesAddUpToTheWholeFile(String fixture) {
		byte[] mp4 = Fmp4Fixtures.read(fixture).mp4();
		List<Box> top = boxes(ByteBuffer.wrap(mp4));
		assertThat(top.stream().mapToInt(box -> box.body.remaining() + 8).sum()).isEqualTo(mp4.length);
		assertThat(top.get(0).type).isEqualTo("ftyp");
		assertThat(top.get(1).type).isEqualTo("moov");
		assertThat(top.subList(2, top.size()).stream().map(box -> box.type).distinct()).containsExactly("moof",
				"mdat");
		Box moov = top.get(1);
		assertThat(moov.children().stream().map(box -> box.type)).startsWith("mvhd").endsWith("mvex");
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265 })
	void eachTrunPointsAtItsOwnSamplesInTheFollowingMdat(String fixture) {
		Fmp4Fixtures.Read read = Fmp4Fixtures.read(fixture);
		MediaFragment fragment = read.fragments().get(1);
		Set<Long> numbers = Set.copyOf(read.tracks().stream().map(Track::number).toList());
		byte[] segment = Fmp4Writer.segment(fragment, 2, numbers);
		List<Box> top = boxes(ByteBuffer.wrap(segment));
		assertThat(top).extracting(box -> box.type).containsExactly("moof", "mdat");
		Box moof = top.get(0);
		int mdatStart = moof.body.remaining() + 8 + 8;
		List<Box> trafs = moof.children().stream().filter(box -> box.type.equals("traf")).toList();
		assertThat(trafs).hasSameSizeAs(fragment.tracks());
		assertThat(moof.child("mfhd").body.getInt(4)).isEqualTo(2);
		for (int t = 0; t < trafs.size(); t++) {
			Box trun = trafs.get(t).child("trun");
			ByteBuffer body = trun.body;
			int flags = body.getInt(0) & 0xffffff;
			int count = body.getInt(4);
			int dataOffset = body.getInt(8);
			int stride = Integer.bitCount(flags & 0xf00) * 4;
			List<MediaFragment.Sample> samples = fragment.tracks().get(t).samples();
			assertThat(count).isEqualTo(samples.size());
			assertThat(dataOffset).isGreaterThanOrEqualTo(mdatStart).isLessThan(segment.length);
			int position = dataOffset;
			for (int i = 0; i < count; i++) {
				int size = body.getInt(12 + i * stride + 4);
				ByteBuffer expected = samples.get(i).data();
				assertThat(size).isEqualTo(expected.remaining());
				assertThat(ByteBuffer.wrap(segment, position, size)).as("sample %d of track %d", i, t)
					.isEqualTo(expected);
				int sampleFlags = body.getInt(12 + i * stride + 8);
				if (fragment.tracks().get(t).track().type() == Track.Type.VIDEO) {
					assertThat(sampleFlags).isEqualTo(samples.get(i).keyframe() ? Fmp4Writer.SYNC_SAMPLE_FLAGS
							: Fmp4Writer.NON_SYNC_SAMPLE_FLAGS);
				}
				position += size;
			}
		}
		assertThat(top.get(1).body.remaining() + mdatStart).isEqualTo(segment.length);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265 })
	void segmentsEndWhereTheirFragmentEndsAndTouchingOnesContinueExactly(String fixture) {
		Fmp4Fixtures.Read read = Fmp4Fixtures.read(fixture);
		long[] ends = new long[read.tracks().size()];
		// epoch-sized start times must neither overflow nor drift
		long epoch = 1_763_771_234_567_891_234L;
		for (int f = 0; f < read.fragments().size(); f++) {
			MediaFragment source = read.fragments().get(f);
			MediaFragment fragment = shifted(source, epoch);
			Box moof = boxes(ByteBuffer.wrap(Fmp4Writer.segment(fragment, f + 1, Set.of(1L, 2L)))).get(0);
			List<Box> trafs = moof.children().stream().filter(box -> box.type.equals("traf")).toList();
			for (int t = 0; t < trafs.size(); t++) {
				long tfdt = trafs.get(t).child("tfdt").body.getLong(4);
				long timescale = Fmp4Writer.timescale(fragment.tracks().get(t).track());
				if (f == 0) {
					long decode = fragment.tracks().get(t).samples().get(0).decodeNanos();
					assertThat(tfdt).isEqualTo(java.math.BigDecimal.valueOf(decode)
						.multiply(java.math.BigDecimal.valueOf(timescale))
						.divide(java.math.BigDecimal.valueOf(1_000_000_000L), 0, java.math.RoundingMode.HALF_UP)
						.longValueExact());
				}
				else if (read.fragments().get(f - 1).startNanos() + read.fragments().get(f - 1).durationNanos()
						== source.startNanos()) {
					// fragments that touch leave neither gap nor overlap
					assertThat(tfdt).as("tfdt of fragment %d", f).isEqualTo(ends[t]);
				}
				ByteBuffer trun = trafs.get(t).child("trun").body;
				int flags = trun.getInt(0) & 0xffffff;
				int stride = Integer.bitCount(flags & 0xf00) * 4;
				long end = tfdt;
				for (int i = 0; i < trun.getInt(4); i++) {
					end += trun.getInt(12 + i * stride);
				}
				ends[t] = end;
				// the last sample lasts until the fragment's end, rounded like every other time
				MediaFragment.Sample last = fragment.tracks().get(t).samples().getLast();
				assertThat(end).isEqualTo(Fmp4Writer.ticks(last.decodeNanos() + last.durationNanos(), timescale));
			}
		}
	}

	@Test
	void codecsStringsFollowRfc6381() {
		assertThat(Fmp4Writer.codecs(track(MkvFixtures.H264, 1))).isEqualTo("avc1.64000d");
		assertThat(Fmp4Writer.codecs(track(MkvFixtures.H264_AAC, 2))).isEqualTo("mp4a.40.2");
		assertThat(Fmp4Writer.codecs(track(MkvFixtures.H265, 1))).matches("hvc1\\.1\\.6\\.L60(\\.[0-9A-F]{2})*");
		byte[] hvcC = new byte[23];
		hvcC[1] = 0x22; // profile space 0, tier 1 (High), profile 2 (Main 10)
		hvcC[2] = 0x20; // general_profile_compatibility_flag[2], reversed → 0x4
		hvcC[6] = (byte) 0xB0;
		hvcC[12] = (byte) 153;
		assertThat(Fmp4Writer.codecs(new Track(1, 0, Track.Type.VIDEO, Fmp4Writer.HEVC, ByteBuffer.wrap(hvcC), "",
				null, null))).isEqualTo("hvc1.2.4.H153.B0");
		byte[] heAacV2 = HexFormat.of().parseHex("eb09880000"); // AOT 29 needs no escape; 31 would
		assertThat(Fmp4Writer.codecs(new Track(2, 0, Track.Type.AUDIO, Fmp4Writer.AAC, ByteBuffer.wrap(heAacV2), "",
				null, new Track.Audio(48000, 2)))).isEqualTo("mp4a.40.29");
		assertThat(Fmp4Writer.codecs(new Track(2, 0, Track.Type.AUDIO, Fmp4Writer.AAC,
				ByteBuffer.wrap(new byte[] { (byte) 0xF8, 0x20 }), "", null, null))).isEqualTo("mp4a.40.33");
	}

	@Test
	void timescalesAre90kHzForVideoAndTheSamplingRateForAudio() {
		assertThat(Fmp4Writer.timescale(track(MkvFixtures.H264_AAC, 1))).isEqualTo(90_000);
		assertThat(Fmp4Writer.timescale(track(MkvFixtures.H264_AAC, 2))).isEqualTo(48_000);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H265 })
	void theSampleEntryTakesItsSizeFromTheSpsWhenTheTrackHasNone(String fixture) {
		Track source = track(fixture, 1);
		Track bare = new Track(1, 0, Track.Type.VIDEO, source.codecId(), source.codecPrivate(), "", null, null);
		Box entry = boxes(ByteBuffer.wrap(Fmp4Writer.init(List.of(bare)))).get(1)
			.child("trak").child("mdia").child("minf").child("stbl").child("stsd").childrenFrom(8).get(0);
		assertThat(entry.type).isIn("avc1", "hvc1");
		// 180 is not a multiple of the 16-pixel macroblock (or 8-pixel coding block): the SPS crops it
		assertThat(entry.body.getShort(24)).isEqualTo((short) 320);
		assertThat(entry.body.getShort(26)).isEqualTo((short) 180);
	}

	@Test
	void refusesCodecsAndTracksItCannotPackage() {
		Track h264 = track(MkvFixtures.H264, 1);
		assertThatIllegalArgumentException().isThrownBy(() -> Fmp4Writer.init(List.of(new Track(1, 0,
				Track.Type.VIDEO, "V_VP9", h264.codecPrivate(), "", null, null))))
			.withMessageContaining("V_VP9");
		assertThatIllegalArgumentException().isThrownBy(() -> Fmp4Writer.init(List.of(new Track(1, 0,
				Track.Type.VIDEO, h264.codecId(), ByteBuffer.allocate(0), "", null, null))))
			.withMessageContaining("no codec private data");
	}

	private static Track track(String fixture, long number) {
		return Fmp4Fixtures.read(fixture).tracks().stream().filter(t -> t.number() == number).findFirst().orElseThrow();
	}

	private static MediaFragment shifted(MediaFragment fragment, long by) {
		List<MediaFragment.TrackSamples> tracks = new ArrayList<>();
		for (MediaFragment.TrackSamples track : fragment.tracks()) {
			tracks.add(new MediaFragment.TrackSamples(track.track(), track.samples().stream()
				.map(s -> new MediaFragment.Sample(s.presentationNanos() + by, s.decodeNanos() + by, s.durationNanos(),
						s.keyframe(), s.data()))
				.toList()));
		}
		return new MediaFragment(tracks, fragment.startNanos() + by, fragment.durationNanos());
	}

	static List<Box> boxes(ByteBuffer buffer) {
		List<Box> boxes = new ArrayList<>();
		while (buffer.hasRemaining()) {
			int size = buffer.getInt();
			byte[] type = new byte[4];
			buffer.get(type);
			assertThat(size).as("box size").isGreaterThanOrEqualTo(8).isLessThanOrEqualTo(buffer.remaining() + 8);
			ByteBuffer body = buffer.slice(buffer.position(), size - 8);
			buffer.position(buffer.position() + size - 8);
			boxes.add(new Box(new String(type, StandardCharsets.US_ASCII), body));
		}
		return boxes;
	}

	record Box(String type, ByteBuffer body) {

		List<Box> children() {
			return boxes(this.body.duplicate());
		}

		List<Box> childrenFrom(int offset) {
			return boxes(this.body.slice(offset, this.body.remaining() - offset));
		}

		Box child(String type) {
			return children().stream().filter(box -> box.type.equals(type)).findFirst().orElseThrow(
					() -> new AssertionError("no " + type + " in " + this.type));
		}

	}

}
