package io.kvsgateway.local;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.amazonaws.kinesisvideo.parser.ebml.InputStreamParserByteSource;
import com.amazonaws.kinesisvideo.parser.ebml.MkvTypeInfos;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitException;
import com.amazonaws.kinesisvideo.parser.mkv.MkvStartMasterElement;
import com.amazonaws.kinesisvideo.parser.mkv.StreamingMkvReader;
import com.amazonaws.kinesisvideo.parser.utilities.FragmentMetadata;
import com.amazonaws.kinesisvideo.parser.utilities.FragmentMetadataVisitor;

/**
 * The AWS KVS parser library as an independent judge of GetMedia-shaped output: what its
 * {@code FragmentMetadataVisitor} understands of each fragment (number, server and producer timestamps, and for
 * GetMedia millis-behind-now and continuation token).
 */
final class KvsParserJudge {

	private KvsParserJudge() {
	}

	/** The fragment metadata the library reads, one per Segment, in order. */
	static List<FragmentMetadata> fragments(byte[] mkv) {
		StreamingMkvReader reader = StreamingMkvReader
			.createDefault(new InputStreamParserByteSource(new ByteArrayInputStream(mkv)));
		FragmentMetadataVisitor visitor = FragmentMetadataVisitor.create();
		List<FragmentMetadata> fragments = new ArrayList<>();
		try {
			while (reader.mightHaveNext()) {
				Optional<MkvElement> element = reader.nextIfAvailable();
				if (element.isEmpty()) {
					continue;
				}
				element.get().accept(visitor);
				// A new Segment moves the finished fragment's metadata to "previous".
				if (element.get() instanceof MkvStartMasterElement start
						&& MkvTypeInfos.SEGMENT.equals(start.getElementMetaData().getTypeInfo())) {
					visitor.getPreviousFragmentMetadata().ifPresent(previous -> {
						if (fragments.isEmpty() || fragments.getLast() != previous) {
							fragments.add(previous);
						}
					});
				}
			}
		}
		catch (MkvElementVisitException ex) {
			throw new AssertionError("the KVS parser library refused the output", ex);
		}
		visitor.getCurrentFragmentMetadata().ifPresent(fragments::add);
		return fragments;
	}

}
