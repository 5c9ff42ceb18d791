package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Packages {@link MediaFragment}s as MPEG-2 transport stream segments without re-encoding, for HLS
 * {@code ContainerFormat=MPEG_TS}: every track of the fragment muxed into one segment.
 * <p>
 * Each segment is self-contained (ISO/IEC 13818-1; RFC 8216 3.2 wants a single program and PAT and PMT as the first
 * two packets): PAT, PMT, a PCR, then PES packets in decode order, one per video sample and one per up to 2000 bytes
 * of AAC frames. H.264/H.265 samples become Annex B access units with a delimiter and, on keyframes, the parameter sets
 * of the codec private data; AAC frames get ADTS headers. Times are the fragment's absolute nanoseconds on the 90 kHz
 * clock modulo 2<sup>33</sup>, so consecutive fragments continue each other without any state shared between
 * segments.
 * <p>
 * Continuity counters chain across segments without state too: every elementary stream PID starts each segment at 0
 * and ends it at 15, because the last PES of the PID is spread over a few more packets (with adaptation field
 * stuffing) until the PID's packet count is a multiple of 16; PAT and PMT, one packet each per segment, count
 * {@code sequenceNumber} modulo 16. Played in playlist order, a player therefore sees no counter error and needs no
 * discontinuity indicator, which on the PCR PID would wrongly announce a time base discontinuity. The cost is at most
 * 15 extra packets per PID and segment.
 */
public final class TsWriter {

	static final int PACKET_SIZE = 188;

	static final int PAT_PID = 0x0000;

	static final int PMT_PID = 0x1000;

	static final int FIRST_ES_PID = 0x0100;

	static final int STREAM_TYPE_AAC_ADTS = 0x0F;

	static final int STREAM_TYPE_H264 = 0x1B;

	static final int STREAM_TYPE_H265 = 0x24;

	static final long TIMESTAMP_MASK = (1L << 33) - 1;

	/**
	 * How far the PCR runs behind the decode time of the packets it is sent with: the decoder model's buffering time
	 * (ISO/IEC 13818-1 2.4.2), kept short because segments are fetched whole anyway.
	 */
	static final long PCR_DELAY_TICKS = 9000;

	/** One PES holds AAC frames starting less than this after its first, so audio runs little ahead of video. */
	static final long AUDIO_PES_SPAN_NANOS = 500_000_000;

	/** The same when the audio carries the PCR. */
	static final long PCR_AUDIO_PES_SPAN_NANOS = 80_000_000;

	/** At most this many AAC bytes go into one PES: well within the T-STD audio buffer of 3584 bytes. */
	static final int AUDIO_PES_BYTES = 2000;

	private static final int PAYLOAD_SIZE = PACKET_SIZE - 4;

	private static final int[] CRC_TABLE = crcTable();

	private TsWriter() {
	}

