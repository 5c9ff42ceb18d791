package io.kvsgateway.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import io.kvsgateway.media.MediaFragment.Sample;
import io.kvsgateway.media.MediaFragment.TrackSamples;

/**
 * Packages {@link MediaFragment}s as fragmented MP4 (CMAF) without re-encoding: an init segment ({@code ftyp},
 * {@code moov}) per set of tracks and a media segment ({@code moof}, {@code mdat}) per fragment.
 * <p>
 * An init segment followed by the media segments of consecutive fragments, all for the same tracks, is a playable
 * MP4 file (what GetClip returns).
 * <p>
 * Times: every sample's decode and presentation time is rounded from nanoseconds to the track timescale on its own
 * absolute clock, and durations are differences of rounded times. So a fragment's {@code tfdt} plus its durations
 * ends exactly where the next fragment's {@code tfdt} begins (when the fragments touch), without accumulating drift.
 */
public final class Fmp4Writer {

	static final String AVC = "V_MPEG4/ISO/AVC";

	static final String HEVC = "V_MPEGH/ISO/HEVC";

	static final String AAC = "A_AAC";

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	// ISO/IEC 14496-12 8.8.3.1 sample flags: a sync sample depends on no other; any other depends on others and is
	// not a sync sample.
	static final int SYNC_SAMPLE_FLAGS = 0x0200_0000;

	static final int NON_SYNC_SAMPLE_FLAGS = 0x0101_0000;

	private static final int[] UNITY_MATRIX = { 0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000 };

	private Fmp4Writer() {
	}

	/**
	 * @param tracks the tracks, each becoming one {@code trak} whose track ID is its Matroska track number
	 * @return the init segment
	 * @throws IllegalArgumentException when a track's codec is not H.264, H.265 or AAC, or lacks codec private data
	 */
	public static byte[] init(List<Track> tracks) {
		if (tracks.isEmpty()) {
			throw new IllegalArgumentException("an init segment needs at least one track");
		}
		for (Track track : tracks) {
			check(track);
		}
		Box out = new Box();
		out.box("ftyp", ftyp -> {
			ftyp.fourcc("iso6");
			ftyp.u32(0);
			for (String brand : List.of("iso6", "cmfc", "isom", "mp41", "dash")) {
				ftyp.fourcc(brand);
			}
		});
		long nextTrackId = tracks.stream().mapToLong(Track::number).max().orElse(0) + 1;
		out.box("moov", moov -> {
			moov.fullBox("mvhd", 0, 0, mvhd -> {
				mvhd.u32(0); // creation_time
				mvhd.u32(0); // modification_time
				mvhd.u32(1000); // timescale; the movie has no duration of its own, fragments carry it
				mvhd.u32(0); // duration
				mvhd.u32(0x0001_0000); // rate 1.0
				mvhd.u16(0x0100); // volume 1.0
				mvhd.zeros(2 + 8);
				matrix(mvhd);
				mvhd.zeros(6 * 4); // pre_defined
				mvhd.u32(nextTrackId);
			});
			for (Track track : tracks) {
				trak(moov, track);
			}
			moov.box("mvex", mvex -> {
				for (Track track : tracks) {
					mvex.fullBox("trex", 0, 0, trex -> {
						trex.u32(track.number());
						trex.u32(1); // default_sample_description_index
						trex.u32(0); // default_sample_duration
						trex.u32(0); // default_sample_size
						trex.u32(0); // default_sample_flags
					});
				}
			});
		});
		return out.toByteArray();
	}

