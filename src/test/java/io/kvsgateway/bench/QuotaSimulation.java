package io.kvsgateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.kvsgateway.support.CameraConnection;
import io.kvsgateway.support.EmbeddedKvsClients;
import io.kvsgateway.support.LiveCamera;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;

/**
 * A population of simulated players that really play from the embedded KVS at player pace, each first asking the
 * gateway for a session ({@code POST /v1/streams/{s}/playback-sessions}) and waiting out {@code Retry-After} when the
 * stream is full:
 * <ul>
 * <li>live HLS (developer guide, example 1): the master playlist and each track's init segment once, then once per
 * fragment duration each track's media playlist, then each fragment that is new in it (starting at the newest, as
 * the guide's example does);</li>
 * <li>on-demand DASH (example 2): the manifest once, then every segment of every track at 5 per second until all are
 * loaded; then it ends its session and asks for the next one.</li>
 * </ul>
 * Every request an admitted player makes to KVS is counted, and every refusal kept, so that a caller can check that
 * the scheduler's admissions never overdraw what KVS enforces. Used by {@code QuotaSimulationIntegrationTests} (small
 * budgets, in CI) and by {@code bench/quota-simulation.sh} through {@link #main} (KVS's full quotas).
 */
public final class QuotaSimulation {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern URI_ATTRIBUTE = Pattern.compile("URI=\"([^\"]+)\"");

	private static final Pattern SEGMENT_TEMPLATE = Pattern.compile(
			"<SegmentTemplate[^>]*?initialization=\"([^\"]+)\"[^>]*?media=\"([^\"]+)\"[^>]*>(.*?)</SegmentTemplate>",
			Pattern.DOTALL);

	private static final Pattern TIMELINE_ENTRY = Pattern.compile("<S t=\"(\\d+)\"");

	private final Plan plan;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final AtomicLong attempts = new AtomicLong();

	private final Set<String> admitted = ConcurrentHashMap.newKeySet();

	private final Map<String, AtomicLong> rejections = new ConcurrentHashMap<>();

	private final AtomicLong otherFailures = new AtomicLong();

	private final AtomicLong kvsRequests = new AtomicLong();

	private final AtomicLong playlists = new AtomicLong();

	private final AtomicLong fragments = new AtomicLong();

	private final AtomicLong refusals = new AtomicLong();

	private final List<String> refusalSamples = new CopyOnWriteArrayList<>();

	private final AtomicLong playing = new AtomicLong();

	/** How many new fragments live players found per playlist refresh (-1: the first refresh). */
	private final Map<Integer, AtomicLong> newPerPoll = new ConcurrentHashMap<>();

	/** When admitted players' fragment requests were refused, nanoseconds since the start. */
	private final List<Long> refusedAt = new CopyOnWriteArrayList<>();

	private volatile long started;

	private volatile long deadline;

	private QuotaSimulation(Plan plan) {
		this.plan = plan;
	}

	/**
	 * What to simulate.
	 *
	 * @param baseUrl the gateway, e.g. {@code http://127.0.0.1:8080}
	 * @param streamName the stream every player watches
	 * @param viewerToken the viewer token of player {@code i} (a token per viewer, so the viewer share applies as in
	 * production)
	 * @param livePlayers live HLS players
	 * @param onDemandPlayers on-demand DASH players
	 * @param rampUp over how long the players start, evenly
	 * @param duration how long the simulation runs from its start
	 * @param fragmentDuration the stream's fragment duration, how often a live player refreshes its playlists
	 * @param liveMaxResults {@code maxFragmentResults} of live sessions (KVS default 5)
	 * @param onDemandStart start of the on-demand range
	 * @param onDemandEnd end of the on-demand range
	 * @param onDemandMaxResults {@code maxFragmentResults} of on-demand sessions: the fragments of the range, so that
	 * the session is priced for what it loads
	 */
	public record Plan(String baseUrl, String streamName, IntFunction<String> viewerToken, int livePlayers,
			int onDemandPlayers, Duration rampUp, Duration duration, Duration fragmentDuration, int liveMaxResults,
			Instant onDemandStart, Instant onDemandEnd, int onDemandMaxResults) {

	}

