package io.kvsgateway.media;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.kvsgateway.putmedia.FragmentRules;

/** A fixture's fragments as the writers see them, and the fMP4 file the writer makes of them. */
final class Fmp4Fixtures {

	private Fmp4Fixtures() {
	}

	/**
	 * @param fixture a fixture name
	 * @return the header's tracks and every fragment, timed as the store times them (Cluster timecode, KVS duration)
	 */
	static Read read(String fixture) {
		try {
			FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(MkvFixtures.bytes(fixture)));
			List<Track> tracks = List.of();
			List<MediaFragment> fragments = new ArrayList<>();
			for (FragmentReader.Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.HeaderRead header) {
					tracks = header.header().tracks();
				}
				else if (event instanceof FragmentReader.FragmentRead read) {
					FragmentReader.Fragment fragment = read.fragment();
					long start = fragment.timecode() * fragment.header().timecodeScale();
					fragments.add(MediaFragment.of(fragment, start, FragmentRules.duration(fragment).toNanos()));
				}
			}
			return new Read(tracks, fragments);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @param tracks the tracks, in the header's order
	 * @param fragments the fragments in order
	 */
	record Read(List<Track> tracks, List<MediaFragment> fragments) {

		/** @return an init segment and every fragment's media segment for the tracks that pass {@code filter} */
		byte[] mp4(Predicate<Track> filter) {
			List<Track> chosen = this.tracks.stream().filter(filter).toList();
			Set<Long> numbers = chosen.stream().map(Track::number).collect(Collectors.toSet());
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(Fmp4Writer.init(chosen));
			long sequence = 1;
			for (MediaFragment fragment : this.fragments) {
				out.writeBytes(Fmp4Writer.segment(fragment, sequence++, numbers));
			}
			return out.toByteArray();
		}

		byte[] mp4() {
			return mp4(track -> true);
		}

	}

}
