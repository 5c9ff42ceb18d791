package io.kvsgateway.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.LocalFragmentStore.Tag;
import io.kvsgateway.local.MediaConnections.Kind;
import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.media.SimpleTag;

/**
 * GetMediaForFragmentList and GetMedia: stored fragments back out as the MKV stream KVS sends.
 * <p>
 * Every fragment is one self-contained Segment, as KVS's output is: the stream header it was ingested with
 * ({@link MkvWriter#liveHeader(ByteBuffer) re-framed} as an unknown-size Segment), a {@code Tags} element with
 * {@code AWS_KINESISVIDEO_FRAGMENT_NUMBER}, {@code AWS_KINESISVIDEO_SERVER_TIMESTAMP} and
 * {@code AWS_KINESISVIDEO_PRODUCER_TIMESTAMP} (seconds since the epoch with millisecond decimals, e.g.
 * {@code 1597730826.769}) followed by the fragment's own metadata tags, then the Cluster exactly as ingested. GetMedia
 * adds, after the Cluster, a {@code Tags} element with {@code AWS_KINESISVIDEO_MILLIS_BEHIND_NOW} and
 * {@code AWS_KINESISVIDEO_CONTINUATION_TOKEN}. This is the layout the AWS KVS parser library's
 * {@code FragmentMetadataVisitor} reads: the fragment tags before the Cluster, the progress tags in any Tags after it.
 * <p>
 * The GetMediaForFragmentList API page names the timestamp tags {@code ..._SERVER_SIDE_TIMESTAMP} /
 * {@code ..._PRODUCER_SIDE_TIMESTAMP}; the parser library, written against the live service, reads
 * {@code AWS_KINESISVIDEO_SERVER_TIMESTAMP} / {@code AWS_KINESISVIDEO_PRODUCER_TIMESTAMP} for both APIs, so those are
 * written.
 */
class MediaOutput {

	static final String CONTENT_TYPE = "video/webm";

	static final int MAX_FRAGMENTS = 1_000;

	static final String FRAGMENT_NUMBER_TAG = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";

	static final String SERVER_TIMESTAMP_TAG = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";

	static final String PRODUCER_TIMESTAMP_TAG = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";

	static final String MILLIS_BEHIND_NOW_TAG = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";

	static final String CONTINUATION_TOKEN_TAG = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";

	static final String EXCEPTION_ERROR_CODE_TAG = "AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE";

	static final String EXCEPTION_MESSAGE_TAG = "AWS_KINESISVIDEO_EXCEPTION_MESSAGE";

	/** FragmentNumberString and AfterFragmentNumber: {@code ^[0-9]+$}, 1 to 128 characters. */
	private static final Pattern FRAGMENT_NUMBER = Pattern.compile("[0-9]{1,128}");

	/** ContinuationToken: {@code ^[a-zA-Z0-9_\.\-]+$}, 1 to 128 characters. */
	private static final Pattern CONTINUATION_TOKEN = Pattern.compile("[a-zA-Z0-9_.\\-]{1,128}");

	/** How many fragments GetMedia fetches from the index at a time. */
	private static final int BATCH = 16;

	private static final Logger log = LoggerFactory.getLogger(MediaOutput.class);

	/** GetMedia's StartSelectorType. */
	enum StartSelectorType {

		FRAGMENT_NUMBER, SERVER_TIMESTAMP, PRODUCER_TIMESTAMP, NOW, EARLIEST, CONTINUATION_TOKEN

	}

	private final LocalStreams streams;

	private final LocalFragmentStore store;

	private final MediaConnections connections;

	private final Clock clock;

	private final Duration idleTimeout;

	private final LocalQuotas quotas;

	MediaOutput(LocalStreams streams, LocalFragmentStore store, MediaConnections connections, LocalQuotas quotas,
			Clock clock,
			Duration idleTimeout) {
		this.streams = streams;
		this.store = store;
		this.connections = connections;
		this.quotas = quotas;
		this.clock = clock;
		this.idleTimeout = idleTimeout;
	}

	/** A response body to write once the request has been accepted; closing it frees what it holds. */
	interface Body extends AutoCloseable {

		void writeTo(OutputStream out) throws IOException;

		@Override
		default void close() {
		}

	}

	/**
	 * Checks a GetMediaForFragmentList request completely (stream, the Fragments list, every fragment present), so
	 * that every refusal is an HTTP error rather than a broken media stream.
	 * @throws KvsError as KVS answers a bad request
	 */
	Body fragmentList(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		List<String> numbers = fragmentNumbers(request.body().get("Fragments"));
		LocalStream stream = streams.resolve(name, arn);
		Set<String> wanted = new HashSet<>(numbers);
		Set<String> found = new HashSet<>();
		store.select(stream.streamId(), f -> wanted.contains(f.fragmentNumber()), null, Integer.MAX_VALUE)
			.forEach(f -> found.add(f.fragmentNumber()));
		for (String number : numbers) {
			if (!found.contains(number)) {
				throw KvsError.resourceNotFound("The fragment " + KvsRequest.printable(number)
						+ " was not found in the stream " + stream.streamName() + ".");
			}
		}
		// Five consumers at once per stream (media API quotas), then "Number of fragments in the Fragments parameter"
		// fragment-media points; a refused request holds no connection.
		MediaConnections.Lease lease = connections.acquire(stream.streamId(), Kind.GET_MEDIA_FOR_FRAGMENT_LIST);
		try {
			quotas.consume(stream.streamName(), LocalQuotas.Api.GET_MEDIA_FOR_FRAGMENT_LIST, 0, numbers.size());
		}
		catch (KvsError refused) {
			lease.close();
			throw refused;
		}
		return new Body() {

			@Override
			public void writeTo(OutputStream out) throws IOException {
				writeFragments(stream, numbers, out);
			}

			@Override
			public void close() {
				lease.close();
			}

		};
	}