	/**
	 * What happened.
	 *
	 * @param players players started
	 * @param attempts session requests made to the gateway
	 * @param admitted sessions the gateway granted
	 * @param rejections 429 answers, by the budget the gateway named
	 * @param otherFailures session requests answered otherwise (neither 201 nor 429)
	 * @param kvsRequests requests admitted players made to the embedded KVS
	 * @param playlists of which playlists and manifests
	 * @param fragments of which media fragments
	 * @param refusals of which were refused (any status but 200)
	 * @param refusalSamples the first refusals: status, error type, message
	 * @param peakPlaying the most sessions playing at once
	 * @param newFragmentsPerRefresh how many live playlist refreshes found 0, 1, 2... new fragments
	 * @param refusedAtMillis when refusals happened, milliseconds since the start
	 */
	public record Report(int players, long attempts, int admitted, Map<String, Long> rejections, long otherFailures,
			long kvsRequests, long playlists, long fragments, long refusals, List<String> refusalSamples,
			long peakPlaying, Map<Integer, Long> newFragmentsPerRefresh, List<Long> refusedAtMillis) {

		public long rejectionTotal() {
			return rejections.values().stream().mapToLong(Long::longValue).sum();
		}

	}

	/** Runs the plan to its end, every player on its own virtual thread. */
	public static Report run(Plan plan) throws InterruptedException {
		return new QuotaSimulation(plan).run();
	}