	/**
	 * @param fragment the fragment's samples (H.264, H.265 and AAC tracks; others are left out); must not be
	 * {@literal null}
	 * @param sequenceNumber the segment's position in its playlist, used to continue continuity counters
	 * @return a whole number of 188-byte TS packets, starting with PAT and PMT; never {@literal null}
	 */
	public static byte[] segment(MediaFragment fragment, long sequenceNumber) {
		List<Stream> streams = streams(fragment);
		int pcrPid = streams.stream()
			.filter(s -> s.streamType() != STREAM_TYPE_AAC_ADTS)
			.findFirst()
			.or(() -> streams.stream().findFirst())
			.map(Stream::pid)
			.orElse(0x1FFF);
		List<Pes> units = new ArrayList<>();
		for (Stream stream : streams) {
			List<MediaFragment.Sample> samples = stream.samples();
			for (int from = 0, to; from < samples.size(); from = to) {
				to = from + 1;
				if (stream.adts() != null) {
					// Several AAC frames per PES spare most of a packet of stuffing per frame. The byte limit keeps
					// the PES within the T-STD audio buffer; a PES carrying the PCR (audio only) spans less than
					// 80 ms so that PCRs come at least every 0.1 s (13818-1 2.7.2).
					long span = (stream.pid() == pcrPid) ? PCR_AUDIO_PES_SPAN_NANOS : AUDIO_PES_SPAN_NANOS;
					int bytes = samples.get(from).data().remaining();
					while (to < samples.size()
							&& samples.get(to).decodeNanos() - samples.get(from).decodeNanos() < span
							&& bytes + samples.get(to).data().remaining() <= AUDIO_PES_BYTES) {
						bytes += samples.get(to).data().remaining();
						to++;
					}
				}
				units.add(pes(stream, samples.subList(from, to), stream.pid() == pcrPid));
			}
		}
		// Decode order across tracks; the sort is stable, so ties keep the header's track order.
		units.sort(Comparator.comparingLong(Pes::decodeNanos));
		padToWholeCounterCycles(units);

		int total = 2 + (units.isEmpty() ? 0 : 1) + units.stream().mapToInt(Pes::packets).sum();
		Packets out = new Packets(total);
		int psiCounter = (int) Math.floorMod(sequenceNumber, 16L);
		out.section(PAT_PID, psiCounter, pat());
		out.section(PMT_PID, psiCounter, pmt(streams, pcrPid));
		if (!units.isEmpty()) {
			// A PCR before any PES, so that the segment's clock is known from its start. An adaptation-only packet
			// does not advance the counter, so it repeats the last one (15) of the previous segment.
			long first = units.stream().mapToLong(Pes::decodeNanos).min().orElseThrow();
			out.pcrOnly(pcrPid, 15, pcr(ticks(first)));
		}
		Map<Integer, Integer> counters = new LinkedHashMap<>();
		for (Pes unit : units) {
			int pid = unit.stream().pid();
			int counter = counters.getOrDefault(pid, 0);
			out.pes(unit, counter);
			counters.put(pid, (counter + unit.packets()) & 0x0F);
		}
		return out.bytes();
	}

	/**
	 * @return the 90 kHz clock's ticks for a time in nanoseconds, rounded to the nearest, modulo 2<sup>33</sup>, as PTS
	 * and DTS carry it (split so that epoch times do not overflow)
	 */
	static long ticks(long nanos) {
		long ticks = Math.floorDiv(nanos, 100_000L) * 9 + (Math.floorMod(nanos, 100_000L) * 9 + 50_000) / 100_000;
		return ticks & TIMESTAMP_MASK;
	}