	private void writeFragments(LocalStream stream, List<String> numbers, OutputStream out) throws IOException {
		for (String number : numbers) {
			Optional<StoredFragment> fragment = store.read(stream.streamName(), number);
			if (fragment.isEmpty()) {
				// Expired or damaged since the check: say so in-band, as KVS does once the response has begun.
				out.write(MkvWriter.tags(List.of(new SimpleTag(FRAGMENT_NUMBER_TAG, number),
						new SimpleTag(EXCEPTION_ERROR_CODE_TAG, "4000"),
						new SimpleTag(EXCEPTION_MESSAGE_TAG, "Requested fragment is not found"))));
				out.flush();
				return;
			}
			writeFragment(out, fragment.get(), null);
		}
		out.flush();
	}

	private static List<String> fragmentNumbers(@Nullable JsonNode node) {
		if (node == null || node.isNull()) {
			throw KvsError.invalidArgument("Fragments is required.");
		}
		if (!node.isArray()) {
			throw KvsError.serialization("Expected a list for Fragments.");
		}
		if (node.isEmpty() || node.size() > MAX_FRAGMENTS) {
			throw KvsError.invalidArgument("1 validation error detected: Value at 'fragments' failed to satisfy "
					+ "constraint: Member must have length less than or equal to " + MAX_FRAGMENTS
					+ " and Member must have length greater than or equal to 1");
		}
		// A number asked for twice is sent once, in the place it was first asked for.
		LinkedHashSet<String> numbers = new LinkedHashSet<>();
		for (JsonNode item : node) {
			if (!item.isString()) {
				throw KvsError.serialization("Expected a string in Fragments.");
			}
			numbers.add(requireFragmentNumber(item.stringValue(), "fragments.member"));
		}
		return new ArrayList<>(numbers);
	}

	private static String requireFragmentNumber(String value, String field) {
		if (!FRAGMENT_NUMBER.matcher(value).matches()) {
			throw KvsError.invalidArgument("1 validation error detected: Value '" + KvsRequest.printable(value)
					+ "' at '" + field + "' failed to satisfy constraint: Member must satisfy regular expression "
					+ "pattern: ^[0-9]+$ and have length between 1 and 128.");
		}
		return value;
	}

	/**
	 * Checks a GetMedia request and takes one of the stream's GetMedia connection slots; the returned body streams
	 * the selected stored fragments, then every new one as it is persisted, until the client goes away or no new
	 * fragment has arrived for the idle timeout.
	 * @throws KvsError as KVS answers a bad request, ConnectionLimitExceededException past 3 connections
	 */
	Body getMedia(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		KvsRequest selector = request.object("StartSelector");
		if (selector == null) {
			throw KvsError.invalidArgument("StartSelector is required.");
		}
		StartSelectorType type = selector.enumValue("StartSelectorType", StartSelectorType.class);
		if (type == null) {
			throw KvsError.invalidArgument("StartSelector.StartSelectorType is required.");
		}
		LocalStream stream = streams.resolve(name, arn);
		Start start = start(stream, type, selector);
		quotas.call(stream.streamName(), LocalQuotas.Api.GET_MEDIA);
		MediaConnections.Lease lease = connections.acquire(stream.streamId(), Kind.GET_MEDIA);
		return new Body() {

			@Override
			public void writeTo(OutputStream out) throws IOException {
				stream(stream, start, out);
			}

			@Override
			public void close() {
				lease.close();
			}

		};
	}

	/**
	 * Where a GetMedia response begins.
	 * @param after send only fragments numbered after this one ({@literal null}: from the first)
	 * @param first among those, skip fragments until this one matches, then send everything after it
	 */
	private record Start(@Nullable String after, Predicate<Fragment> first) {

	}

