package io.kvsgateway.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

import io.kvsgateway.support.LiveCamera;

/**
 * Load script for the embedded KVS's playback serving (run it with {@code bench/playback-serving.sh}), three questions
 * of issue 4 in one run against a running gateway:
 * <ol>
 * <li>(a) live latency: cameras stream a fixture in real time through the gateway's {@code /putMedia} (with the KVS
 * end-of-fragment tag, as producers send it) while a prober per stream polls a LIVE HLS media playlist every few
 * milliseconds; for each fragment, the time from its last byte leaving the camera to its first listing;</li>
 * <li>(b) media fragment serving: 64 readers fetch {@code getMP4MediaFragment.mp4} of an ON_DEMAND session, in rounds
 * alternating with the same bytes fetched as static files from the same server (Spring's resource handler), and the
 * throughput ratio.</li>
 * </ol>
 * Arguments: {@code baseUrl cameraToken port staticDir [cameras=4] [latencySeconds=90] [readers=64]
 * [roundSeconds=10] [rounds=3]}.
 */
public final class PlaybackServingLoad {

	private static final Duration POLL = Duration.ofMillis(5);

	public static void main(String[] args) throws Exception {
		String base = args[0];
		String cameraToken = args[1];
		int port = Integer.parseInt(args[2]);
		Path staticDir = Path.of(args[3]);
		int cameras = args.length > 4 ? Integer.parseInt(args[4]) : 4;
		int latencySeconds = args.length > 5 ? Integer.parseInt(args[5]) : 90;
		int readers = args.length > 6 ? Integer.parseInt(args[6]) : 64;
		int roundSeconds = args.length > 7 ? Integer.parseInt(args[7]) : 10;
		int rounds = args.length > 8 ? Integer.parseInt(args[8]) : 3;

		var credentials = StaticCredentialsProvider
			.create(AwsBasicCredentials.create("AKIDKVSGATEWAYLOCAL", "kvs-gateway-local-development-secret"));
		KinesisVideoClient control = KinesisVideoClient.builder()
			.credentialsProvider(credentials)
			.region(Region.US_EAST_1)
			.endpointOverride(URI.create(base + "/kvs"))
			.build();
		CloseableHttpClient http = HttpClients.custom().setMaxConnTotal(readers * 2).setMaxConnPerRoute(readers * 2)
			.build();

		// (a) live latency
		List<Probe> probes = new ArrayList<>();
		List<Thread> probers = new ArrayList<>();
		List<LiveCamera> running = new ArrayList<>();
		for (int c = 0; c < cameras; c++) {
			String stream = "serving-bench-" + c;
			try {
				control.createStream(r -> r.streamName(stream).dataRetentionInHours(24));
			}
			catch (ResourceInUseException exists) {
				throw new IllegalStateException("start from an empty data folder: " + stream + " exists");
			}
			LiveCamera camera = LiveCamera.start(port, cameraToken, stream, "h264.mkv", true);
			running.add(camera);
			camera.awaitPersisted(2, Duration.ofSeconds(20));
			KinesisVideoArchivedMediaClient archived = archived(control, credentials, stream);
			String master = archived.getHLSStreamingSessionURL(r -> r.streamName(stream)
				.playbackMode("LIVE")
				.maxMediaPlaylistFragmentResults(5L)
				.expires(43_200))
				.hlsStreamingSessionURL();
			String playlist = resolve(master, lineStartingWith(get(http, master), "getHLSMediaPlaylist"));
			Probe probe = new Probe(camera, playlist, http);
			probes.add(probe);
			// Polling starts at once, while the LIVE playlist still lists every fragment the camera sent.
			probers.add(Thread.ofPlatform().start(probe::run));
			archived.close();
		}
		System.out.printf(Locale.ROOT, "(a) %d cameras in real time, playlists polled every %d ms for %d s%n",
				cameras, POLL.toMillis(), latencySeconds);
		Thread.sleep(TimeUnit.SECONDS.toMillis(latencySeconds));
		probes.forEach(Probe::stop);
		for (Thread prober : probers) {
			prober.join();
		}
		long[] latencies = probes.stream().flatMapToLong(p -> p.latencies.stream().mapToLong(Long::longValue))
			.sorted().toArray();
		System.out.printf(Locale.ROOT,
				"(a) live latency, last byte at /putMedia -> listed in a LIVE media playlist: %d fragments, p50 %.1f ms,"
						+ " p99 %.1f ms, max %.1f ms (target p99 <= 100 ms)%n",
				latencies.length, percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6,
				latencies[latencies.length - 1] / 1e6);

		// (b) fragment serving against the same bytes as static files
		String stream = "serving-bench-0";
		KinesisVideoArchivedMediaClient archived = archived(control, credentials, stream);
		String master = archived.getHLSStreamingSessionURL(r -> r.streamName(stream)
			.playbackMode("ON_DEMAND")
			.hlsFragmentSelector(s -> s.fragmentSelectorType("SERVER_TIMESTAMP")
				.timestampRange(t -> t.startTimestamp(Instant.now().minus(Duration.ofHours(1)))
					.endTimestamp(Instant.now())))
			.expires(43_200))
			.hlsStreamingSessionURL();
		archived.close();
		for (LiveCamera camera : running) {
			camera.close();
		}
		String playlistUrl = resolve(master, lineStartingWith(get(http, master), "getHLSMediaPlaylist"));
		List<String> fragmentUrls = get(http, playlistUrl).lines()
			.filter(line -> line.startsWith("getMP4MediaFragment"))
			.map(line -> resolve(playlistUrl, line))
			.toList();
		List<String> staticUrls = new ArrayList<>();
		long bytes = 0;
		Files.createDirectories(staticDir.resolve("viewer"));
		for (int i = 0; i < fragmentUrls.size(); i++) {
			byte[] body = getBytes(http, fragmentUrls.get(i));
			bytes += body.length;
			Files.write(staticDir.resolve("viewer").resolve("bench-" + i + ".mp4"), body);
			staticUrls.add(base + "/viewer/bench-" + i + ".mp4");
		}
		for (int i = 0; i < staticUrls.size(); i++) {
			if (!Arrays.equals(getBytes(http, staticUrls.get(i)), getBytes(http, fragmentUrls.get(i)))) {
				throw new IllegalStateException("the static copy of fragment " + i + " differs");
			}
		}
		System.out.printf(Locale.ROOT, "(b) %d fragments of %.1f KB on average; %d readers, %d s rounds%n",
				fragmentUrls.size(), bytes / 1024.0 / fragmentUrls.size(), readers, roundSeconds);
		try (ExecutorService pool = Executors.newFixedThreadPool(readers)) {
			serve(pool, http, readers, staticUrls, 3);
			serve(pool, http, readers, fragmentUrls, 3);
			double staticSum = 0;
			double kvsSum = 0;
			for (int round = 1; round <= rounds; round++) {
				Served s = serve(pool, http, readers, staticUrls, roundSeconds);
				Served k = serve(pool, http, readers, fragmentUrls, roundSeconds);
				staticSum += s.perSecond();
				kvsSum += k.perSecond();
				System.out.printf(Locale.ROOT, "round %d  static file        : %s%n", round, s);
				System.out.printf(Locale.ROOT, "round %d  getMP4MediaFragment: %s%n", round, k);
				System.out.printf(Locale.ROOT, "round %d  ratio %.2f%n", round, k.perSecond() / s.perSecond());
			}
			System.out.printf(Locale.ROOT, "(b) summary: static %.0f req/s, getMP4MediaFragment %.0f req/s,"
					+ " ratio %.2f (target >= 0.70)%n", staticSum / rounds, kvsSum / rounds, kvsSum / staticSum);
		}
		http.close();
		control.close();
	}

