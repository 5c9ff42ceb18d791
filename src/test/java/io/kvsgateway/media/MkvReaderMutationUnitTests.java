package io.kvsgateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.kvsgateway.media.MkvEvent.ClusterEnded;
import io.kvsgateway.media.MkvEvent.Frame;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/**
 * Mutates the fixtures (bit flips, byte insertions and deletions, truncation, corrupted element sizes, splices of
 * two fixtures) and checks that {@link MkvReader} either reads the result or refuses it with
 * {@link MalformedMkvException}: no other exception, no hang (each parse has a deadline), and no buffer beyond the
 * limits it is given (small limits here, so that a runaway allocation would show as a failure, not an OOM).
 *
 * <p>1,500 tries take about 5 s. One run's outcomes: read 341, IMPOSSIBLE_SIZE 391, BAD_VINT 237, TRUNCATED 174,
 * WRONG_NESTING 163, TOO_LARGE 104, UNSUPPORTED 59, BAD_LACING 18, BAD_VALUE 13 (jqwik reports them as the
 * {@code outcome} statistics when {@code jqwik.reporting.onlyfailures} is off).
 */
class MkvReaderMutationUnitTests {

	private static final List<byte[]> FIXTURES = MkvFixtures.ALL.stream().map(MkvFixtures::bytes).toList();

	private static final MkvReader.Limits LIMITS = new MkvReader.Limits(256 << 10, 64 << 10, 8 << 10);

	private static final Duration DEADLINE = Duration.ofSeconds(5);

	/** A change to a byte array; positions are fractions of the length so that they fit any input. */
	sealed interface Mutation {

		byte[] apply(byte[] input);

		static int at(double fraction, int length) {
			return Math.min(length, (int) (fraction * length));
		}

		record FlipBit(double where, int bit) implements Mutation {

			public byte[] apply(byte[] input) {
				byte[] copy = input.clone();
				int at = Mutation.at(this.where, copy.length - 1);
				if (copy.length > 0) {
					copy[at] ^= (byte) (1 << this.bit);
				}
				return copy;
			}

		}

		record Insert(double where, byte[] bytes) implements Mutation {

			public byte[] apply(byte[] input) {
				int at = Mutation.at(this.where, input.length);
				return Ebml.concat(Arrays.copyOfRange(input, 0, at), this.bytes,
						Arrays.copyOfRange(input, at, input.length));
			}

		}

		record Delete(double where, int length) implements Mutation {

			public byte[] apply(byte[] input) {
				int from = Mutation.at(this.where, input.length);
				int to = Math.min(input.length, from + this.length);
				return Ebml.concat(Arrays.copyOfRange(input, 0, from), Arrays.copyOfRange(input, to, input.length));
			}

		}

		record Truncate(double where) implements Mutation {

			public byte[] apply(byte[] input) {
				return Arrays.copyOf(input, Mutation.at(this.where, input.length));
			}

		}

		/** Overwrites the size VINT of the n-th element header found by a shallow scan with another VINT. */
		record CorruptSize(double which, byte[] size) implements Mutation {

			public byte[] apply(byte[] input) {
				List<Integer> sizes = sizeOffsets(input);
				if (sizes.isEmpty()) {
					return input;
				}
				int at = sizes.get(Math.min(sizes.size() - 1, (int) (this.which * sizes.size())));
				byte[] copy = input.clone();
				System.arraycopy(this.size, 0, copy, at, Math.min(this.size.length, copy.length - at));
				return copy;
			}

		}

		record Splice(int other, double from, double to, double where) implements Mutation {

			public byte[] apply(byte[] input) {
				byte[] donor = FIXTURES.get(this.other);
				int start = Mutation.at(Math.min(this.from, this.to), donor.length);
				int end = Mutation.at(Math.max(this.from, this.to), donor.length);
				int at = Mutation.at(this.where, input.length);
				return Ebml.concat(Arrays.copyOfRange(input, 0, at), Arrays.copyOfRange(donor, start, end),
						Arrays.copyOfRange(input, at, input.length));
			}

		}

	}

