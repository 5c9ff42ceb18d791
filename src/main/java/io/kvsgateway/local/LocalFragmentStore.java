package io.kvsgateway.local;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable fragment store of the embedded KVS: every fragment is on disk, forced, before {@code append} returns;
 * an in-memory index of metadata (never payloads) is rebuilt from disk at start-up.
 * <p>
 * Other modules' tests use it to simulate ingested media:
 *
 * <pre>{@code
 * String fragmentNumber = fragments.append("cam-1", clock.instant(), Duration.ofSeconds(1));
 * Fragment stored = fragments.append("cam-1", new FragmentData(producerTimestamp, Duration.ofSeconds(1), clusterBytes,
 * 		headerBytes, List.of(new Tag("room", "lobby"))));
 * byte[] payload = fragments.read("cam-1", stored.fragmentNumber()).orElseThrow().payload();
 * }</pre>
 *
 * Every method that takes a stream name answers KVS {@code ResourceNotFoundException} (HTTP 404 on the wire, an
 * unchecked exception in process) when the stream does not exist.
 *
 * <h2>On disk</h2> Under {@code <dataDir>/streams/<streamId>/} (next to {@code stream.json}, so deleting a stream's
 * folder deletes its media):
 * <ul>
 * <li>{@code segment-<20-digit index>.log}: append-only segment files, index counting up from 1. Appending rolls to
 * a new segment once the current one holds at least {@code gateway.local.segment-size} bytes, so retention can delete
 * whole files.</li>
 * <li>{@code header-<SHA-256 hex>.mkv}: each distinct stream header (EBML header, Segment, Info, Tracks) once, named
 * by the hash of its content; written to a temp file, forced and renamed before any record refers to it.</li>
 * </ul>
 * A segment is a sequence of records, all integers big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     magic 0x4B565346 ("KVSF")
 * 4       4     body length B (everything after the CRC)
 * 8       4     CRC32C of the body
 * 12      4     metadata length M
 * 16      M     metadata: format version (1 byte, = 1);
 *               fragment number (2-byte length + ASCII);
 *               producer timestamp, server timestamp, duration (each 8-byte seconds + 4-byte nanos);
 *               header reference (1 byte: 0 = none, or 32 followed by the SHA-256 of the header file);
 *               tags (2-byte count, each: 2-byte length + UTF-8 name, 4-byte length + UTF-8 value)
 * 16+M    B-4-M payload: the fragment's bytes (the MKV Cluster as received), opaque to the store
 * </pre>
 *
 * <h2>Recovery</h2> At start-up each stream's segments are read in order to rebuild the index. In the last (active)
 * segment every record's CRC is checked; the first record that is cut short, has no magic, an impossible length, a
 * CRC mismatch or unreadable metadata ends the segment: the file is truncated to the end of the last good record and
 * a WARN names the stream id and the bytes dropped. Such a record was never acknowledged ({@code append} returns only
 * after {@code FileChannel.force}), so nothing promised is lost and nothing torn is ever served. Sealed segments were
 * forced before their successor existed; their framing is checked the same way, and every read checks the CRC again.
 *
 * <h2>Retention</h2> {@link #sweepExpired()} (scheduled every {@code gateway.local.retention-sweep-interval}) deletes
 * the segments whose newest fragment, by server timestamp, is older than now minus the stream's
 * {@code DataRetentionInHours}; streams with retention 0 are left alone.
 */
public class LocalFragmentStore implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(LocalFragmentStore.class);

	/** KVS fragment numbers are 47-digit decimals; this keeps ours the same width for decades. */
	private static final BigInteger FRAGMENT_NUMBER_BASE = BigInteger.TEN.pow(46);

	private static final BigInteger MICROS_SHIFT = BigInteger.TEN.pow(6);

	private final Map<String, FragmentLog> logs = new ConcurrentHashMap<>();

	private final LocalStreams streams;

	private final Clock clock;

	private final Path streamsDir;

	private final long segmentSize;

	private BigInteger lastFragmentNumber = BigInteger.ZERO;

	/** Signalled after every append, so that live readers (GetMedia) wait instead of polling. */
	private final ReentrantLock appended = new ReentrantLock();

	private final Condition fragmentAppended = appended.newCondition();

	LocalFragmentStore(LocalStreams streams, Clock clock, Path streamsDir, long segmentSize) {
		this.streams = streams;
		this.clock = clock;
		this.streamsDir = streamsDir;
		this.segmentSize = segmentSize;
		load();
	}

	private void load() {
		int fragments = 0;
		for (LocalStream stream : streams.all()) {
			FragmentLog fragmentLog = FragmentLog.open(stream.streamId(), streamsDir.resolve(stream.streamId()),
					segmentSize);
			logs.put(stream.streamId(), fragmentLog);
			Optional<Fragment> newest = fragmentLog.newest();
			if (newest.isPresent()) {
				fragments += fragmentLog.fragments().size();
				lastFragmentNumber = lastFragmentNumber.max(new BigInteger(newest.get().fragmentNumber()));
			}
		}
		log.info("Embedded KVS indexed {} fragment(s) of {} stream(s)", fragments, logs.size());
	}

	/**
	 * Stores one fragment as received now and returns once it is on disk ({@code FileChannel.force}).
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param data the fragment, must not be {@literal null}; its arrays must not change while this runs.
	 * @return the stored fragment's metadata, with a fragment number greater than every number issued before and the
	 * server timestamp taken from the clock (both timestamps kept to the millisecond, as KVS reports them); never
	 * {@literal null}.
	 */
	public Fragment append(String streamName, FragmentData data) {
		Objects.requireNonNull(data, "data");
		LocalStream stream = stream(streamName);
		FragmentData kept = new FragmentData(data.producerTimestamp().truncatedTo(ChronoUnit.MILLIS), data.duration(),
				data.payload(), data.header(), data.tags());
		Fragment stored = logOf(stream.streamId()).append(kept, clock.instant().truncatedTo(ChronoUnit.MILLIS),
				this::nextFragmentNumber);
		signalAppended();
		return stored;
	}

	/**
	 * Stores one fragment under a number {@link #reserveFragmentNumber()} issued earlier, as PutMedia does: it
	 * announces the number in its BUFFERING acknowledgement, before the fragment's last byte has arrived.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param data the fragment, must not be {@literal null}.
	 * @param fragmentNumber a reserved number, must not be {@literal null}; it must be greater than every number
	 * stored in the stream so far (one PutMedia connection per stream keeps it so).
	 * @return the stored fragment's metadata; never {@literal null}.
	 * @throws IllegalStateException when the stream already holds a greater number
	 */
	Fragment append(String streamName, FragmentData data, String fragmentNumber) {
		Objects.requireNonNull(data, "data");
		Objects.requireNonNull(fragmentNumber, "fragmentNumber");
		LocalStream stream = stream(streamName);
		FragmentData kept = new FragmentData(data.producerTimestamp().truncatedTo(ChronoUnit.MILLIS), data.duration(),
				data.payload(), data.header(), data.tags());
		FragmentLog fragmentLog = logOf(stream.streamId());
		Fragment stored = fragmentLog.append(kept, clock.instant().truncatedTo(ChronoUnit.MILLIS), serverTimestamp -> {
			// Called under the log's append lock, so the check and the write are one step.
			fragmentLog.newest().ifPresent(newest -> {
				if (compareNumbers(newest.fragmentNumber(), fragmentNumber) >= 0) {
					throw new IllegalStateException("Fragment number " + fragmentNumber
							+ " is not greater than the newest of stream " + stream.streamId());
				}
			});
			return fragmentNumber;
		});
		signalAppended();
		return stored;
	}

	/**
	 * Issues a fragment number now, for a fragment that will be stored later with
	 * {@link #append(String, FragmentData, String)}. A number whose fragment is never stored (refused, cut short)
	 * is simply never used: fragment numbers are increasing, not contiguous, in KVS too.
	 * @return a decimal number greater than every number issued before; never {@literal null}
	 */
	String reserveFragmentNumber() {
		return nextFragmentNumber(clock.instant().truncatedTo(ChronoUnit.MILLIS));
	}

	/**
	 * Waits until a fragment is appended to any stream, or the time is up; returns early, never late.
	 * @param timeout the longest wait
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	void awaitAppend(Duration timeout) throws InterruptedException {
		appended.lock();
		try {
			fragmentAppended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		finally {
			appended.unlock();
		}
	}

	private void signalAppended() {
		appended.lock();
		try {
			fragmentAppended.signalAll();
		}
		finally {
			appended.unlock();
		}
	}

	/**
	 * Records one fragment with no media as ingested now.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param producerTimestamp the fragment's start as the producer stamped it, must not be {@literal null}.
	 * @param duration the fragment's duration, must not be {@literal null}.
	 * @return the new fragment number: a decimal string, greater than every number issued before; never
	 * {@literal null}.
	 */
	public String append(String streamName, Instant producerTimestamp, Duration duration) {
		return append(streamName, new FragmentData(producerTimestamp, duration, new byte[0], new byte[0], List.of()))
			.fragmentNumber();
	}

	/**
	 * One fragment with its media, read back from disk.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param fragmentNumber must not be {@literal null}.
	 * @return empty when the stream has no such fragment (never stored, expired, or damaged on disk); never
	 * {@literal null}.
	 */
	public Optional<StoredFragment> read(String streamName, String fragmentNumber) {
		Objects.requireNonNull(fragmentNumber, "fragmentNumber");
		FragmentLog fragmentLog = logs.get(stream(streamName).streamId());
		return (fragmentLog != null) ? fragmentLog.read(fragmentNumber) : Optional.empty();
	}

	/**
	 * The server timestamp of the most recently ingested fragment.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @return empty when the stream has no fragments; never {@literal null}.
	 */
	public Optional<Instant> newestServerTimestamp(String streamName) {
		return newestOf(stream(streamName).streamId()).map(Fragment::serverTimestamp);
	}

	/**
	 * All fragments of a stream in ingestion (fragment-number) order.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @return an immutable copy, never {@literal null}.
	 */
	public List<Fragment> fragments(String streamName) {
		return fragmentsOf(stream(streamName).streamId());
	}

	/**
	 * Fragments whose server timestamp lies in {@code [from, to]}, in ingestion order.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param from inclusive start, must not be {@literal null}.
	 * @param to inclusive end, must not be {@literal null}.
	 * @return never {@literal null}.
	 */
	public List<Fragment> byServerTimestamp(String streamName, Instant from, Instant to) {
		return select(stream(streamName).streamId(), within(Fragment::serverTimestamp, from, to), null,
				Integer.MAX_VALUE);
	}

	/**
	 * Fragments whose producer timestamp lies in {@code [from, to]}, in ingestion order.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param from inclusive start, must not be {@literal null}.
	 * @param to inclusive end, must not be {@literal null}.
	 * @return never {@literal null}.
	 */
	public List<Fragment> byProducerTimestamp(String streamName, Instant from, Instant to) {
		return select(stream(streamName).streamId(), within(Fragment::producerTimestamp, from, to), null,
				Integer.MAX_VALUE);
	}

	List<Fragment> fragmentsOf(String streamId) {
		FragmentLog fragmentLog = logs.get(streamId);
		return (fragmentLog != null) ? List.copyOf(fragmentLog.fragments()) : List.of();
	}

	/** The newest {@code limit} fragments of a stream in ingestion order, without copying the whole index. */
	List<Fragment> newestOf(String streamId, int limit) {
		FragmentLog fragmentLog = logs.get(streamId);
		return (fragmentLog != null) ? fragmentLog.newest(limit) : List.of();
	}

	/** One fragment's metadata from the index, without reading its media. */
	Optional<Fragment> find(String streamId, String fragmentNumber) {
		FragmentLog fragmentLog = logs.get(streamId);
		return (fragmentLog != null) ? fragmentLog.find(fragmentNumber) : Optional.empty();
	}

	Optional<Fragment> newestOf(String streamId) {
		FragmentLog fragmentLog = logs.get(streamId);
		return (fragmentLog != null) ? fragmentLog.newest() : Optional.empty();
	}

	/**
	 * Fragments of a stream matching a filter, in fragment-number order, without copying the whole index.
	 * @param after when set, only fragments numbered after it
	 * @param limit the most to return
	 */
	List<Fragment> select(String streamId, Predicate<Fragment> filter, @Nullable String after, int limit) {
		FragmentLog fragmentLog = logs.get(streamId);
		return (fragmentLog != null) ? List.copyOf(fragmentLog.select(filter, after, limit)) : List.of();
	}

	static Predicate<Fragment> within(Function<Fragment, Instant> timestamp, Instant from, Instant to) {
		return f -> !timestamp.apply(f).isBefore(from) && !timestamp.apply(f).isAfter(to);
	}

	/**
	 * Removes the expired media of every stream with a retention period.
	 * @return how many fragments were removed
	 */
	int sweepExpired() {
		Instant now = clock.instant();
		int removed = 0;
		for (LocalStream stream : streams.all()) {
			FragmentLog fragmentLog = logs.get(stream.streamId());
			// DataRetentionInHours 0 means KVS keeps no archive; the embedded service keeps what it was given rather
			// than guess how long a live consumer still needs it.
			if (fragmentLog == null || stream.dataRetentionInHours() == 0) {
				continue;
			}
			int expired = fragmentLog.expire(now.minus(Duration.ofHours(stream.dataRetentionInHours())));
			if (expired > 0) {
				log.debug("Stream {}: removed {} fragment(s) past the {} h retention", stream.streamId(), expired,
						stream.dataRetentionInHours());
			}
			removed += expired;
		}
		return removed;
	}

	/** Drops the fragments of a deleted stream, so that a stream re-created under the same name starts empty. */
	void forget(String streamId) {
		FragmentLog fragmentLog = logs.remove(streamId);
		if (fragmentLog != null) {
			fragmentLog.close();
		}
	}

	/** Releases the open segment files; called by the container on shutdown. */
	@Override
	public void close() {
		logs.values().forEach(FragmentLog::close);
	}

	private FragmentLog logOf(String streamId) {
		return logs.computeIfAbsent(streamId, id -> FragmentLog.open(id, streamsDir.resolve(id), segmentSize));
	}

	private LocalStream stream(String streamName) {
		Objects.requireNonNull(streamName, "streamName");
		LocalStreams.requireValidName(streamName, "StreamName");
		return streams.findByName(streamName).orElseThrow(LocalStreams::notFound);
	}

	/** Time-based so numbers keep growing across restarts, bumped so they strictly grow within one. */
	private synchronized String nextFragmentNumber(Instant serverTimestamp) {
		long micros = serverTimestamp.getEpochSecond() * 1_000_000L + serverTimestamp.getNano() / 1_000;
		BigInteger candidate = FRAGMENT_NUMBER_BASE.add(BigInteger.valueOf(micros).multiply(MICROS_SHIFT));
		lastFragmentNumber = candidate.max(lastFragmentNumber.add(BigInteger.ONE));
		return lastFragmentNumber.toString();
	}

	/** Orders decimal fragment numbers numerically without parsing them. */
	static int compareNumbers(String a, String b) {
		return (a.length() != b.length()) ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
	}

	/**
	 * Metadata of one stored fragment.
	 * @param fragmentNumber KVS-style decimal fragment number
	 * @param producerTimestamp start of the fragment by the producer's clock
	 * @param serverTimestamp when the service received the fragment
	 * @param duration how long the fragment plays
	 * @param sizeInBytes the size of the fragment's media (its payload)
	 */
	public record Fragment(String fragmentNumber, Instant producerTimestamp, Instant serverTimestamp,
			Duration duration, long sizeInBytes) {

	}

	/**
	 * A fragment to store.
	 * @param producerTimestamp start of the fragment by the producer's clock
	 * @param duration how long the fragment plays
	 * @param payload the fragment's bytes, the MKV Cluster as received; opaque to the store, may be empty
	 * @param header the stream header the fragment belongs to (EBML header, Segment, Info, Tracks); stored once per
	 * distinct content; may be empty
	 * @param tags the fragment's metadata tags in order
	 */
	public record FragmentData(Instant producerTimestamp, Duration duration, byte[] payload, byte[] header,
			List<Tag> tags) {

		public FragmentData {
			Objects.requireNonNull(producerTimestamp, "producerTimestamp");
			Objects.requireNonNull(duration, "duration");
			Objects.requireNonNull(payload, "payload");
			Objects.requireNonNull(header, "header");
			tags = List.copyOf(tags);
		}

	}

	/**
	 * A fragment metadata tag (MKV {@code SimpleTag}).
	 * @param name tag name
	 * @param value tag value
	 */
	public record Tag(String name, String value) {

		public Tag {
			Objects.requireNonNull(name, "name");
			Objects.requireNonNull(value, "value");
		}

	}

	/**
	 * A fragment read back from disk.
	 * @param fragment its metadata
	 * @param payload its bytes as stored
	 * @param header the bytes of the stream header it belongs to; empty when none was stored
	 * @param tags its metadata tags in order
	 */
	public record StoredFragment(Fragment fragment, byte[] payload, byte[] header, List<Tag> tags) {

	}

}