	private Report run() throws InterruptedException {
		long start = System.nanoTime();
		started = start;
		deadline = start + plan.duration().toNanos();
		int players = plan.livePlayers() + plan.onDemandPlayers();
		List<Thread> threads = new ArrayList<>();
		long[] peak = { 0 };
		Thread sampler = Thread.ofVirtual().start(() -> {
			while (System.nanoTime() < deadline) {
				peak[0] = Math.max(peak[0], playing.get());
				LockSupport.parkNanos(50_000_000L);
			}
		});
		for (int i = 0; i < players; i++) {
			int player = i;
			// The kinds take turns through the ramp-up, so that neither has the stream to itself first.
			boolean live = (long) i * plan.onDemandPlayers() / players == (long) (i + 1) * plan.onDemandPlayers()
					/ players;
			long startAt = start + plan.rampUp().toNanos() * i / Math.max(1, players);
			threads.add(Thread.ofVirtual().name("player-" + i).start(() -> {
				sleepUntil(startAt);
				try {
					if (live) {
						playLive(plan.viewerToken().apply(player));
					}
					else {
						while (System.nanoTime() < deadline) {
							playOnDemand(plan.viewerToken().apply(player));
						}
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (IOException | RuntimeException ex) {
					otherFailures.incrementAndGet();
					sample("player " + player + " failed: " + ex);
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		sampler.join();
		Map<String, Long> rejected = new LinkedHashMap<>();
		rejections.forEach((budget, count) -> rejected.put(budget, count.get()));
		Map<Integer, Long> perRefresh = new java.util.TreeMap<>();
		newPerPoll.forEach((count, polls) -> perRefresh.put(count, polls.get()));
		return new Report(players, attempts.get(), admitted.size(), rejected, otherFailures.get(), kvsRequests.get(),
				playlists.get(), fragments.get(), refusals.get(), List.copyOf(refusalSamples), peak[0], perRefresh,
				refusedAt.stream().map(nanos -> nanos / 1_000_000).sorted().toList());
	}

	private void playLive(String token) throws IOException, InterruptedException {
		Session session = open(token, "{\"protocol\":\"HLS\",\"playbackMode\":\"LIVE\",\"maxFragmentResults\":"
				+ plan.liveMaxResults() + "}");
		if (session == null) {
			return;
		}
		playing.incrementAndGet();
		try {
			URI master = URI.create(session.url());
			String text = kvs(master, true);
			if (text == null) {
				return;
			}
			List<URI> tracks = new ArrayList<>();
			for (String line : text.split("\n")) {
				Matcher uri = URI_ATTRIBUTE.matcher(line);
				if (line.startsWith("#EXT-X-MEDIA") && uri.find()) {
					tracks.add(master.resolve(uri.group(1)));
				}
				else if (!line.isBlank() && !line.startsWith("#")) {
					tracks.add(master.resolve(line.trim()));
				}
			}
			List<Set<String>> seen = new ArrayList<>();
			tracks.forEach(any -> seen.add(null));
			long period = plan.fragmentDuration().toNanos();
			long next = System.nanoTime();
			while (next < deadline) {
				sleepUntil(next);
				for (int t = 0; t < tracks.size(); t++) {
					String playlist = kvs(tracks.get(t), true);
					if (playlist == null) {
						continue;
					}
					List<String> segments = new ArrayList<>();
					String init = null;
					for (String line : playlist.split("\n")) {
						Matcher uri = URI_ATTRIBUTE.matcher(line);
						if (line.startsWith("#EXT-X-MAP") && uri.find()) {
							init = uri.group(1);
						}
						else if (!line.isBlank() && !line.startsWith("#")) {
							segments.add(line.trim());
						}
					}
					Set<String> known = seen.get(t);
					List<String> wanted;
					if (known == null) {
						// A player joins at the live edge: the init segment and the newest fragment.
						if (init != null) {
							kvs(tracks.get(t).resolve(init), false);
						}
						wanted = segments.isEmpty() ? List.of() : List.of(segments.getLast());
					}
					else {
						wanted = segments.stream().filter(s -> !known.contains(s)).toList();
					}
					newPerPoll.computeIfAbsent(known == null ? -1 : wanted.size(), any -> new AtomicLong())
						.incrementAndGet();
					for (String segment : wanted) {
						fragments.incrementAndGet();
						kvs(tracks.get(t).resolve(segment), false);
					}
					// Only the playlist's window needs remembering.
					seen.set(t, new HashSet<>(segments));
				}
				// Like a player's reload timer: the next refresh a period after this one was due, and never a burst of
				// refreshes to make up for ones this thread was too slow for.
				next = Math.max(next + period, System.nanoTime());
			}
		}
		finally {
			playing.decrementAndGet();
			close(session, token);
		}
	}

	private void playOnDemand(String token) throws IOException, InterruptedException {
		Session session = open(token,
				"{\"protocol\":\"DASH\",\"playbackMode\":\"ON_DEMAND\",\"startTimestamp\":\"" + plan.onDemandStart()
						+ "\",\"endTimestamp\":\"" + plan.onDemandEnd() + "\",\"maxFragmentResults\":"
						+ plan.onDemandMaxResults() + "}");
		if (session == null) {
			return;
		}
		playing.incrementAndGet();
		try {
			URI manifest = URI.create(session.url());
			String xml = kvs(manifest, true);
			if (xml == null) {
				return;
			}
			// One SegmentTemplate per track: its init, then a $Time$ URL per timeline entry (as a DASH player reads it).
			List<URI> segments = new ArrayList<>();
			Matcher template = SEGMENT_TEMPLATE.matcher(xml);
			while (template.find()) {
				kvs(manifest.resolve(template.group(1).replace("&amp;", "&")), false);
				String media = template.group(2).replace("&amp;", "&");
				Matcher entry = TIMELINE_ENTRY.matcher(template.group(3));
				while (entry.find()) {
					segments.add(manifest.resolve(media.replace("$Time$", entry.group(1))));
				}
			}
			if (segments.isEmpty()) {
				otherFailures.incrementAndGet();
				sample("no SegmentTemplate timeline in the DASH manifest");
				return;
			}
			// "GetMP4MediaFragment at a rate of up to 5 times per second ... until all fragments are loaded".
			long next = System.nanoTime();
			for (URI uri : segments) {
				if (System.nanoTime() >= deadline) {
					break;
				}
				sleepUntil(next);
				fragments.incrementAndGet();
				kvs(uri, false);
				next += 200_000_000L;
			}
		}
		finally {
			playing.decrementAndGet();
			close(session, token);
		}
	}

	/** Asks the gateway for a session until it grants one or the simulation ends; waits out each 429. */
	private Session open(String token, String body) throws IOException, InterruptedException {
		URI uri = URI.create(plan.baseUrl() + "/v1/streams/" + plan.streamName() + "/playback-sessions");
		while (System.nanoTime() < deadline) {
			attempts.incrementAndGet();
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == 201) {
				JsonNode json = JSON.readTree(response.body());
				String sessionId = json.required("sessionId").stringValue();
				admitted.add(sessionId);
				return new Session(sessionId, json.required("url").stringValue(),
						response.headers().firstValue("Location").orElse("/v1/playback-sessions/" + sessionId));
			}
			long waitNanos;
			if (response.statusCode() == 429) {
				JsonNode json = JSON.readTree(response.body());
				String budget = json.has("budget") ? json.get("budget").asString() : String.valueOf(json.get("type"));
				rejections.computeIfAbsent(budget, any -> new AtomicLong()).incrementAndGet();
				long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
				waitNanos = Duration.ofSeconds(Math.max(1, seconds)).toNanos();
			}
			else {
				otherFailures.incrementAndGet();
				sample("session request " + response.statusCode() + ": " + response.body());
				waitNanos = Duration.ofSeconds(1).toNanos();
			}
			sleepUntil(Math.min(deadline, System.nanoTime() + waitNanos));
		}
		return null;
	}

	private void close(Session session, String token) {
		try {
			http.send(HttpRequest.newBuilder(URI.create(plan.baseUrl()).resolve(session.location()))
				.header("Authorization", "Bearer " + token)
				.DELETE()
				.build(), HttpResponse.BodyHandlers.discarding());
		}
		catch (IOException ex) {
			otherFailures.incrementAndGet();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** One request to the embedded KVS; a refusal is counted and sampled. @return the text body, null if refused */
	private String kvs(URI uri, boolean playlist) throws IOException, InterruptedException {
		kvsRequests.incrementAndGet();
		if (playlist) {
			playlists.incrementAndGet();
		}
		HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != 200) {
			refusals.incrementAndGet();
			refusedAt.add(System.nanoTime() - started);
			sample(response.statusCode() + " " + response.headers().firstValue("x-amzn-ErrorType").orElse("") + " "
					+ new String(response.body(), StandardCharsets.UTF_8) + " for " + uri.getPath());
			return null;
		}
		return playlist ? new String(response.body(), StandardCharsets.UTF_8) : "";
	}

	private void sample(String what) {
		if (refusalSamples.size() < 10) {
			refusalSamples.add(what);
		}
	}

	private static void sleepUntil(long nanoTime) {
		long wait;
		while ((wait = nanoTime - System.nanoTime()) > 0) {
			LockSupport.parkNanos(wait);
		}
	}

	private record Session(String sessionId, String url, String location) {
	}

	/**
	 * The stream a simulation plays, made ready: created, holding a recorded clip of {@code h264.mkv} (6 one-second
	 * fragments, for on-demand players), with a camera streaming the same fixture live through the gateway.
	 *
	 * @param camera the live camera; close it when done
	 * @param recordedFrom start of the recorded clip's range (server timestamps)
	 * @param recordedTo end of it
	 * @param recordedFragments fragments in the range
	 */
	public record Stream(LiveCamera camera, Instant recordedFrom, Instant recordedTo, int recordedFragments) {

		/** Creates {@code streamName} in the embedded KVS and uploads and streams to it through the gateway. */
		public static Stream prepare(int port, String cameraToken, String streamName) throws Exception {
			try (KinesisVideoClient kvs = EmbeddedKvsClients.kinesisVideo(port)) {
				kvs.createStream(r -> r.streamName(streamName).dataRetentionInHours(24));
			}
			Instant from = Instant.now().minusSeconds(1);
			int persisted;
			try (CameraConnection upload = CameraConnection.open(port, "/putMedia", Map.of("Authorization",
					"Bearer " + cameraToken, "x-amzn-stream-name", streamName, "x-amzn-fragment-timecode-type",
					"RELATIVE", "x-amzn-producer-start-timestamp",
					Long.toString(Instant.now().minusSeconds(600).getEpochSecond())))) {
				upload.write(Files.readAllBytes(Path.of("src/test/resources/media/h264.mkv"))).finish();
				persisted = CameraConnection.ofType(upload.awaitEnd(), "PERSISTED").size();
			}
			Instant to = Instant.now();
			// The upload's upstream hop must end before the camera's begins: KVS allows 1 PutMedia per stream.
			Thread.sleep(1100);
			LiveCamera camera = LiveCamera.start(port, cameraToken, streamName, "h264.mkv", true);
			camera.awaitPersisted(2, Duration.ofSeconds(20));
			return new Stream(camera, from, to, persisted);
		}

	}

	/**
	 * Runs a simulation against a gateway started by {@code bench/quota-simulation.sh} and prints what happened.
	 * Arguments: {@code port cameraToken viewerToken operatorToken [mediaQuota=500] [seconds=60]}: {@code 1.5 ×
	 * mediaQuota} live HLS players and {@code mediaQuota / 10} on-demand DASH players, twice what a stream with that
	 * fragment-media quota carries. Every player uses the one viewer token, so the gateway runs with
	 * {@code gateway.quota.max-viewer-share=1}.
	 */
	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		String camera = args[1];
		String viewer = args[2];
		String operator = args[3];
		int quota = args.length > 4 ? Integer.parseInt(args[4]) : 500;
		long seconds = args.length > 5 ? Long.parseLong(args[5]) : 60;
		String streamName = "sim-" + Long.toString(System.currentTimeMillis(), 36);
		String base = "http://127.0.0.1:" + port;
		Stream stream = Stream.prepare(port, camera, streamName);
		try (LiveCamera liveCamera = stream.camera()) {
			int live = quota * 3 / 2;
			int onDemand = Math.max(1, quota / 10);
			Plan plan = new Plan(base, streamName, any -> viewer, live, onDemand, Duration.ofSeconds(5),
					Duration.ofSeconds(seconds), Duration.ofSeconds(1), 5, stream.recordedFrom(), stream.recordedTo(),
					stream.recordedFragments());
			System.out.printf("stream %s, fragment-media quota %d/s (gateway budget %.1f after its 5%% margin);"
					+ " %d live HLS + %d on-demand DASH players for %d s%n", streamName, quota, quota * 0.95, live,
					onDemand, seconds);
			double[] consumedBefore = new double[2];
			List<Double> reserved = new CopyOnWriteArrayList<>();
			Thread sampler = Thread.ofVirtual().start(() -> {
				try {
					Thread.sleep(Math.min(15_000, seconds * 1000 / 3));
					consumedBefore[0] = metric(base, operator, "kvs.local.archived.fragments.consumed", "quota:media");
					consumedBefore[1] = System.nanoTime();
					long end = System.nanoTime() + (seconds * 1000 / 3) * 1_000_000L;
					while (System.nanoTime() < end) {
						JsonNode media = json(base, operator, "/actuator/quotas/" + streamName).required("budgets")
							.required("FRAGMENT_MEDIA");
						reserved.add(media.required("reserved").asDouble() / media.required("capacity").asDouble());
						Thread.sleep(500);
					}
					double consumed = metric(base, operator, "kvs.local.archived.fragments.consumed", "quota:media")
							- consumedBefore[0];
					System.out.printf("steady state: media consumed %.1f points/s, reserved/capacity %.3f%n",
							consumed / ((System.nanoTime() - consumedBefore[1]) / 1e9),
							reserved.stream().mapToDouble(Double::doubleValue).average().orElse(0));
				}
				catch (Exception ex) {
					System.out.println("sampling failed: " + ex);
				}
			});
			Report report = run(plan);
			sampler.join();
			System.out.println("admitted sessions " + report.admitted() + " of " + report.attempts()
					+ " requests; rejections " + report.rejections() + "; peak playing " + report.peakPlaying());
			System.out.println("requests to KVS " + report.kvsRequests() + " (playlists/manifests "
					+ report.playlists() + ", fragments " + report.fragments() + "), refused " + report.refusals()
					+ " at ms " + report.refusedAtMillis().stream().limit(50).toList());
			report.refusalSamples().stream().limit(5).forEach(sample -> System.out.println("  " + sample));
			System.out.println("new fragments per live refresh (-1: first): " + report.newFragmentsPerRefresh());
			System.out.printf("embedded KVS totals: media %.0f, metadata %.0f points; throttled %.0f requests%n",
					metric(base, operator, "kvs.local.archived.fragments.consumed", "quota:media"),
					metric(base, operator, "kvs.local.archived.fragments.consumed", "quota:metadata"),
					metric(base, operator, "kvs.local.throttled", null));
		}
	}

	private static double metric(String base, String token, String name, String tag) throws Exception {
		JsonNode body = json(base, token, "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag));
		return body.required("measurements").get(0).required("value").asDouble();
	}

	private static JsonNode json(String base, String token, String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
					HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
		}
		return JSON.readTree(response.body());
	}

}
