package io.kvsgateway.putmedia;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.MkvEvent.Frame;
import io.kvsgateway.media.SimpleTag;

/**
 * The per-fragment limits KVS enforces on PutMedia (developer guide, "Data plane API service quotas", PutMedia row;
 * "Using streaming metadata"), each answered with the ACK error KVS uses. Stateless: the caller keeps the previous
 * fragment's timecode per connection.
 *
 * @param maxFragmentBytes largest Cluster (KVS: 50 MB, answered 4001)
 * @param maxFragmentDuration longest fragment (KVS: 20 s, answered 4002)
 * @param maxTracks most tracks (KVS: 3, answered 4012)
 * @param maxTags most metadata tags per fragment (KVS: 10, answered 4009)
 * @param maxTagNameBytes longest tag name (KVS: 128 bytes)
 * @param maxTagValueBytes longest tag value (KVS: 256 bytes)
 * @param maxProducerClockAhead how far into the future a producer timestamp may be before it is refused (4007); KVS
 * documents only "a large drift into the future", so this is a setting
 */
public record FragmentRules(long maxFragmentBytes, Duration maxFragmentDuration, int maxTracks, int maxTags,
		int maxTagNameBytes, int maxTagValueBytes, Duration maxProducerClockAhead) {

	/** The KVS limits, with a five-minute allowance for producer clocks that run ahead. */
	public static final FragmentRules KVS = new FragmentRules(50_000_000L, Duration.ofSeconds(20), 3, 10, 128, 256,
			Duration.ofMinutes(5));

	/** Prefix of the tags KVS itself writes (such as the end-of-fragment marker); they do not count as metadata. */
	private static final String KVS_TAG_PREFIX = "AWS_KINESISVIDEO_";

	/**
	 * @param fragment the fragment as read
	 * @param previousTimecode the previous fragment's timecode on this connection, or {@literal null} for the first
	 * @param producerTimestamp the fragment's producer timestamp
	 * @param now the server's clock
	 * @return the first rule the fragment breaks, or empty when it may be stored
	 */
	public Optional<AckError> check(Fragment fragment, @Nullable Long previousTimecode, Instant producerTimestamp,
			Instant now) {
		if (fragment.size() > maxFragmentBytes) {
			return Optional.of(AckError.MAX_FRAGMENT_SIZE_REACHED);
		}
		if (fragment.header().tracks().size() > maxTracks) {
			return Optional.of(AckError.MORE_THAN_ALLOWED_TRACKS_FOUND);
		}
		if (previousTimecode != null && fragment.timecode() <= previousTimecode) {
			return Optional.of(AckError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS);
		}
		if (span(fragment).compareTo(maxFragmentDuration) > 0) {
			return Optional.of(AckError.MAX_FRAGMENT_DURATION_REACHED);
		}
		if (producerTimestamp.isAfter(now.plus(maxProducerClockAhead))) {
			return Optional.of(AckError.INVALID_PRODUCER_TIMESTAMP);
		}
		if (!metadataWithinLimits(fragment)) {
			return Optional.of(AckError.FRAGMENT_METADATA_LIMIT_REACHED);
		}
		return Optional.empty();
	}

	private boolean metadataWithinLimits(Fragment fragment) {
		int count = 0;
		for (SimpleTag tag : fragment.tags()) {
			if (tag.name().startsWith(KVS_TAG_PREFIX)) {
				continue;
			}
			// "names not starting with AWS": the prefix is KVS's own.
			if (++count > maxTags || tag.name().startsWith("AWS")
					|| utf8Length(tag.name()) > maxTagNameBytes || utf8Length(tag.value()) > maxTagValueBytes) {
				return false;
			}
		}
		return true;
	}

	/** @return from the Cluster timecode to the last frame's timecode */
	static Duration span(Fragment fragment) {
		long last = fragment.timecode();
		for (Frame frame : fragment.frames()) {
			last = Math.max(last, frame.timecode());
		}
		return Duration.ofNanos(Math.multiplyExact(last - fragment.timecode(), fragment.header().timecodeScale()));
	}

	/**
	 * The fragment's duration in milliseconds, as KVS reports it (ListFragments' FragmentLengthInMilliseconds): its span plus one
	 * frame interval of its busiest track, since the last frame lasts until the next fragment starts.
	 *
	 * @param fragment the fragment
	 * @return the duration, never negative
	 */
	public static Duration duration(Fragment fragment) {
		Duration span = span(fragment);
		long frames = fragment.frames().stream().mapToLong(Frame::trackNumber).distinct().map(track ->
				fragment.frames().stream().filter(f -> f.trackNumber() == track).count()).max().orElse(0);
		Duration duration = frames > 1 ? span.plus(span.dividedBy(frames - 1)) : span;
		// KVS reports whole milliseconds; round the frame-interval estimate to them.
		return Duration.ofMillis(Math.round(duration.toNanos() / 1e6));
	}

	private static int utf8Length(String text) {
		return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
	}

}
