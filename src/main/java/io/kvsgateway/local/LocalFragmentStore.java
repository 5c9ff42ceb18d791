package io.kvsgateway.local;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Records fragment metadata for a stream of the embedded KVS; for now in memory, the ingest issue will make it the
 * durable store.
 * <p>
 * Other modules' tests use {@link #append(String, Instant, Duration)} to simulate ingested media:
 *
 * <pre>{@code
 * String fragmentNumber = fragments.append("cam-1", clock.instant(), Duration.ofSeconds(1));
 * }</pre>
 *
 * Every method that takes a stream name answers KVS {@code ResourceNotFoundException} (HTTP 404 on the wire, an
 * unchecked exception in process) when the stream does not exist.
 */
public class LocalFragmentStore {

	/** KVS fragment numbers are 47-digit decimals; this keeps ours the same width for decades. */
	private static final BigInteger FRAGMENT_NUMBER_BASE = BigInteger.TEN.pow(46);

	private static final BigInteger MICROS_SHIFT = BigInteger.TEN.pow(6);

	private final Map<String, List<Fragment>> byStreamId = new ConcurrentHashMap<>();

	private final LocalStreams streams;

	private final Clock clock;

	private BigInteger lastFragmentNumber = BigInteger.ZERO;

	LocalFragmentStore(LocalStreams streams, Clock clock) {
		this.streams = streams;
		this.clock = clock;
	}

	/**
	 * Records one fragment as ingested now.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param producerTimestamp the fragment's start as the producer stamped it, must not be {@literal null}.
	 * @param duration the fragment's duration, must not be {@literal null}.
	 * @return the new fragment number: a decimal string, greater than every number issued before; never
	 * {@literal null}.
	 */
	public String append(String streamName, Instant producerTimestamp, Duration duration) {
		Objects.requireNonNull(producerTimestamp, "producerTimestamp");
		Objects.requireNonNull(duration, "duration");
		LocalStream stream = stream(streamName);
		Instant serverTimestamp = clock.instant();
		Fragment fragment = new Fragment(nextFragmentNumber(serverTimestamp), producerTimestamp, serverTimestamp,
				duration);
		List<Fragment> fragments = byStreamId.computeIfAbsent(stream.streamId(), id -> new ArrayList<>());
		synchronized (fragments) {
			fragments.add(fragment);
		}
		return fragment.fragmentNumber();
	}

	/**
	 * The server timestamp of the most recently ingested fragment.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @return empty when the stream has no fragments; never {@literal null}.
	 */
	public Optional<Instant> newestServerTimestamp(String streamName) {
		List<Fragment> all = fragments(streamName);
		return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast().serverTimestamp());
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
		return within(fragments(streamName), Fragment::serverTimestamp, from, to);
	}

	/**
	 * Fragments whose producer timestamp lies in {@code [from, to]}, in ingestion order.
	 * @param streamName an existing stream, must not be {@literal null}.
	 * @param from inclusive start, must not be {@literal null}.
	 * @param to inclusive end, must not be {@literal null}.
	 * @return never {@literal null}.
	 */
	public List<Fragment> byProducerTimestamp(String streamName, Instant from, Instant to) {
		return within(fragments(streamName), Fragment::producerTimestamp, from, to);
	}

	List<Fragment> fragmentsOf(String streamId) {
		List<Fragment> fragments = byStreamId.get(streamId);
		if (fragments == null) {
			return List.of();
		}
		synchronized (fragments) {
			return List.copyOf(fragments);
		}
	}

	/** Drops the fragments of a deleted stream, so that a stream re-created under the same name starts empty. */
	void forget(String streamId) {
		byStreamId.remove(streamId);
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

	private static List<Fragment> within(List<Fragment> fragments, Function<Fragment, Instant> timestamp, Instant from,
			Instant to) {
		return fragments.stream().filter(f -> !timestamp.apply(f).isBefore(from) && !timestamp.apply(f).isAfter(to))
			.toList();
	}

	/**
	 * Metadata of one stored fragment.
	 * @param fragmentNumber KVS-style decimal fragment number
	 * @param producerTimestamp start of the fragment by the producer's clock
	 * @param serverTimestamp when the service received the fragment
	 * @param duration how long the fragment plays
	 */
	public record Fragment(String fragmentNumber, Instant producerTimestamp, Instant serverTimestamp,
			Duration duration) {

	}

}