	private Start start(LocalStream stream, StartSelectorType type, KvsRequest selector) {
		return switch (type) {
			case EARLIEST -> new Start(null, f -> true);
			// "Start with the latest chunk": KVS sends the chunk being ingested; the embedded store serves only
			// persisted fragments, so the first one persisted after this request.
			case NOW -> new Start(store.newestOf(stream.streamId()).map(Fragment::fragmentNumber).orElse(null),
					f -> true);
			case FRAGMENT_NUMBER -> {
				String after = selector.string("AfterFragmentNumber");
				if (after == null) {
					throw KvsError.invalidArgument(
							"StartSelector.AfterFragmentNumber is required when StartSelectorType is FRAGMENT_NUMBER.");
				}
				yield new Start(requireFragmentNumber(after, "startSelector.afterFragmentNumber"), f -> true);
			}
			case CONTINUATION_TOKEN -> {
				String token = selector.string("ContinuationToken");
				if (token == null) {
					throw KvsError.invalidArgument(
							"StartSelector.ContinuationToken is required when StartSelectorType is CONTINUATION_TOKEN.");
				}
				// The token is the number of the last fragment a previous response delivered.
				if (!CONTINUATION_TOKEN.matcher(token).matches() || !FRAGMENT_NUMBER.matcher(token).matches()) {
					throw KvsError.invalidArgument("The continuation token " + KvsRequest.printable(token)
							+ " is not valid for this stream.");
				}
				yield new Start(token, f -> true);
			}
			case SERVER_TIMESTAMP, PRODUCER_TIMESTAMP -> {
				Instant at = selector.timestamp("StartTimestamp");
				if (at == null) {
					throw KvsError.invalidArgument(
							"StartSelector.StartTimestamp is required when StartSelectorType is " + type + ".");
				}
				boolean server = type == StartSelectorType.SERVER_TIMESTAMP;
				// "the chunk containing a fragment with the specified timestamp": the first fragment that has not
				// ended by then.
				yield new Start(null, f -> (server ? f.serverTimestamp() : f.producerTimestamp()).plus(f.duration())
					.isAfter(at));
			}
		};
	}

	private void stream(LocalStream stream, Start start, OutputStream out) throws IOException {
		String last = start.after();
		boolean started = false;
		Instant idleSince = clock.instant();
		while (true) {
			// Until the first fragment is found only it is looked for; from then on every fragment follows in order.
			Predicate<Fragment> filter = started ? f -> true : start.first();
			List<Fragment> batch;
			try {
				batch = store.select(stream.streamId(), filter, last, started ? BATCH : 1);
			}
			catch (KvsError gone) {
				return;
			}
			if (batch.isEmpty()) {
				if (!started) {
					// Nothing matched yet: what matches must come after what is stored now.
					Optional<Fragment> newest = store.newestOf(stream.streamId());
					if (newest.isPresent()) {
						last = newest.get().fragmentNumber();
					}
				}
				Duration left = Duration.between(clock.instant(), idleSince.plus(idleTimeout));
				if (left.isNegative() || left.isZero() || !exists(stream)) {
					return;
				}
				try {
					store.awaitAppend(left.compareTo(Duration.ofSeconds(1)) < 0 ? left : Duration.ofSeconds(1));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				continue;
			}
			started = true;
			for (Fragment fragment : batch) {
				Optional<StoredFragment> stored = store.read(stream.streamName(), fragment.fragmentNumber());
				last = fragment.fragmentNumber();
				if (stored.isEmpty()) {
					continue; // expired between listing and reading
				}
				Instant newest = store.newestOf(stream.streamId()).map(Fragment::serverTimestamp)
					.orElse(fragment.serverTimestamp());
				long behind = Math.max(0, Duration.between(fragment.serverTimestamp(), newest).toMillis());
				writeFragment(out, stored.get(), List.of(new SimpleTag(MILLIS_BEHIND_NOW_TAG, Long.toString(behind)),
						new SimpleTag(CONTINUATION_TOKEN_TAG, fragment.fragmentNumber())));
				out.flush();
			}
			idleSince = clock.instant();
		}
	}

	private boolean exists(LocalStream stream) {
		return streams.findByName(stream.streamName()).filter(s -> s.streamId().equals(stream.streamId())).isPresent();
	}

	private static void writeFragment(OutputStream out, StoredFragment stored, @Nullable List<SimpleTag> trailer)
			throws IOException {
		if (stored.header().length == 0) {
			// Recorded without media (a metadata-only fragment): there is no MKV to send.
			log.debug("Fragment {} has no media; skipped", stored.fragment().fragmentNumber());
			return;
		}
		Fragment fragment = stored.fragment();
		List<SimpleTag> tags = new ArrayList<>();
		tags.add(new SimpleTag(FRAGMENT_NUMBER_TAG, fragment.fragmentNumber()));
		tags.add(new SimpleTag(SERVER_TIMESTAMP_TAG, seconds(fragment.serverTimestamp())));
		tags.add(new SimpleTag(PRODUCER_TIMESTAMP_TAG, seconds(fragment.producerTimestamp())));
		for (Tag tag : stored.tags()) {
			tags.add(new SimpleTag(tag.name(), tag.value()));
		}
		out.write(MkvWriter.liveHeader(ByteBuffer.wrap(stored.header())));
		out.write(MkvWriter.tags(tags));
		out.write(stored.payload());
		if (trailer != null) {
			out.write(MkvWriter.tags(trailer));
		}
	}

	/** Seconds since the epoch with three decimals, as KVS writes its timestamp tags. */
	static String seconds(Instant instant) {
		long millis = instant.toEpochMilli();
		return Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
	}

}
