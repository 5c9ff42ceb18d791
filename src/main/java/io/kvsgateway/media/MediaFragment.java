package io.kvsgateway.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kvsgateway.media.MkvEvent.Frame;

/**
 * One fragment's frames as timed samples per track: what the fMP4 and MPEG-TS writers package, without re-encoding.
 * <p>
 * Times are nanoseconds on the fragment's own absolute clock: {@code start} (the fragment's producer or server
 * timestamp, chosen by the caller) plus each frame's offset from its Cluster's Timecode. Matroska block timecodes are
 * presentation times; decode times are the sorted presentation times of the track, so a stream with B-frames gets
 * composition offsets and one without gets none.
 *
 * @param tracks the header's tracks that have samples here, in header order
 * @param startNanos the fragment's start, nanoseconds since the epoch
 * @param durationNanos how long the fragment plays
 */
public record MediaFragment(List<TrackSamples> tracks, long startNanos, long durationNanos) {

	public MediaFragment {
		tracks = List.copyOf(tracks);
	}

	/**
	 * Reads one stored fragment (a stream header followed by one Cluster) into samples.
	 *
	 * @param header the stream header bytes (EBML header up to the first Cluster)
	 * @param cluster the Cluster bytes
	 * @param startNanos the fragment's start, nanoseconds since the epoch
	 * @param durationNanos the fragment's duration
	 * @return the fragment's samples; never {@literal null}
	 * @throws UncheckedIOException when the bytes are not a header and a Cluster (stored fragments were checked at
	 * ingest, so this means the store is damaged)
	 */
	public static MediaFragment read(byte[] header, byte[] cluster, long startNanos, long durationNanos) {
		FragmentReader reader = FragmentReader.of(new SequenceInputStream(new ByteArrayInputStream(header),
				new ByteArrayInputStream(cluster)));
		try {
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.FragmentRead read) {
					return of(read.fragment(), startNanos, durationNanos);
				}
			}
			throw new MalformedMkvException(MalformedMkvException.Reason.MISSING_ELEMENT, header.length,
					"no Cluster in the stored fragment");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @param fragment a fragment from a {@link FragmentReader}
	 * @param startNanos the fragment's start, nanoseconds since the epoch
	 * @param durationNanos the fragment's duration
	 * @return the fragment's samples; never {@literal null}
	 */
	public static MediaFragment of(FragmentReader.Fragment fragment, long startNanos, long durationNanos) {
		long scale = fragment.header().timecodeScale();
		Map<Long, List<Frame>> byTrack = new LinkedHashMap<>();
		for (Frame frame : fragment.frames()) {
			byTrack.computeIfAbsent(frame.trackNumber(), n -> new ArrayList<>()).add(frame);
		}
		List<TrackSamples> tracks = new ArrayList<>();
		for (Track track : fragment.header().tracks()) {
			List<Frame> frames = byTrack.get(track.number());
			if (frames == null) {
				continue;
			}
			long[] pts = new long[frames.size()];
			for (int i = 0; i < pts.length; i++) {
				pts[i] = startNanos + (frames.get(i).timecode() - fragment.timecode()) * scale;
			}
			long[] dts = pts.clone();
			Arrays.sort(dts);
			// With reordering, the first sorted time can exceed a frame's presentation time; shift decoding earlier
			// by the largest such excess so that no frame is presented before it is decoded.
			long shift = 0;
			for (int i = 0; i < pts.length; i++) {
				shift = Math.max(shift, dts[i] - pts[i]);
			}
			long end = startNanos + durationNanos;
			List<Sample> samples = new ArrayList<>(frames.size());
			for (int i = 0; i < pts.length; i++) {
				long decode = dts[i] - shift;
				long next = (i + 1 < pts.length) ? dts[i + 1] - shift : Math.max(end - shift, decode + 1);
				Frame frame = frames.get(i);
				samples.add(new Sample(pts[i], decode, next - decode, frame.keyframe(), frame.payload()));
			}
			// The last sample's duration is the fragment's end minus its decode time; for audio, whose frames are
			// all the same length, the previous interval is a better guess than the fragment end.
			if (track.type() == Track.Type.AUDIO && samples.size() > 1) {
				Sample last = samples.getLast();
				samples.set(samples.size() - 1, new Sample(last.presentationNanos(), last.decodeNanos(),
						samples.get(samples.size() - 2).durationNanos(), last.keyframe(), last.data()));
			}
			tracks.add(new TrackSamples(track, samples));
		}
		return new MediaFragment(tracks, startNanos, durationNanos);
	}

	/**
	 * A track and its samples in decode order.
	 *
	 * @param track the track entry (codec id, codec private data, dimensions or sampling rate)
	 * @param samples the samples, in decode order
	 */
	public record TrackSamples(Track track, List<Sample> samples) {

		public TrackSamples {
			samples = List.copyOf(samples);
		}

	}

	/**
	 * One coded frame.
	 *
	 * @param presentationNanos when it is shown, nanoseconds since the epoch
	 * @param decodeNanos when it is decoded (at most {@code presentationNanos})
	 * @param durationNanos until the next sample's decode time (the last: until the fragment ends)
	 * @param keyframe whether decoding can start here
	 * @param data the frame's bytes as stored in Matroska (length-prefixed NAL units for AVC/HEVC, raw AAC)
	 */
	public record Sample(long presentationNanos, long decodeNanos, long durationNanos, boolean keyframe,
			ByteBuffer data) {

		public Sample {
			data = data.asReadOnlyBuffer();
		}

		/** @return a fresh read-only view of the frame's bytes. */
		@Override
		public ByteBuffer data() {
			return this.data.duplicate();
		}

		/** @return the presentation time minus the decode time, never negative. */
		public long compositionOffsetNanos() {
			return this.presentationNanos - this.decodeNanos;
		}

	}

}