	/**
	 * @param fragment the fragment's samples
	 * @param sequenceNumber the {@code mfhd} sequence number, at least 1
	 * @param trackNumbers the Matroska track numbers to include (the same set as the init segment's)
	 * @return one {@code moof} + {@code mdat}
	 */
	public static byte[] segment(MediaFragment fragment, long sequenceNumber, Set<Long> trackNumbers) {
		if (sequenceNumber < 1) {
			throw new IllegalArgumentException("sequence number must be at least 1, was " + sequenceNumber);
		}
		List<TrackSamples> included = new ArrayList<>();
		for (TrackSamples track : fragment.tracks()) {
			if (trackNumbers.contains(track.track().number()) && !track.samples().isEmpty()) {
				included.add(track);
			}
		}
		long[] trackBytes = new long[included.size()];
		long mdatPayload = 0;
		for (int i = 0; i < included.size(); i++) {
			for (Sample sample : included.get(i).samples()) {
				trackBytes[i] += sample.data().remaining();
			}
			mdatPayload += trackBytes[i];
		}
		if (mdatPayload > Integer.MAX_VALUE - 64) {
			throw new IllegalArgumentException("fragment too large for one segment: " + mdatPayload + " bytes");
		}
		// The moof's size does not depend on the offsets it holds: write it once to learn the size, then for real.
		int moofSize = moof(included, sequenceNumber, new long[included.size()]).length;
		long[] dataOffsets = new long[included.size()];
		long offset = moofSize + 8L;
		for (int i = 0; i < included.size(); i++) {
			dataOffsets[i] = offset;
			offset += trackBytes[i];
		}
		byte[] moof = moof(included, sequenceNumber, dataOffsets);
		ByteBuffer segment = ByteBuffer.allocate(Math.toIntExact(moof.length + 8 + mdatPayload));
		segment.put(moof);
		segment.putInt(Math.toIntExact(8 + mdatPayload));
		segment.put("mdat".getBytes(StandardCharsets.US_ASCII));
		for (TrackSamples track : included) {
			for (Sample sample : track.samples()) {
				segment.put(sample.data());
			}
		}
		return segment.array();
	}

	/**
	 * @param track a track entry
	 * @return the RFC 6381 codecs string for HLS {@code CODECS} and DASH {@code codecs}, e.g. {@code avc1.64001f},
	 * {@code hvc1.1.6.L93.B0}, {@code mp4a.40.2}
	 */
	public static String codecs(Track track) {
		check(track);
		byte[] cp = bytes(track.codecPrivate());
		return switch (track.codecId()) {
			case AVC -> {
				requireLength(track, cp, 4);
				// AVCDecoderConfigurationRecord: version, AVCProfileIndication, profile_compatibility, AVCLevelIndication
				yield "avc1." + HexFormat.of().formatHex(cp, 1, 4);
			}
			case HEVC -> hevcCodecs(track, cp);
			default -> {
				requireLength(track, cp, 1);
				int aot = (cp[0] & 0xff) >>> 3;
				if (aot == 31) {
					requireLength(track, cp, 2);
					aot = 32 + ((((cp[0] & 0x07) << 8) | (cp[1] & 0xff)) >>> 5);
				}
				yield "mp4a.40." + aot;
			}
		};
	}

	/**
	 * @param track a track entry
	 * @return the timescale (ticks per second) the track's {@code mdhd}, {@code tfdt} and {@code trun} use
	 */
	public static long timescale(Track track) {
		if (track.type() == Track.Type.AUDIO) {
			// One tick per PCM sample, so that AAC frames of 1024 samples are exact when the producer's clock allows.
			long rate = (track.audio() != null) ? Math.round(track.audio().samplingFrequency()) : 0;
			return (rate > 0) ? rate : 48_000;
		}
		// The MPEG-TS and HLS clock: divides evenly into 24, 25, 30, 50 and 60 frames per second.
		return 90_000;
	}

	/**
	 * @param nanos nanoseconds since the epoch (or any origin)
	 * @param timescale ticks per second
	 * @return the time in ticks, rounded to the nearest tick; without overflow for epoch times
	 */
	static long ticks(long nanos, long timescale) {
		long seconds = Math.floorDiv(nanos, NANOS_PER_SECOND);
		long rest = Math.floorMod(nanos, NANOS_PER_SECOND);
		return seconds * timescale + (rest * timescale + NANOS_PER_SECOND / 2) / NANOS_PER_SECOND;
	}

