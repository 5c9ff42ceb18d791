package io.kvsgateway.local;

import java.util.List;
import java.util.Set;

import io.kvsgateway.media.Fmp4Writer;
import io.kvsgateway.media.MediaFragment;
import io.kvsgateway.media.Track;
import io.kvsgateway.media.TsWriter;

/**
 * How HLS and DASH resources package fragments: {@link #WRITERS} in the service; tests put a fake in its place to
 * check what is asked for, and how often, without depending on the writers' bytes.
 */
interface MediaPackaging {

	/** The media module's fMP4 and MPEG-TS writers. */
	MediaPackaging WRITERS = new MediaPackaging() {

		@Override
		public byte[] init(List<Track> tracks) {
			return Fmp4Writer.init(tracks);
		}

		@Override
		public byte[] fmp4(MediaFragment fragment, long sequenceNumber, Set<Long> trackNumbers) {
			return Fmp4Writer.segment(fragment, sequenceNumber, trackNumbers);
		}

		@Override
		public byte[] ts(MediaFragment fragment, long sequenceNumber) {
			return TsWriter.segment(fragment, sequenceNumber);
		}

		@Override
		public String codecs(Track track) {
			return Fmp4Writer.codecs(track);
		}

		@Override
		public long timescale(Track track) {
			return Fmp4Writer.timescale(track);
		}

	};

	byte[] init(List<Track> tracks);

	byte[] fmp4(MediaFragment fragment, long sequenceNumber, Set<Long> trackNumbers);

	byte[] ts(MediaFragment fragment, long sequenceNumber);

	String codecs(Track track);

	long timescale(Track track);

}