	private static KinesisVideoArchivedMediaClient archived(KinesisVideoClient control,
			StaticCredentialsProvider credentials, String stream) {
		String endpoint = control
			.getDataEndpoint(r -> r.streamName(stream).apiName(APIName.GET_HLS_STREAMING_SESSION_URL))
			.dataEndpoint();
		return KinesisVideoArchivedMediaClient.builder()
			.credentialsProvider(credentials)
			.region(Region.US_EAST_1)
			.endpointOverride(URI.create(endpoint))
			.build();
	}

	private static Served serve(ExecutorService pool, CloseableHttpClient http, int readers, List<String> urls,
			int seconds) throws Exception {
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		LongAdder requests = new LongAdder();
		LongAdder bytes = new LongAdder();
		ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
		List<Future<?>> workers = new ArrayList<>();
		long begin = System.nanoTime();
		for (int r = 0; r < readers; r++) {
			int offset = r;
			workers.add(pool.submit(() -> {
				List<Long> mine = new ArrayList<>();
				for (int i = offset; System.nanoTime() < end; i++) {
					long t0 = System.nanoTime();
					bytes.add(getBytes(http, urls.get(i % urls.size())).length);
					mine.add(System.nanoTime() - t0);
					requests.increment();
				}
				latencies.add(mine.stream().mapToLong(Long::longValue).toArray());
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		double elapsed = (System.nanoTime() - begin) / 1e9;
		long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
		return new Served(requests.sum() / elapsed, bytes.sum() / elapsed / 1e6, percentile(all, 0.5) / 1e6,
				percentile(all, 0.99) / 1e6);
	}

	private record Served(double perSecond, double megabytesPerSecond, double p50Millis, double p99Millis) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "%8.0f req/s  %7.1f MB/s  p50 %6.2f ms  p99 %6.2f ms", perSecond,
					megabytesPerSecond, p50Millis, p99Millis);
		}

	}

	/** Polls one stream's LIVE media playlist and times each new fragment against when its camera sent it. */
	private static final class Probe {

		private final LiveCamera camera;

		private final String playlist;

		private final CloseableHttpClient http;

		final List<Long> latencies = new ArrayList<>();

		private volatile boolean running = true;

		Probe(LiveCamera camera, String playlist, CloseableHttpClient http) {
			this.camera = camera;
			this.playlist = playlist;
			this.http = http;
		}

		void stop() {
			running = false;
		}

		void run() {
			try {
				Set<String> seen = new HashSet<>(fragments(get(http, playlist)));
				// Polling starts before a LIVE playlist is full, so every fragment sent so far is listed: the next
				// new one is fragment number seen.size() of the camera.
				if (seen.size() >= 5) {
					throw new IllegalStateException("the playlist filled up before polling began");
				}
				int next = seen.size();
				while (running) {
					List<String> listed = fragments(get(http, playlist));
					long now = System.nanoTime();
					for (String fragment : listed) {
						if (seen.add(fragment)) {
							List<Long> sent = camera.sentAtNanos();
							if (next < sent.size()) {
								latencies.add(now - sent.get(next));
							}
							next++;
						}
					}
					Thread.sleep(POLL);
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		private static List<String> fragments(String playlist) {
			return playlist.lines().filter(line -> line.startsWith("getMP4MediaFragment"))
				.map(line -> line.substring(line.indexOf("FragmentNumber=")))
				.toList();
		}

	}

	private static String get(CloseableHttpClient http, String url) throws IOException {
		return new String(getBytes(http, url), java.nio.charset.StandardCharsets.UTF_8);
	}

	private static byte[] getBytes(CloseableHttpClient http, String url) throws IOException {
		try (CloseableHttpResponse response = http.execute(new HttpGet(url))) {
			byte[] body = EntityUtils.toByteArray(response.getEntity());
			if (response.getStatusLine().getStatusCode() != 200) {
				throw new IllegalStateException(url + " answered " + response.getStatusLine() + ": "
						+ new String(body, java.nio.charset.StandardCharsets.UTF_8));
			}
			return body;
		}
	}

	private static String lineStartingWith(String text, String prefix) {
		return text.lines().filter(line -> line.startsWith(prefix)).findFirst()
			.orElseThrow(() -> new IllegalStateException("no line starting with " + prefix + " in\n" + text));
	}

	private static String resolve(String base, String relative) {
		return URI.create(base).resolve(relative).toString();
	}

	private static double percentile(long[] sorted, double p) {
		return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
	}

	private PlaybackServingLoad() {
	}

}