	private static void check(Track track) {
		if (!List.of(AVC, HEVC, AAC).contains(track.codecId())) {
			throw new IllegalArgumentException("track " + track.number() + " has codec " + track.codecId()
					+ "; only " + AVC + ", " + HEVC + " and " + AAC + " can be packaged as fMP4");
		}
		if (!track.hasCodecPrivate()) {
			throw new IllegalArgumentException("track " + track.number() + " (" + track.codecId()
					+ ") has no codec private data");
		}
	}

	private static void requireLength(Track track, byte[] cp, int length) {
		if (cp.length < length) {
			throw new IllegalArgumentException("track " + track.number() + " has " + cp.length
					+ " bytes of codec private data, too short for " + track.codecId());
		}
	}

	private static String hevcCodecs(Track track, byte[] cp) {
		// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1); the string is defined in its annex E.3.
		requireLength(track, cp, 13);
		int profileSpace = (cp[1] & 0xff) >>> 6;
		boolean highTier = (cp[1] & 0x20) != 0;
		int profileIdc = cp[1] & 0x1f;
		int compatibility = ByteBuffer.wrap(cp, 2, 4).getInt();
		StringBuilder codecs = new StringBuilder("hvc1.");
		if (profileSpace > 0) {
			codecs.append((char) ('A' + profileSpace - 1));
		}
		codecs.append(profileIdc)
			.append('.')
			.append(Integer.toHexString(Integer.reverse(compatibility)).toUpperCase(java.util.Locale.ROOT))
			.append('.')
			.append(highTier ? 'H' : 'L')
			.append(cp[12] & 0xff);
		int lastConstraint = 11;
		while (lastConstraint >= 6 && cp[lastConstraint] == 0) {
			lastConstraint--;
		}
		for (int i = 6; i <= lastConstraint; i++) {
			codecs.append('.').append(HexFormat.of().withUpperCase().toHexDigits(cp[i]));
		}
		return codecs.toString();
	}

	private static void trak(Box moov, Track track) {
		boolean video = track.type() != Track.Type.AUDIO;
		long width = (track.video() != null) ? track.video().pixelWidth() : 0;
		long height = (track.video() != null) ? track.video().pixelHeight() : 0;
		if (video && (width == 0 || height == 0)) {
			byte[] config = bytes(track.codecPrivate());
			int[] size = AVC.equals(track.codecId()) ? SpsDimensions.avc(config) : SpsDimensions.hevc(config);
			if (size != null) {
				width = size[0];
				height = size[1];
			}
		}
		long w = width;
		long h = height;
		moov.box("trak", trak -> {
			trak.fullBox("tkhd", 0, 0x3, tkhd -> { // enabled, in movie
				tkhd.u32(0);
				tkhd.u32(0);
				tkhd.u32(track.number());
				tkhd.u32(0);
				tkhd.u32(0); // duration
				tkhd.zeros(8);
				tkhd.u16(0); // layer
				tkhd.u16(0); // alternate_group
				tkhd.u16(video ? 0 : 0x0100);
				tkhd.u16(0);
				matrix(tkhd);
				tkhd.u32(video ? w << 16 : 0);
				tkhd.u32(video ? h << 16 : 0);
			});
			trak.box("mdia", mdia -> {
				mdia.fullBox("mdhd", 0, 0, mdhd -> {
					mdhd.u32(0);
					mdhd.u32(0);
					mdhd.u32(timescale(track));
					mdhd.u32(0);
					mdhd.u16(0x55c4); // 'und'
					mdhd.u16(0);
				});
				mdia.fullBox("hdlr", 0, 0, hdlr -> {
					hdlr.u32(0);
					hdlr.fourcc(video ? "vide" : "soun");
					hdlr.zeros(12);
					hdlr.bytes((video ? "VideoHandler\0" : "SoundHandler\0").getBytes(StandardCharsets.US_ASCII));
				});
				mdia.box("minf", minf -> {
					if (video) {
						minf.fullBox("vmhd", 0, 1, vmhd -> vmhd.zeros(8));
					}
					else {
						minf.fullBox("smhd", 0, 0, smhd -> smhd.zeros(4));
					}
					minf.box("dinf", dinf -> dinf.fullBox("dref", 0, 0, dref -> {
						dref.u32(1);
						dref.fullBox("url ", 0, 1, url -> {
						}); // media in the same file
					}));
					minf.box("stbl", stbl -> {
						stbl.fullBox("stsd", 0, 0, stsd -> {
							stsd.u32(1);
							sampleEntry(stsd, track, w, h);
						});
						stbl.fullBox("stts", 0, 0, stts -> stts.u32(0));
						stbl.fullBox("stsc", 0, 0, stsc -> stsc.u32(0));
						stbl.fullBox("stsz", 0, 0, stsz -> {
							stsz.u32(0);
							stsz.u32(0);
						});
						stbl.fullBox("stco", 0, 0, stco -> stco.u32(0));
					});
				});
			});
		});
	}

