package io.kvsgateway.media.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.amazonaws.kinesisvideo.parser.ebml.InputStreamParserByteSource;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitException;
import com.amazonaws.kinesisvideo.parser.mkv.StreamingMkvReader;
import com.amazonaws.kinesisvideo.parser.utilities.FragmentMetadata;
import com.amazonaws.kinesisvideo.parser.utilities.FrameVisitor;
import com.amazonaws.kinesisvideo.parser.utilities.MkvTrackMetadata;
import io.kvsgateway.media.MkvEvent;
import io.kvsgateway.media.MkvReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Benchmark (a) of issue 3: {@link MkvReader} against the AWS KVS parser library's {@code StreamingMkvReader} with
 * a {@code FrameVisitor} (which runs its {@code FragmentMetadataVisitor}), both reading the same bytes from an
 * {@link InputStream} and touching every frame's payload. Run with {@code bench/mkv-reader.sh}; {@link #main}
 * takes JMH's command line and prints MB/s, frames/s and the ratio ours/AWS per input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MkvReaderBenchmark {

	/** Committed fixtures, plus the 720p 4 Mbit/s file {@code make-fixtures.sh --heavy target/bench-media} makes. */
	@Param({ "h264.mkv", "h264-aac.mkv", "h265.mkv", "h264-kvs.mkv", "h264-720p-4M.mkv" })
	public String input;

	byte[] bytes = new byte[0];

	@Setup
	public void load() throws IOException {
		this.bytes = bytes(this.input);
	}

	@Benchmark
	public long ours(Blackhole blackhole) throws IOException {
		MkvReader reader = MkvReader.of(new ByteArrayInputStream(this.bytes));
		long frames = 0;
		for (MkvEvent event = reader.next(); event != null; event = reader.next()) {
			if (event instanceof MkvEvent.Frame frame) {
				blackhole.consume(frame.payload());
				blackhole.consume(frame.keyframe());
				frames++;
			}
		}
		return frames;
	}

	@Benchmark
	public long aws(Blackhole blackhole) throws MkvElementVisitException {
		StreamingMkvReader reader = StreamingMkvReader
			.createDefault(new InputStreamParserByteSource(new ByteArrayInputStream(this.bytes)));
		long[] frames = new long[1];
		FrameVisitor visitor = FrameVisitor.create(new FrameVisitor.FrameProcessor() {

			@Override
			public void process(com.amazonaws.kinesisvideo.parser.mkv.Frame frame, MkvTrackMetadata track,
					Optional<FragmentMetadata> fragment) {
				blackhole.consume(frame.getFrameData());
				blackhole.consume(frame.isKeyFrame());
				frames[0]++;
			}

		});
		reader.apply(visitor);
		return frames[0];
	}

	/**
	 * The input as one stream of at least {@value #STREAM_BYTES} bytes: the file repeated, each copy a complete EBML
	 * document, as a long PutMedia or GetMedia stream is. A reader is made once per stream, so its set-up cost counts
	 * as it does on a long-lived connection, not once per small file.
	 */
	static byte[] bytes(String input) throws IOException {
		byte[] file = file(input);
		int copies = Math.max(1, (int) Math.ceil((double) STREAM_BYTES / file.length));
		byte[] stream = new byte[file.length * copies];
		for (int i = 0; i < copies; i++) {
			System.arraycopy(file, 0, stream, i * file.length, file.length);
		}
		return stream;
	}

	static final int STREAM_BYTES = 8 << 20;

	static byte[] file(String input) throws IOException {
		Path heavy = Path.of("target", "bench-media", input);
		if (Files.exists(heavy)) {
			return Files.readAllBytes(heavy);
		}
		try (InputStream in = MkvReaderBenchmark.class.getResourceAsStream("/media/" + input)) {
			if (in == null) {
				throw new IOException(input + " not found: run src/test/resources/media/make-fixtures.sh --heavy "
						+ "target/bench-media (bench/mkv-reader.sh does)");
			}
			return in.readAllBytes();
		}
	}

	/** Counts the frames of the input with both readers and fails when they disagree. */
	static long frames(String input) {
		try {
			MkvReaderBenchmark benchmark = new MkvReaderBenchmark();
			benchmark.input = input;
			benchmark.load();
			Blackhole blackhole = new Blackhole(
					"Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
			long ours = benchmark.ours(blackhole);
			long aws = benchmark.aws(blackhole);
			if (ours != aws) {
				throw new IllegalStateException(input + ": ours read " + ours + " frames, AWS " + aws);
			}
			return ours;
		}
		catch (IOException | MkvElementVisitException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs the benchmark with JMH's command-line options and prints a table of MB/s and frames/s.
	 * @param args JMH options, for example {@code -f 1 -wi 3 -i 5 -w 1 -r 1}
	 * @throws Exception when JMH fails
	 */
	public static void main(String[] args) throws Exception {
		Collection<RunResult> results = new Runner(new CommandLineOptions(
				java.util.stream.Stream.concat(java.util.stream.Stream.of(MkvReaderBenchmark.class.getName()),
						java.util.Arrays.stream(args)).toArray(String[]::new)))
			.run();
		Map<String, double[]> opsPerInput = new TreeMap<>();
		for (RunResult result : results) {
			String input = result.getParams().getParam("input");
			boolean ours = result.getParams().getBenchmark().endsWith(".ours");
			opsPerInput.computeIfAbsent(input, key -> new double[2])[ours ? 0 : 1] = result.getPrimaryResult()
				.getScore();
		}
		System.out.println();
		System.out.println("| input | stream (bytes) | frames | ours MB/s | ours frames/s | AWS MB/s | AWS frames/s | ours / AWS |");
		System.out.println("|---|---|---|---|---|---|---|---|");
		for (Map.Entry<String, double[]> entry : opsPerInput.entrySet()) {
			String input = entry.getKey();
			long size = bytes(input).length;
			long frames = frames(input);
			double ours = entry.getValue()[0];
			double aws = entry.getValue()[1];
			System.out.println(String.format(Locale.ROOT, "| %s | %,d | %d | %,.0f | %,.0f | %,.0f | %,.0f | %.2f |", input,
					size, frames, ours * size / 1e6, ours * frames, aws * size / 1e6, aws * frames, ours / aws));
		}
	}

}
