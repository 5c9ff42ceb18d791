package io.kvsgateway.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.crypto.spec.SecretKeySpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import tools.jackson.databind.json.JsonMapper;

import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;
import io.kvsgateway.support.MediaFixtures;

/**
 * Benchmark (c) of issue 4: an ON_DEMAND HLS media playlist and DASH manifest of 5,000 fragments (the most a session
 * may list), built by the embedded KVS from its fragment store, as {@code GetHLSMediaPlaylist} and
 * {@code GetDASHManifest} do for every request: token opened, fragments selected from the stream's index, text
 * written. Target: p99 ≤ 20 ms. Run with {@code bench/playlist.sh}; sample-time mode, so JMH prints percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlaylistBenchmark {

	static final int FRAGMENTS = 5_000;

	static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

	Path dataDir;

	LocalFragmentStore store;

	StreamingResources resources;

	String hlsToken;

	String dashToken;

	@Setup(Level.Trial)
	public void fill() throws IOException {
		// Fragments are written once, with fsync; tmpfs keeps the set-up short where there is one.
		Path shm = Path.of("/dev/shm");
		dataDir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "playlist-bench")
				: Files.createTempDirectory("playlist-bench");
		Clock clock = Clock.systemUTC();
		LocalProperties properties = new LocalProperties(dataDir, null, null, null, null, null, null, null, null, null,
				null, null, null, null, null, null);
		LocalStreams streams = new LocalStreams(properties, JsonMapper.builder().build(), clock);
		LocalStream stream = streams.create("bench", null, null, null, 24);
		store = new LocalFragmentStore(streams, clock, dataDir.resolve("streams"), properties.segmentSize().toBytes());
		MediaFixtures.Split split = MediaFixtures.split("h264-kvs.mkv");
		for (int i = 0; i < FRAGMENTS; i++) {
			store.append("bench", new FragmentData(START.plusSeconds(i), Duration.ofSeconds(1),
					split.fragments().get(i % split.fragments().size()), split.header(), List.of()));
		}
		SessionTokens tokens = new SessionTokens(new SecretKeySpec(new byte[32], "AES"), clock);
		resources = new StreamingResources(streams, store, tokens, new PlaybackSelection(clock),
				MediaPackaging.WRITERS, SessionRateLimiter.UNLIMITED, clock, 64L << 20, 1_000);
		hlsToken = tokens.seal(session(Protocol.HLS, stream.streamId(), clock));
		dashToken = tokens.seal(session(Protocol.DASH, stream.streamId(), clock));
		int listed = (int) new String(resources.hlsMedia(hlsToken, "1").body()).lines()
			.filter(line -> line.startsWith("#EXTINF"))
			.count();
		if (listed != FRAGMENTS) {
			throw new IllegalStateException("the playlist lists " + listed + " fragments, not " + FRAGMENTS);
		}
	}

	private static StreamingSession session(Protocol protocol, String streamId, Clock clock) {
		Instant now = clock.instant();
		boolean hls = protocol == Protocol.HLS;
		return new StreamingSession(UUID.randomUUID().toString(), "bench", streamId, protocol, PlaybackMode.ON_DEMAND,
				FragmentSelectorType.PRODUCER_TIMESTAMP, START, START.plusSeconds(FRAGMENTS),
				hls ? ContainerFormat.FRAGMENTED_MP4 : null, hls ? DiscontinuityMode.NEVER : null, Display.NEVER,
				hls ? null : Display.NEVER, FRAGMENTS, now, now.plus(Duration.ofHours(12)));
	}

	@TearDown(Level.Trial)
	public void delete() throws IOException {
		store.close();
		try (var files = Files.walk(dataDir)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
	}

	@Benchmark
	public int hlsMediaPlaylist() {
		return resources.hlsMedia(hlsToken, "1").body().length;
	}

	@Benchmark
	public int dashManifest() {
		return resources.dashManifest(dashToken).body().length;
	}

	public static void main(String[] args) throws Exception {
		new Runner(new CommandLineOptions(java.util.stream.Stream
			.concat(java.util.stream.Stream.of(PlaylistBenchmark.class.getName()), java.util.Arrays.stream(args))
			.toArray(String[]::new))).run();
	}

}