	private static void sampleEntry(Box stsd, Track track, long width, long height) {
		byte[] cp = bytes(track.codecPrivate());
		switch (track.codecId()) {
			case AVC, HEVC -> {
				boolean avc = AVC.equals(track.codecId());
				stsd.box(avc ? "avc1" : "hvc1", entry -> {
					entry.zeros(6);
					entry.u16(1); // data_reference_index
					entry.zeros(2 + 2 + 12);
					entry.u16(width);
					entry.u16(height);
					entry.u32(0x0048_0000); // 72 dpi
					entry.u32(0x0048_0000);
					entry.u32(0);
					entry.u16(1); // frame_count
					entry.zeros(32); // compressorname
					entry.u16(0x0018); // depth
					entry.u16(0xffff); // pre_defined -1
					// Matroska's CodecPrivate for these codecs is exactly the configuration record MP4 carries.
					entry.box(avc ? "avcC" : "hvcC", config -> config.bytes(cp));
				});
			}
			default -> {
				Track.Audio audio = track.audio();
				long channels = (audio != null && audio.channels() > 0) ? audio.channels() : 2;
				long rate = timescale(track);
				stsd.box("mp4a", entry -> {
					entry.zeros(6);
					entry.u16(1);
					entry.zeros(8);
					entry.u16(channels);
					entry.u16(16); // samplesize
					entry.zeros(4);
					entry.u32((rate <= 0xffff) ? rate << 16 : 0);
					entry.fullBox("esds", 0, 0, esds -> esds.bytes(esDescriptor(track.number(), cp)));
				});
			}
		}
	}

	/** The MPEG-4 ES_Descriptor (ISO/IEC 14496-1 7.2.6.5) carrying the AudioSpecificConfig. */
	private static byte[] esDescriptor(long trackId, byte[] audioSpecificConfig) {
		byte[] decoderSpecificInfo = descriptor(0x05, audioSpecificConfig);
		Box config = new Box();
		config.u8(0x40); // objectTypeIndication: MPEG-4 Audio
		config.u8((0x05 << 2) | 1); // streamType audio, upStream 0, reserved 1
		config.zeros(3); // bufferSizeDB
		config.u32(0); // maxBitrate
		config.u32(0); // avgBitrate
		config.bytes(decoderSpecificInfo);
		byte[] decoderConfig = descriptor(0x04, config.toByteArray());
		Box es = new Box();
		es.u16(trackId & 0xffff); // ES_ID
		es.u8(0); // no stream dependence, URL or OCR stream
		es.bytes(decoderConfig);
		es.bytes(descriptor(0x06, new byte[] { 0x02 })); // SLConfigDescriptor, predefined MP4
		return descriptor(0x03, es.toByteArray());
	}

	private static byte[] descriptor(int tag, byte[] body) {
		Box out = new Box();
		out.u8(tag);
		int length = body.length;
		// sizeOfInstance: 7 bits per byte, high bit set on all but the last
		int groups = Math.max(1, (32 - Integer.numberOfLeadingZeros(length) + 6) / 7);
		for (int i = groups - 1; i >= 0; i--) {
			out.u8(((length >>> (7 * i)) & 0x7f) | ((i > 0) ? 0x80 : 0));
		}
		out.bytes(body);
		return out.toByteArray();
	}