	/** @return the MPEG-2 CRC-32 (polynomial 0x04C11DB7, initial all ones, no reflection, no final inversion). */
	static int crc32(byte[] bytes, int offset, int length) {
		int crc = 0xFFFFFFFF;
		for (int i = offset; i < offset + length; i++) {
			crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xFF];
		}
		return crc;
	}

	/** @return the five bytes of a PTS or DTS field with its 4-bit prefix (ISO/IEC 13818-1 2.4.3.7). */
	static byte[] timestamp(int prefix, long ticks) {
		return new byte[] { (byte) ((prefix << 4) | ((ticks >> 29) & 0x0E) | 1), (byte) (ticks >> 22),
				(byte) (((ticks >> 14) & 0xFE) | 1), (byte) (ticks >> 7), (byte) (((ticks << 1) & 0xFE) | 1) };
	}

	private static long pcr(long decodeTicks) {
		return (decodeTicks - PCR_DELAY_TICKS) & TIMESTAMP_MASK;
	}

	private static List<Stream> streams(MediaFragment fragment) {
		List<MediaFragment.TrackSamples> supported = fragment.tracks()
			.stream()
			.filter(t -> streamType(t.track()) != 0)
			.toList();
		// PIDs from track numbers keep a track on one PID even in a fragment where another track has no samples.
		boolean byNumber = supported.stream().allMatch(t -> t.track().number() <= 0xE00);
		List<Stream> streams = new ArrayList<>();
		int video = 0;
		int audio = 0;
		for (int i = 0; i < supported.size(); i++) {
			MediaFragment.TrackSamples samples = supported.get(i);
			Track track = samples.track();
			int type = streamType(track);
			int pid = FIRST_ES_PID + (byNumber ? (int) track.number() - 1 : i);
			if (type == STREAM_TYPE_AAC_ADTS) {
				streams.add(new Stream(pid, type, 0xC0 + (audio++ & 0x1F), null, Adts.of(track), samples.samples()));
			}
			else {
				AnnexB annexB = (type == STREAM_TYPE_H264) ? AnnexB.avc(track.codecPrivate())
						: AnnexB.hevc(track.codecPrivate());
				streams.add(new Stream(pid, type, 0xE0 + (video++ & 0x0F), annexB, null, samples.samples()));
			}
		}
		return streams;
	}

	private static int streamType(Track track) {
		String codec = track.codecId();
		if (codec.equals("V_MPEG4/ISO/AVC")) {
			return STREAM_TYPE_H264;
		}
		if (codec.equals("V_MPEGH/ISO/HEVC")) {
			return STREAM_TYPE_H265;
		}
		if (codec.startsWith("A_AAC")) {
			return STREAM_TYPE_AAC_ADTS;
		}
		return 0;
	}

	/** @return one PES with the samples' payloads, timed by the first (a video PES always holds one sample). */
	private static Pes pes(Stream stream, List<MediaFragment.Sample> samples, boolean pcr) {
		MediaFragment.Sample sample = samples.getFirst();
		byte[] payload;
		AnnexB annexB = stream.annexB();
		Adts adts = stream.adts();
		if (annexB != null) {
			payload = annexB.accessUnit(sample.data(), sample.keyframe());
		}
		else {
			ByteArrayOutputStream frames = new ByteArrayOutputStream();
			for (MediaFragment.Sample frame : samples) {
				ByteBuffer data = frame.data();
				if (adts != null) {
					frames.writeBytes(adts.header(data.remaining()));
				}
				byte[] bytes = new byte[data.remaining()];
				data.get(bytes);
				frames.writeBytes(bytes);
			}
			payload = frames.toByteArray();
		}
		long pts = ticks(sample.presentationNanos());
		long dts = ticks(sample.decodeNanos());
		boolean withDts = pts != dts;
		int headerDataLength = withDts ? 10 : 5;
		int pesLength = 3 + headerDataLength + payload.length;
		byte[] bytes = new byte[9 + headerDataLength + payload.length];
		bytes[2] = 1;
		bytes[3] = (byte) stream.streamId();
		// Video may exceed 65535 bytes, and 0 ("unbounded") is allowed only for video (2.4.3.7).
		if (annexB == null && pesLength <= 0xFFFF) {
			bytes[4] = (byte) (pesLength >> 8);
			bytes[5] = (byte) pesLength;
		}
		bytes[6] = (byte) 0x84; // '10', data_alignment_indicator: every PES starts an access unit
		bytes[7] = (byte) (withDts ? 0xC0 : 0x80);
		bytes[8] = (byte) headerDataLength;
		System.arraycopy(timestamp(withDts ? 3 : 2, pts), 0, bytes, 9, 5);
		if (withDts) {
			System.arraycopy(timestamp(1, dts), 0, bytes, 14, 5);
		}
		System.arraycopy(payload, 0, bytes, 9 + headerDataLength, payload.length);
		return new Pes(stream, bytes, sample.decodeNanos(), dts, sample.keyframe(), pcr);
	}

	/**
	 * Spreads the last PES packets of each PID over more TS packets until the PID's packet count is a multiple of 16,
	 * so that the next segment's counters, starting at 0, continue this one's. A PES of n bytes fits in up to n
	 * packets of at least one byte each; the PES header is kept whole in the first packet where the PID's PES packets
	 * leave room for that, and split otherwise (allowed, and every PES has at least 20 bytes, so this always works).
	 */
	private static void padToWholeCounterCycles(List<Pes> units) {
		Map<Integer, Integer> packets = new LinkedHashMap<>();
		for (Pes unit : units) {
			packets.merge(unit.stream().pid(), unit.packets(), Integer::sum);
		}
		for (Map.Entry<Integer, Integer> pid : packets.entrySet()) {
			int missing = Math.floorMod(-pid.getValue(), 16);
			for (boolean keepHeader : new boolean[] { true, false }) {
				for (int i = units.size() - 1; i >= 0 && missing > 0; i--) {
					Pes unit = units.get(i);
					if (unit.stream().pid() == pid.getKey()) {
						int most = unit.bytes().length - (keepHeader ? unit.headerLength() - 1 : 0);
						int more = Math.clamp(most - unit.packets(), 0, missing);
						unit.spreadOver(unit.packets() + more);
						missing -= more;
					}
				}
			}
		}
	}

	private static byte[] pat() {
		return section(0x00, 1, new byte[] { 0x00, 0x01, (byte) (0xE0 | (PMT_PID >> 8)), (byte) PMT_PID });
	}

	private static byte[] pmt(List<Stream> streams, int pcrPid) {
		byte[] body = new byte[4 + 5 * streams.size()];
		body[0] = (byte) (0xE0 | (pcrPid >> 8));
		body[1] = (byte) pcrPid;
		body[2] = (byte) 0xF0; // program_info_length 0
		int p = 4;
		for (Stream stream : streams) {
			body[p] = (byte) stream.streamType();
			body[p + 1] = (byte) (0xE0 | (stream.pid() >> 8));
			body[p + 2] = (byte) stream.pid();
			body[p + 3] = (byte) 0xF0; // ES_info_length 0
			p += 5;
		}
		return section(0x02, 1, body);
	}

	/** @return a long-form PSI section (version 0, current) with its CRC. */
	private static byte[] section(int tableId, int idExtension, byte[] body) {
		byte[] section = new byte[8 + body.length + 4];
		int length = section.length - 3;
		section[0] = (byte) tableId;
		section[1] = (byte) (0xB0 | (length >> 8));
		section[2] = (byte) length;
		section[3] = (byte) (idExtension >> 8);
		section[4] = (byte) idExtension;
		section[5] = (byte) 0xC1;
		System.arraycopy(body, 0, section, 8, body.length);
		int crc = crc32(section, 0, section.length - 4);
		ByteBuffer.wrap(section, section.length - 4, 4).putInt(crc);
		return section;
	}

	private static int[] crcTable() {
		int[] table = new int[256];
		for (int i = 0; i < 256; i++) {
			int crc = i << 24;
			for (int bit = 0; bit < 8; bit++) {
				crc = ((crc & 0x80000000) != 0) ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
			}
			table[i] = crc;
		}
		return table;
	}

	/** One elementary stream: a supported track, its PID, and how its samples become PES payloads. */
	private record Stream(int pid, int streamType, int streamId, @Nullable AnnexB annexB, @Nullable Adts adts,
			List<MediaFragment.Sample> samples) {
	}

	/** One PES packet and the number of TS packets it is spread over (at least {@link #minimumPackets()}). */
	private static final class Pes {

		private final Stream stream;

		private final byte[] bytes;

		private final long decodeNanos;

		private final long decodeTicks;

		private final boolean keyframe;

		private final boolean pcr;

		private int packets;

		Pes(Stream stream, byte[] bytes, long decodeNanos, long decodeTicks, boolean keyframe, boolean pcr) {
			this.stream = stream;
			this.bytes = bytes;
			this.decodeNanos = decodeNanos;
			this.decodeTicks = decodeTicks;
			this.keyframe = keyframe;
			this.pcr = pcr;
			this.packets = minimumPackets();
		}

		Stream stream() {
			return this.stream;
		}

		byte[] bytes() {
			return this.bytes;
		}

		long decodeNanos() {
			return this.decodeNanos;
		}

		long decodeTicks() {
			return this.decodeTicks;
		}

		boolean keyframe() {
			return this.keyframe;
		}

		boolean pcr() {
			return this.pcr;
		}

		int packets() {
			return this.packets;
		}

		void spreadOver(int packets) {
			this.packets = packets;
		}

		/** @return the adaptation field bytes the first packet needs: PCR and random access flags. */
		int firstAdaptation() {
			return this.pcr ? 8 : this.keyframe ? 2 : 0;
		}

		int headerLength() {
			return 9 + (this.bytes[8] & 0xFF);
		}

		int minimumPackets() {
			int first = PAYLOAD_SIZE - firstAdaptation();
			return (this.bytes.length <= first) ? 1 : 1 + (this.bytes.length - first + PAYLOAD_SIZE - 1) / PAYLOAD_SIZE;
		}

	}

	/** Writes 188-byte packets into a buffer sized up front. */
	private static final class Packets {

		private final byte[] out;

		private int position;

		Packets(int count) {
			this.out = new byte[count * PACKET_SIZE];
		}

		byte[] bytes() {
			if (this.position != this.out.length) {
				throw new IllegalStateException("planned " + this.out.length + " bytes, wrote " + this.position);
			}
			return this.out;
		}

		void section(int pid, int counter, byte[] section) {
			int start = header(pid, true, 0x01, counter);
			this.out[start] = 0; // pointer_field
			System.arraycopy(section, 0, this.out, start + 1, section.length);
			Arrays.fill(this.out, start + 1 + section.length, this.position + PACKET_SIZE, (byte) 0xFF);
			this.position += PACKET_SIZE;
		}

		void pcrOnly(int pid, int counter, long pcr) {
			int start = header(pid, false, 0x02, counter);
			adaptation(start, PAYLOAD_SIZE, 0x10, pcr);
			this.position += PACKET_SIZE;
		}

		void pes(Pes unit, int counter) {
			byte[] bytes = unit.bytes();
			int offset = 0;
			int packets = unit.packets();
			for (int i = 0; i < packets; i++) {
				boolean first = i == 0;
				int flags = first ? ((unit.pcr() ? 0x10 : 0) | (unit.keyframe() ? 0x40 : 0)) : 0;
				int capacity = PAYLOAD_SIZE - (first ? unit.firstAdaptation() : 0);
				// Fill from the front and leave at least one byte for each packet still to come.
				int length = Math.min(capacity, bytes.length - offset - (packets - 1 - i));
				int adaptation = PAYLOAD_SIZE - length;
				int start = header(unit.stream().pid(), first, (adaptation > 0) ? 0x03 : 0x01, counter + i);
				if (adaptation > 0) {
					adaptation(start, adaptation, flags, unit.pcr() ? pcr(unit.decodeTicks()) : 0);
				}
				System.arraycopy(bytes, offset, this.out, start + adaptation, length);
				offset += length;
				this.position += PACKET_SIZE;
			}
			if (offset != bytes.length) {
				throw new IllegalStateException("PES of " + bytes.length + " bytes not fully packetized");
			}
		}

		/** @return where the packet's adaptation field or payload starts. */
		private int header(int pid, boolean unitStart, int adaptationControl, int counter) {
			int p = this.position;
			this.out[p] = 0x47;
			this.out[p + 1] = (byte) ((unitStart ? 0x40 : 0) | (pid >> 8));
			this.out[p + 2] = (byte) pid;
			this.out[p + 3] = (byte) ((adaptationControl << 4) | (counter & 0x0F));
			return p + 4;
		}

		/** Writes an adaptation field of {@code size} bytes in all (length byte included), stuffed with 0xFF. */
		private void adaptation(int start, int size, int flags, long pcr) {
			this.out[start] = (byte) (size - 1);
			if (size == 1) {
				return;
			}
			this.out[start + 1] = (byte) flags;
			int p = start + 2;
			if ((flags & 0x10) != 0) {
				this.out[p] = (byte) (pcr >> 25);
				this.out[p + 1] = (byte) (pcr >> 17);
				this.out[p + 2] = (byte) (pcr >> 9);
				this.out[p + 3] = (byte) (pcr >> 1);
				this.out[p + 4] = (byte) (((pcr & 1) << 7) | 0x7E); // 6 reserved bits, extension 0
				this.out[p + 5] = 0;
				p += 6;
			}
			Arrays.fill(this.out, p, start + size, (byte) 0xFF);
		}

	}

}
