package io.kvsgateway.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.kvsgateway.putmedia.FragmentRules;
import org.jspecify.annotations.Nullable;

/** Reads a fixture into the {@link MediaFragment}s that HLS hands the {@link TsWriter}, one per Cluster. */
final class TsFixtures {

	private TsFixtures() {
	}

	/**
	 * @param fixture a file of {@link MkvFixtures}
	 * @param offsetNanos added to every fragment's start (Cluster timecode times TimecodeScale), to move the media
	 * onto an epoch-like clock
	 */
	static List<MediaFragment> fragments(String fixture, long offsetNanos) {
		FragmentReader reader = FragmentReader.of(new ByteArrayInputStream(MkvFixtures.bytes(fixture)));
		List<MediaFragment> fragments = new ArrayList<>();
		try {
			for (FragmentReader.@Nullable Event event = reader.next(); event != null; event = reader.next()) {
				if (event instanceof FragmentReader.FragmentRead read) {
					FragmentReader.Fragment fragment = read.fragment();
					long start = fragment.timecode() * fragment.header().timecodeScale();
					fragments.add(MediaFragment.of(fragment, offsetNanos + start,
							FragmentRules.duration(fragment).toNanos()));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return fragments;
	}

	static List<MediaFragment> fragments(String fixture) {
		return fragments(fixture, 0);
	}

	static int samples(MediaFragment fragment, Track.Type type) {
		return fragment.tracks()
			.stream()
			.filter(t -> t.track().type() == type)
			.mapToInt(t -> t.samples().size())
			.sum();
	}

}
