package io.kvsgateway.bench;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.jspecify.annotations.Nullable;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

/**
 * Load script for the viewer path (run it with {@code bench/playback-load.sh}): at a fixed concurrency it drives
 * {@code POST /v1/streams/{s}/playback-sessions} through the gateway and, in the same run, the same number of bare
 * SDK {@code GetHLSStreamingSessionURL} calls to the embedded KVS, and prints grants/s, p50/p99 and the ratio of the
 * gateway's cost per grant to the bare call's. Rounds alternate so that drift hits both sides alike.
 *
 * <p>Arguments: {@code baseUrl viewerToken [concurrency=64] [requestsPerRound=20000] [rounds=3] [gatewayPid]}. With
 * the gateway's process id it also reports CPU time per request in each process, which on a CPU-bound machine is
 * the cost the throughput ratio reflects.
 */
public final class PlaybackLoad {

	private static final String STREAM = "bench-stream";

	public static void main(String[] args) throws Exception {
		String base = args[0];
		String token = args[1];
		int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
		int requests = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
		int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
		ProcessHandle server = args.length > 5 ? ProcessHandle.of(Long.parseLong(args[5])).orElseThrow() : null;
		String start = Instant.now().minus(Duration.ofHours(1)).toString();

		SdkHttpClient sdkHttp = ApacheHttpClient.builder().maxConnections(concurrency * 2).build();
		var credentials = StaticCredentialsProvider
			.create(AwsBasicCredentials.create("AKIDKVSGATEWAYLOCAL", "kvs-gateway-local-development-secret"));
		KinesisVideoClient control = KinesisVideoClient.builder()
			.httpClient(sdkHttp)
			.credentialsProvider(credentials)
			.region(Region.US_EAST_1)
			.endpointOverride(URI.create(base + "/kvs"))
			.build();
		try {
			control.createStream(r -> r.streamName(STREAM).dataRetentionInHours(24));
		}
		catch (ResourceInUseException exists) {
			// a previous run made it
		}
		String dataEndpoint = control
			.getDataEndpoint(r -> r.streamName(STREAM).apiName(APIName.GET_HLS_STREAMING_SESSION_URL))
			.dataEndpoint();
		KinesisVideoArchivedMediaClient archived = KinesisVideoArchivedMediaClient.builder()
			.httpClient(sdkHttp)
			.credentialsProvider(credentials)
			.region(Region.US_EAST_1)
			.endpointOverride(URI.create(dataEndpoint))
			.build();
		// The gateway is called with the same HTTP client library the SDK uses, so client-side costs compare.
		CloseableHttpClient http = HttpClients.custom()
			.setMaxConnTotal(concurrency * 2)
			.setMaxConnPerRoute(concurrency * 2)
			.build();
		String sessionsUrl = base + "/v1/streams/" + STREAM + "/playback-sessions";
		String body = "{\"playbackMode\":\"LIVE_REPLAY\",\"startTimestamp\":\"" + start + "\"}";

		Call bare = () -> archived.getHLSStreamingSessionURL(r -> r.streamName(STREAM)
			.playbackMode("LIVE_REPLAY")
			.hlsFragmentSelector(s -> s.fragmentSelectorType("SERVER_TIMESTAMP")
				.timestampRange(t -> t.startTimestamp(Instant.parse(start)))))
			.hlsStreamingSessionURL();
		Call gateway = () -> {
			HttpPost post = new HttpPost(sessionsUrl);
			post.setHeader("Authorization", "Bearer " + token);
			post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
			try (CloseableHttpResponse response = http.execute(post)) {
				String answer = EntityUtils.toString(response.getEntity());
				if (response.getStatusLine().getStatusCode() != 201) {
					throw new IllegalStateException("gateway answered " + response.getStatusLine() + ": " + answer);
				}
				return answer;
			}
		};

		try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
			System.out.printf(Locale.ROOT, "warm-up (3 x %d requests each)%n", requests / 4);
			for (int i = 0; i < 3; i++) {
				run(pool, concurrency, requests / 4, bare, server);
				run(pool, concurrency, requests / 4, gateway, server);
			}
			List<Result> bareResults = new ArrayList<>();
			List<Result> gatewayResults = new ArrayList<>();
			for (int round = 1; round <= rounds; round++) {
				Result b = run(pool, concurrency, requests, bare, server);
				Result g = run(pool, concurrency, requests, gateway, server);
				bareResults.add(b);
				gatewayResults.add(g);
				System.out.printf(Locale.ROOT, "round %d  bare SDK: %s%n", round, b);
				System.out.printf(Locale.ROOT, "round %d  gateway : %s%n", round, g);
				System.out.printf(Locale.ROOT, "round %d  cost ratio gateway/bare = %.2f%n", round,
						b.perSecond() / g.perSecond());
			}
			double bareRate = bareResults.stream().mapToDouble(Result::perSecond).sum() / rounds;
			double gatewayRate = gatewayResults.stream().mapToDouble(Result::perSecond).sum() / rounds;
			System.out.printf(Locale.ROOT,
					"summary: concurrency %d, %d requests x %d rounds; bare %.0f/s, gateway %.0f grants/s,"
							+ " cost ratio %.2f (target <= 1.50)%n",
					concurrency, requests, rounds, bareRate, gatewayRate, bareRate / gatewayRate);
		}
		http.close();
		archived.close();
		control.close();
		sdkHttp.close();
	}

	private static Result run(ExecutorService pool, int concurrency, int requests, Call call,
			@Nullable ProcessHandle server) throws Exception {
		long clientCpu = cpuNanos(ProcessHandle.current());
		long serverCpu = cpuNanos(server);
		long[] latencies = new long[requests];
		AtomicInteger next = new AtomicInteger();
		List<Future<?>> workers = new ArrayList<>();
		long begin = System.nanoTime();
		for (int w = 0; w < concurrency; w++) {
			workers.add(pool.submit(() -> {
				int i;
				while ((i = next.getAndIncrement()) < requests) {
					long t0 = System.nanoTime();
					call.run();
					latencies[i] = System.nanoTime() - t0;
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		long elapsed = System.nanoTime() - begin;
		Arrays.sort(latencies);
		return new Result(requests * 1e9 / elapsed, latencies[requests / 2] / 1e6,
				latencies[(int) (requests * 0.99)] / 1e6, (cpuNanos(ProcessHandle.current()) - clientCpu) / 1e3 / requests,
				(cpuNanos(server) - serverCpu) / 1e3 / requests);
	}

	private static long cpuNanos(@Nullable ProcessHandle process) {
		return process == null ? 0 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
	}

	@FunctionalInterface
	private interface Call {

		Object run() throws Exception;

	}

	private record Result(double perSecond, double p50Millis, double p99Millis, double clientCpuMicros,
			double serverCpuMicros) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"%8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  cpu/request: load generator %5.0f us, gateway %5.0f us",
					perSecond, p50Millis, p99Millis, clientCpuMicros, serverCpuMicros);
		}

	}

	private PlaybackLoad() {
	}

}
