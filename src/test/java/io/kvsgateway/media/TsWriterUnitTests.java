package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packet structure of {@link TsWriter} segments against ISO/IEC 13818-1: packet size and sync, PSI with a
 * correct CRC, continuity counters within and across segments, PCR and random access flags, and PES timestamps.
 * Whether the media plays is judged by ffmpeg in {@link TsWriterFfprobeUnitTests}.
 */
class TsWriterUnitTests {

	private static final HexFormat HEX = HexFormat.of();

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265, MkvFixtures.H264_KVS })
	void writesWhole188BytePacketsStartingWithTheSyncByte(String fixture) {
		for (MediaFragment fragment : TsFixtures.fragments(fixture)) {
			byte[] segment = TsWriter.segment(fragment, 0);
			assertThat(segment.length % 188).isZero();
			for (int p = 0; p < segment.length; p += 188) {
				assertThat(segment[p]).as("sync byte of packet %d", p / 188).isEqualTo((byte) 0x47);
			}
		}
	}

	@Test
	void computesTheMpeg2Crc() {
		// The CRC-32/MPEG-2 check value of the catalogue of parametrised CRC algorithms.
		byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
		assertThat(TsWriter.crc32(check, 0, check.length)).isEqualTo(0x0376E6E7);
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265 })
	void startsEverySegmentWithPatAndPmtWithCorrectCrc(String fixture) {
		for (MediaFragment fragment : TsFixtures.fragments(fixture)) {
			List<Packet> packets = packets(TsWriter.segment(fragment, 3));
			Packet pat = packets.get(0);
			Packet pmt = packets.get(1);
			assertThat(pat.pid()).isZero();
			assertThat(pmt.pid()).isEqualTo(0x1000);
			byte[] patSection = section(pat);
			byte[] pmtSection = section(pmt);
			// Run over the whole section, CRC included, an MPEG-2 CRC leaves no remainder (13818-1 Annex A).
			assertThat(bitwiseCrc(patSection)).isZero();
			assertThat(bitwiseCrc(pmtSection)).isZero();
			assertThat(patSection[0]).isEqualTo((byte) 0x00);
			assertThat(((patSection[10] & 0x1F) << 8) | (patSection[11] & 0xFF)).as("PMT PID").isEqualTo(0x1000);
			assertThat(pmtSection[0]).isEqualTo((byte) 0x02);

			Map<Integer, Integer> streamTypes = streamTypes(pmtSection);
			int pcrPid = ((pmtSection[8] & 0x1F) << 8) | (pmtSection[9] & 0xFF);
			Map<Integer, Integer> expected = new LinkedHashMap<>();
			for (MediaFragment.TrackSamples track : fragment.tracks()) {
				int type = switch (track.track().codecId()) {
					case "V_MPEG4/ISO/AVC" -> 0x1B;
					case "V_MPEGH/ISO/HEVC" -> 0x24;
					default -> 0x0F;
				};
				expected.put(0x100 + (int) track.track().number() - 1, type);
			}
			assertThat(streamTypes).isEqualTo(expected);
			boolean hasVideo = fragment.tracks().stream().anyMatch(t -> t.track().type() == Track.Type.VIDEO);
			assertThat(pcrPid).isEqualTo(hasVideo ? 0x100 : expected.keySet().iterator().next());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { MkvFixtures.H264, MkvFixtures.H264_AAC, MkvFixtures.H265 })
	void continuityCountersChainAcrossSegmentsInPlaylistOrder(String fixture) {
		List<MediaFragment> fragments = TsFixtures.fragments(fixture);
		Map<Integer, Integer> last = new LinkedHashMap<>();
		int checked = 0;
		for (int i = 0; i < fragments.size(); i++) {
			for (Packet packet : packets(TsWriter.segment(fragments.get(i), 41 + i))) {
				Integer previous = last.get(packet.pid());
				if (previous != null) {
					// 13818-1 2.4.3.3: +1 per packet with payload, unchanged without payload.
					int expected = packet.hasPayload() ? (previous + 1) & 0x0F : previous;
					assertThat(packet.counter())
						.as("counter of PID 0x%x in segment %d of %s", packet.pid(), i, fixture)
						.isEqualTo(expected);
					checked++;
				}
				last.put(packet.pid(), packet.counter());
			}
		}
		assertThat(checked).isGreaterThan(100);
	}

	@Test
	void restartsElementaryCountersInEverySegmentAndCountsPsiBySequenceNumber() {
		for (MediaFragment fragment : TsFixtures.fragments(MkvFixtures.H264_AAC)) {
			List<Packet> packets = packets(TsWriter.segment(fragment, 37));
			assertThat(packets.get(0).counter()).isEqualTo(37 % 16);
			assertThat(packets.get(1).counter()).isEqualTo(37 % 16);
			Map<Integer, Integer> withPayload = new LinkedHashMap<>();
			for (Packet packet : packets.subList(2, packets.size())) {
				if (packet.hasPayload()) {
					assertThat(packet.counter()).isEqualTo(withPayload.getOrDefault(packet.pid(), 0) & 0x0F);
					withPayload.merge(packet.pid(), 1, Integer::sum);
				}
			}
			assertThat(withPayload.values()).allSatisfy(count -> assertThat(count % 16).isZero());
		}
	}

	@Test
	void sendsAPcrFirstAndOnEveryVideoPesWithRandomAccessOnKeyframes() {
		MediaFragment fragment = TsFixtures.fragments(MkvFixtures.H264_AAC).get(1);
		List<Packet> packets = packets(TsWriter.segment(fragment, 0));
		Packet first = packets.get(2);
		assertThat(first.pid()).isEqualTo(0x100);
		assertThat(first.hasPayload()).isFalse();
		assertThat(first.pcr()).isNotNull();

		List<Long> pcrs = new ArrayList<>();
		pcrs.add(first.pcr());
		int keyframes = 0;
		int videoStarts = 0;
		for (Packet packet : packets.subList(3, packets.size())) {
			if (packet.pid() == 0x100 && packet.unitStart()) {
				videoStarts++;
				assertThat(packet.pcr()).as("PCR on video PES %d", videoStarts).isNotNull();
				pcrs.add(packet.pcr());
				Pes pes = Pes.of(packet.payload());
				assertThat(packet.pcr()).isLessThanOrEqualTo(pes.dts());
				if (packet.randomAccess()) {
					keyframes++;
				}
			}
			else if (packet.pid() == 0x100) {
				assertThat(packet.pcr()).isNull();
			}
		}
		assertThat(videoStarts).isEqualTo(TsFixtures.samples(fragment, Track.Type.VIDEO));
		assertThat(keyframes).isEqualTo(1);
		assertThat(pcrs).isSorted();
	}

	@Test
	void groupsAacFramesIntoPesPacketsOfAtMost2000Bytes() {
		MediaFragment fragment = TsFixtures.fragments(MkvFixtures.H264_AAC).get(2);
		List<MediaFragment.Sample> samples = fragment.tracks().get(1).samples();
		List<AudioPes> pes = audioPes(TsWriter.segment(fragment, 0), 0x101);
		assertThat(pes).hasSizeLessThan(samples.size() / 4);
		int next = 0;
		for (AudioPes unit : pes) {
			MediaFragment.Sample first = samples.get(next);
			assertThat(unit.pts()).as("PES timed by its first frame").isEqualTo(TsWriter.ticks(first.presentationNanos()));
			int bytes = 0;
			for (byte[] frame : unit.frames()) {
				assertThat(ByteBuffer.wrap(frame)).as("frame %d", next).isEqualTo(samples.get(next).data());
				bytes += frame.length;
				next++;
			}
			MediaFragment.Sample last = samples.get(next - 1);
			assertThat(bytes).isLessThanOrEqualTo(2000);
			assertThat(last.decodeNanos() - first.decodeNanos()).isLessThan(500_000_000);
			if (next < samples.size()) {
				// Greedy: the next frame did not fit.
				assertThat(bytes + samples.get(next).data().remaining() > 2000
						|| samples.get(next).decodeNanos() - first.decodeNanos() >= 500_000_000)
					.isTrue();
			}
		}
		assertThat(next).as("every frame, in order").isEqualTo(samples.size());
	}

	@Test
	void keepsPcrsOfAudioOnlySegmentsWithinATenthOfASecond() {
		MediaFragment mixed = TsFixtures.fragments(MkvFixtures.H264_AAC).get(2);
		MediaFragment audioOnly = new MediaFragment(List.of(mixed.tracks().get(1)), mixed.startNanos(),
				mixed.durationNanos());
		List<Packet> packets = packets(TsWriter.segment(audioOnly, 0));
		List<Long> pcrs = packets.stream().filter(p -> p.pid() == 0x101).map(Packet::pcr).filter(p -> p != null).toList();
		assertThat(pcrs).hasSizeGreaterThan(10).isSorted();
		for (int i = 1; i < pcrs.size(); i++) {
			assertThat(pcrs.get(i) - pcrs.get(i - 1)).isLessThanOrEqualTo(9000);
		}
		List<AudioPes> pes = audioPes(TsWriter.segment(audioOnly, 0), 0x101);
		assertThat(pes.stream().mapToInt(p -> p.frames().size()).sum())
			.isEqualTo(audioOnly.tracks().getFirst().samples().size());
	}

	/** @return the PES packets of an ADTS PID, each split into its raw AAC frames by the ADTS frame lengths. */
	private static List<AudioPes> audioPes(byte[] segment, int pid) {
		List<ByteArrayOutputStream> payloads = new ArrayList<>();
		for (Packet packet : packets(segment)) {
			if (packet.pid() == pid && packet.hasPayload()) {
				if (packet.unitStart()) {
					payloads.add(new ByteArrayOutputStream());
				}
				payloads.getLast().writeBytes(packet.payload());
			}
		}
		List<AudioPes> pes = new ArrayList<>();
		for (ByteArrayOutputStream payload : payloads) {
			byte[] bytes = payload.toByteArray();
			Pes header = Pes.of(bytes);
			assertThat(header.streamId()).isEqualTo(0xC0);
			assertThat(header.length()).as("PES_packet_length").isEqualTo(bytes.length - 6);
			List<byte[]> frames = new ArrayList<>();
			int p = 9 + (bytes[8] & 0xFF);
			while (p < bytes.length) {
				assertThat(bytes[p] & 0xFF).isEqualTo(0xFF);
				assertThat(bytes[p + 1] & 0xF6).isEqualTo(0xF0);
				int length = ((bytes[p + 3] & 0x03) << 11) | ((bytes[p + 4] & 0xFF) << 3) | ((bytes[p + 5] & 0xFF) >> 5);
				frames.add(Arrays.copyOfRange(bytes, p + 7, p + length));
				p += length;
			}
			assertThat(p).isEqualTo(bytes.length);
			pes.add(new AudioPes(header.pts(), frames));
		}
		return pes;
	}

	private record AudioPes(long pts, List<byte[]> frames) {
	}

	@Test
	void encodesPtsFieldsWithPrefixAndMarkerBits() {
		// 0x1_2345_6789: bits 32..30 = 100, 29..15 = 0x468A, 14..0 = 0x6789, each group followed by a marker bit.
		assertThat(TsWriter.timestamp(2, 0x1_2345_6789L)).containsExactly(0x29, 0x8D, 0x15, 0xCF, 0x13);
		assertThat(TsWriter.timestamp(1, 0)).containsExactly(0x11, 0x00, 0x01, 0x00, 0x01);
	}

	@Test
	void mapsNanosecondsOntoThe90KhzClockModulo2To33() {
		assertThat(TsWriter.ticks(1_000_000_000L)).isEqualTo(90_000);
		assertThat(TsWriter.ticks(33_333_333L)).as("rounded, not truncated").isEqualTo(3000);
		assertThat(TsWriter.ticks(5_555L)).isZero();
		assertThat(TsWriter.ticks(5_556L)).isEqualTo(1);
		assertThat(TsWriter.ticks(-11_112L)).isEqualTo((1L << 33) - 1);
		// 2^33 ticks are 95443.7176888... s; one second later the clock reads one second.
		long wrap = 95_443_717_688_889L;
		assertThat(TsWriter.ticks(wrap + 1_000_000_000L)).isEqualTo(90_000);
		// An epoch time in 2025 does not overflow on the way.
		assertThat(TsWriter.ticks(1_763_000_000_000_000_000L))
			.isEqualTo(java.math.BigInteger.valueOf(1_763_000_000_000_000_000L)
				.multiply(java.math.BigInteger.valueOf(9))
				.add(java.math.BigInteger.valueOf(50_000))
				.divide(java.math.BigInteger.valueOf(100_000))
				.mod(java.math.BigInteger.TWO.pow(33))
				.longValueExact());
	}

	@Test
	void writesDtsOnlyWhenItDiffersFromPts() {
		long start = 5_000_000_000L;
		MediaFragment fragment = new MediaFragment(List.of(new MediaFragment.TrackSamples(avc(1),
				List.of(sample(start + 33_333_333, start, true), sample(start + 33_333_333, start + 33_333_333, false)))),
				start, 66_666_666);
		List<Pes> pes = packets(TsWriter.segment(fragment, 0)).stream()
			.filter(p -> p.pid() == 0x100 && p.unitStart())
			.map(p -> Pes.of(p.payload()))
			.toList();
		assertThat(pes).hasSize(2);
		assertThat(pes.get(0).pts()).isEqualTo(453_000);
		assertThat(pes.get(0).dts()).isEqualTo(450_000);
		assertThat(pes.get(0).flags()).isEqualTo(0xC0);
		assertThat(pes.get(1).pts()).isEqualTo(453_000);
		assertThat(pes.get(1).flags()).isEqualTo(0x80);
		assertThat(pes.get(0).streamId()).isEqualTo(0xE0);
		assertThat(pes.get(0).length()).as("PES_packet_length of video").isZero();
	}

	@Test
	void putsDelimiterAndParameterSetsInFrontOfKeyframesOnly() {
		AnnexB avc = AnnexB.avc(avcC(2));
		ByteBuffer slice = ByteBuffer.wrap(HEX.parseHex("0002" + "65aa"));
		assertThat(HEX.formatHex(avc.accessUnit(slice, true)))
			.isEqualTo("0000000109f0" + "00000001670102" + "0000000168ee" + "0000000165aa");
		assertThat(HEX.formatHex(avc.accessUnit(ByteBuffer.wrap(HEX.parseHex("0002" + "41bb")), false)))
			.isEqualTo("0000000109f0" + "0000000141bb");
		// In-band SPS/PPS are not repeated, and an in-band delimiter is replaced by the leading one.
		ByteBuffer inBand = ByteBuffer.wrap(HEX.parseHex("0002" + "09f0" + "0003" + "670304" + "0002" + "65cc"));
		assertThat(HEX.formatHex(avc.accessUnit(inBand, true)))
			.isEqualTo("0000000109f0" + "00000001670304" + "0000000165cc");
	}

	@Test
	void takesSamplesAndParameterSetsThatAreAlreadyAnnexB() {
		// KVS producers may send Annex B frames and codec private data (developer guide, NAL adaptation flags).
		AnnexB avc = AnnexB.avc(ByteBuffer.wrap(HEX.parseHex("00000001670102" + "00000168ee")));
		ByteBuffer frame = ByteBuffer.wrap(HEX.parseHex("00000001" + "06aa" + "000001" + "65bb00" + "000000000165cc"));
		assertThat(HEX.formatHex(avc.accessUnit(frame, true))).isEqualTo("0000000109f0" + "00000001670102"
				+ "0000000168ee" + "0000000106aa" + "0000000165bb" + "0000000165cc");
		// A length-prefixed sample whose first length looks like a start code is still read by its lengths.
		AnnexB lengths = AnnexB.avc(avcC(4));
		byte[] nal = new byte[0x101];
		nal[0] = 0x41;
		ByteBuffer ambiguous = ByteBuffer.allocate(4 + nal.length).putInt(nal.length).put(nal).flip();
		assertThat(HEX.formatHex(lengths.accessUnit(ambiguous, false)))
			.isEqualTo("0000000109f0" + "00000001" + HEX.formatHex(nal));
	}

	@Test
	void putsHevcDelimiterAndVpsSpsPpsInFrontOfKeyframes() {
		// hvcC: 21 bytes of profile fields, lengthSizeMinusOne 3, then VPS, SPS and PPS arrays of one NAL unit each.
		String hvcC = "01" + "00".repeat(20) + "03" + "03" + "200001" + "0002" + "4001" + "210001" + "0002" + "4201"
				+ "220001" + "0002" + "4401";
		AnnexB hevc = AnnexB.hevc(ByteBuffer.wrap(HEX.parseHex(hvcC)));
		ByteBuffer idr = ByteBuffer.wrap(HEX.parseHex("00000003" + "2601aa"));
		assertThat(HEX.formatHex(hevc.accessUnit(idr, true))).isEqualTo("00000001460150" + "000000014001"
				+ "000000014201" + "000000014401" + "000000012601aa");
	}

	@Test
	void framesAacWithAdtsHeadersFromTheAudioSpecificConfig() {
		// AudioSpecificConfig 0x1188: AAC LC (2), 48 kHz (index 3), mono (1).
		Track track = new Track(2, 0, Track.Type.AUDIO, "A_AAC", ByteBuffer.wrap(HEX.parseHex("1188")), "", null,
				new Track.Audio(48000, 1));
		Adts adts = Adts.of(track);
		assertThat(adts).isEqualTo(new Adts(1, 3, 1));
		// Frame length 107 = 0b0000001101011, protection absent, buffer fullness 0x7FF, one raw data block.
		assertThat(HEX.formatHex(adts.header(100))).isEqualTo("fff14c400d7ffc");
		// HE-AAC with explicit SBR signalling (object type 5, 24 kHz core, stereo, 48 kHz extension, then AAC LC):
		// ADTS carries the core AAC LC at 24 kHz and leaves SBR implicit.
		Track heAac = new Track(2, 0, Track.Type.AUDIO, "A_AAC", ByteBuffer.wrap(HEX.parseHex("2b118800")), "",
				null, new Track.Audio(48000, 2));
		assertThat(Adts.of(heAac)).isEqualTo(new Adts(1, 6, 2));
	}

	@Test
	void writesOnlyPatAndPmtForAFragmentWithoutSupportedTracks() {
		Track subtitles = new Track(1, 0, Track.Type.OTHER, "S_TEXT/UTF8", ByteBuffer.allocate(0), "", null, null);
		MediaFragment fragment = new MediaFragment(List.of(new MediaFragment.TrackSamples(subtitles,
				List.of(sample(0, 0, true)))), 0, 1_000_000_000);
		List<Packet> packets = packets(TsWriter.segment(fragment, 5));
		assertThat(packets).extracting(Packet::pid).containsExactly(0x0000, 0x1000);
		assertThat(streamTypes(section(packets.get(1)))).isEmpty();
	}

	private static Track avc(long number) {
		return new Track(number, 0, Track.Type.VIDEO, "V_MPEG4/ISO/AVC", avcC(4), "", new Track.Video(320, 180),
				null);
	}

	/** An avcC with one SPS {@code 67 01 02} and one PPS {@code 68 ee}. */
	private static ByteBuffer avcC(int lengthSize) {
		return ByteBuffer.wrap(HEX.parseHex("0164000d" + String.format("%02x", 0xFC | (lengthSize - 1)) + "e1"
				+ "0003670102" + "01" + "000268ee"));
	}

	private static MediaFragment.Sample sample(long pts, long dts, boolean keyframe) {
		byte[] slice = keyframe ? HEX.parseHex("0000000265aa") : HEX.parseHex("0000000241bb");
		return new MediaFragment.Sample(pts, dts, 33_333_333, keyframe, ByteBuffer.wrap(slice));
	}

	private static Map<Integer, Integer> streamTypes(byte[] pmt) {
		Map<Integer, Integer> types = new LinkedHashMap<>();
		int programInfo = ((pmt[10] & 0x0F) << 8) | (pmt[11] & 0xFF);
		int end = pmt.length - 4;
		for (int p = 12 + programInfo; p < end;) {
			int pid = ((pmt[p + 1] & 0x1F) << 8) | (pmt[p + 2] & 0xFF);
			types.put(pid, pmt[p] & 0xFF);
			p += 5 + (((pmt[p + 3] & 0x0F) << 8) | (pmt[p + 4] & 0xFF));
		}
		return types;
	}

	/** @return the PSI section after the pointer field, as long as its section_length says. */
	private static byte[] section(Packet packet) {
		byte[] payload = packet.payload();
		int start = 1 + (payload[0] & 0xFF);
		int length = ((payload[start + 1] & 0x0F) << 8) | (payload[start + 2] & 0xFF);
		return Arrays.copyOfRange(payload, start, start + 3 + length);
	}

	/** The MPEG-2 CRC bit by bit, independently of the writer's table. */
	private static int bitwiseCrc(byte[] bytes) {
		int crc = 0xFFFFFFFF;
		for (byte b : bytes) {
			for (int bit = 7; bit >= 0; bit--) {
				boolean in = ((b >> bit) & 1) != 0;
				boolean top = crc < 0;
				crc <<= 1;
				if (in != top) {
					crc ^= 0x04C11DB7;
				}
			}
		}
		return crc;
	}

	static List<Packet> packets(byte[] segment) {
		assertThat(segment.length % 188).isZero();
		List<Packet> packets = new ArrayList<>();
		for (int p = 0; p < segment.length; p += 188) {
			packets.add(Packet.of(Arrays.copyOfRange(segment, p, p + 188)));
		}
		return packets;
	}

	/** One parsed transport packet. */
	record Packet(int pid, boolean unitStart, int adaptationControl, int counter, byte[] adaptation, byte[] payload) {

		static Packet of(byte[] bytes) {
			assertThat(bytes[0]).isEqualTo((byte) 0x47);
			int pid = ((bytes[1] & 0x1F) << 8) | (bytes[2] & 0xFF);
			int control = (bytes[3] >> 4) & 0x03;
			int p = 4;
			byte[] adaptation = new byte[0];
			if ((control & 0x02) != 0) {
				int length = bytes[4] & 0xFF;
				assertThat(length).as("adaptation_field_length").isLessThanOrEqualTo((control == 0x02) ? 183 : 182);
				adaptation = Arrays.copyOfRange(bytes, 5, 5 + length);
				p = 5 + length;
			}
			byte[] payload = ((control & 0x01) != 0) ? Arrays.copyOfRange(bytes, p, 188) : new byte[0];
			return new Packet(pid, (bytes[1] & 0x40) != 0, control, bytes[3] & 0x0F, adaptation, payload);
		}

		boolean hasPayload() {
			return (this.adaptationControl & 0x01) != 0;
		}

		boolean randomAccess() {
			return this.adaptation.length > 0 && (this.adaptation[0] & 0x40) != 0;
		}

		/** @return the PCR base (90 kHz), or {@literal null}. */
		Long pcr() {
			if (this.adaptation.length < 7 || (this.adaptation[0] & 0x10) == 0) {
				return null;
			}
			long base = 0;
			for (int i = 1; i <= 4; i++) {
				base = (base << 8) | (this.adaptation[i] & 0xFF);
			}
			return (base << 1) | ((this.adaptation[5] >> 7) & 1);
		}

	}

	/** The start of a PES packet. */
	record Pes(int streamId, int length, int flags, long pts, long dts) {

		static Pes of(byte[] payload) {
			assertThat(payload[0]).isZero();
			assertThat(payload[1]).isZero();
			assertThat(payload[2]).isEqualTo((byte) 1);
			int flags = payload[7] & 0xC0;
			long pts = timestamp(payload, 9);
			long dts = (flags == 0xC0) ? timestamp(payload, 14) : pts;
			return new Pes(payload[3] & 0xFF, ((payload[4] & 0xFF) << 8) | (payload[5] & 0xFF), flags, pts, dts);
		}

		private static long timestamp(byte[] b, int p) {
			assertThat(b[p] & 1).as("marker bit").isOne();
			assertThat(b[p + 2] & 1).as("marker bit").isOne();
			assertThat(b[p + 4] & 1).as("marker bit").isOne();
			return (((long) (b[p] >> 1) & 0x07) << 30) | ((long) (b[p + 1] & 0xFF) << 22)
					| ((long) ((b[p + 2] >> 1) & 0x7F) << 15) | ((b[p + 3] & 0xFF) << 7) | ((b[p + 4] >> 1) & 0x7F);
		}

	}

}