	@Property(tries = 1500, shrinking = ShrinkingMode.BOUNDED)
	void readsOrRefusesEveryMutatedFixture(@ForAll("fixture") int fixture,
			@ForAll @Size(min = 1, max = 4) List<@net.jqwik.api.From("mutation") Mutation> mutations) {
		byte[] input = FIXTURES.get(fixture);
		for (Mutation mutation : mutations) {
			input = mutation.apply(input);
		}
		byte[] mutated = input;

		String outcome = Assertions.assertTimeoutPreemptively(DEADLINE, () -> {
			try {
				List<MkvEvent> events = MkvFixtures.readAll(new ByteArrayInputStream(mutated), LIMITS);
				for (MkvEvent event : events) {
					if (event instanceof ClusterEnded cluster) {
						assertThat(cluster.raw().remaining()).isLessThanOrEqualTo(LIMITS.maxClusterBytes());
						assertThat(cluster.frames()).allSatisfy(
								frame -> assertThat(frame.payloadLength()).isLessThanOrEqualTo(cluster.raw().remaining()));
					}
				}
				return "read";
			}
			catch (MalformedMkvException expected) {
				assertThat(expected.offset()).isBetween(0L, (long) mutated.length);
				return expected.reason().name();
			}
		}, () -> "parse of a mutated input took longer than " + DEADLINE);
		Statistics.label("outcome").collect(outcome);
	}

	@Provide
	Arbitrary<Integer> fixture() {
		return Arbitraries.integers().between(0, FIXTURES.size() - 1);
	}

	@Provide
	Arbitrary<Mutation> mutation() {
		Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
		Arbitrary<byte[]> someBytes = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16);
		Arbitrary<byte[]> vint = Arbitraries.oneOf(Arbitraries.of(Ebml.UNKNOWN_SIZE, Ebml.bytes(0x00),
				Ebml.bytes(0xFF), Ebml.bytes(0x80), Ebml.bytes(0x01, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF),
				Ebml.bytes(0x10, 0xFF, 0xFF, 0xFF)), someBytes);
		return Arbitraries.oneOf(
				Combinators.combine(where, Arbitraries.integers().between(0, 7)).as(Mutation.FlipBit::new),
				Combinators.combine(where, someBytes).as(Mutation.Insert::new),
				Combinators.combine(where, Arbitraries.integers().between(1, 64)).as(Mutation.Delete::new),
				where.map(Mutation.Truncate::new), Combinators.combine(where, vint).as(Mutation.CorruptSize::new),
				Combinators.combine(fixture(), where, where, where).as(Mutation.Splice::new));
	}

	/** Offsets of size VINTs of element headers, found by walking top level and into Segments and Clusters. */
	static List<Integer> sizeOffsets(byte[] input) {
		List<Integer> offsets = new ArrayList<>();
		int p = 0;
		int guard = 0;
		while (p < input.length && guard++ < 100_000) {
			int first = input[p] & 0xFF;
			int idLength = Integer.numberOfLeadingZeros(first) - 23;
			if (first == 0 || idLength > 4 || p + idLength >= input.length) {
				break;
			}
			int id = 0;
			for (int i = 0; i < idLength; i++) {
				id = (id << 8) | (input[p + i] & 0xFF);
			}
			int sizeAt = p + idLength;
			int sizeFirst = input[sizeAt] & 0xFF;
			int sizeLength = Integer.numberOfLeadingZeros(sizeFirst) - 23;
			if (sizeFirst == 0 || sizeAt + sizeLength > input.length) {
				break;
			}
			long size = sizeFirst & (0xFF >> sizeLength);
			for (int i = 1; i < sizeLength; i++) {
				size = (size << 8) | (input[sizeAt + i] & 0xFF);
			}
			offsets.add(sizeAt);
			int data = sizeAt + sizeLength;
			boolean enter = id == MkvReader.SEGMENT || id == MkvReader.CLUSTER
					|| size == (1L << (7 * sizeLength)) - 1;
			p = enter ? data : (int) Math.min(input.length, data + size);
		}
		return offsets;
	}

	@Property(tries = 1)
	void findsElementSizesToCorrupt() throws IOException {
		byte[] kvs = MkvFixtures.bytes(MkvFixtures.H264_KVS);
		List<MkvEvent> events = MkvFixtures.readAll(kvs);
		long frames = events.stream().filter(Frame.class::isInstance).count();

		assertThat(sizeOffsets(kvs)).hasSizeGreaterThan((int) frames);
	}

}