	private static byte[] moof(List<TrackSamples> tracks, long sequenceNumber, long[] dataOffsets) {
		Box out = new Box();
		out.box("moof", moof -> {
			moof.fullBox("mfhd", 0, 0, mfhd -> mfhd.u32(sequenceNumber));
			for (int i = 0; i < tracks.size(); i++) {
				traf(moof, tracks.get(i), dataOffsets[i]);
			}
		});
		return out.toByteArray();
	}

	private static void traf(Box moof, TrackSamples track, long dataOffset) {
		long timescale = timescale(track.track());
		boolean audio = track.track().type() == Track.Type.AUDIO;
		List<Sample> samples = track.samples();
		int count = samples.size();
		long[] durations = new long[count];
		long[] sizes = new long[count];
		long[] offsets = new long[count];
		boolean anyOffset = false;
		for (int i = 0; i < count; i++) {
			Sample sample = samples.get(i);
			long decode = ticks(sample.decodeNanos(), timescale);
			long end = (i + 1 < count) ? samples.get(i + 1).decodeNanos()
					: sample.decodeNanos() + sample.durationNanos();
			durations[i] = Math.max(0, ticks(end, timescale) - decode);
			sizes[i] = sample.data().remaining();
			offsets[i] = ticks(sample.presentationNanos(), timescale) - decode;
			anyOffset |= offsets[i] != 0;
		}
		boolean withOffsets = anyOffset;
		moof.box("traf", traf -> {
			traf.fullBox("tfhd", 0, 0x02_0000, tfhd -> tfhd.u32(track.track().number())); // default-base-is-moof
			traf.fullBox("tfdt", 1, 0, tfdt -> tfdt.u64(ticks(samples.getFirst().decodeNanos(), timescale)));
			int flags = 0x001 | 0x100 | 0x200 | 0x400 | (withOffsets ? 0x800 : 0);
			// version 1 makes the composition offsets signed (CMAF's choice); without offsets version 0 suffices
			traf.fullBox("trun", withOffsets ? 1 : 0, flags, trun -> {
				trun.u32(count);
				trun.u32(dataOffset);
				for (int i = 0; i < count; i++) {
					trun.u32(durations[i]);
					trun.u32(sizes[i]);
					trun.u32((audio || samples.get(i).keyframe()) ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
					if (withOffsets) {
						trun.u32(offsets[i]);
					}
				}
			});
		});
	}

	private static void matrix(Box box) {
		for (int value : UNITY_MATRIX) {
			box.u32(value & 0xffff_ffffL);
		}
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	/** A growing big-endian buffer that writes ISO BMFF boxes, each sized once its body is known. */
	private static final class Box {

		private final ByteArrayOutputStream out = new ByteArrayOutputStream();

		void box(String type, Consumer<Box> body) {
			Box inner = new Box();
			body.accept(inner);
			u32(8L + inner.out.size());
			fourcc(type);
			this.out.writeBytes(inner.out.toByteArray());
		}

		void fullBox(String type, int version, int flags, Consumer<Box> body) {
			box(type, inner -> {
				inner.u8(version);
				inner.u8(flags >>> 16);
				inner.u16(flags & 0xffff);
				body.accept(inner);
			});
		}

		void u8(int value) {
			this.out.write(value & 0xff);
		}

		void u16(long value) {
			u8((int) (value >>> 8));
			u8((int) value);
		}

		void u32(long value) {
			u16(value >>> 16);
			u16(value & 0xffff);
		}

		void u64(long value) {
			u32(value >>> 32);
			u32(value & 0xffff_ffffL);
		}

		void fourcc(String type) {
			this.out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
		}

		void zeros(int count) {
			this.out.writeBytes(new byte[count]);
		}

		void bytes(byte[] bytes) {
			this.out.writeBytes(bytes);
		}

		byte[] toByteArray() {
			return this.out.toByteArray();
		}

	}

}
