package io.kvsgateway.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.playback.PlaybackMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's own KVS archived-media calls for viewers as Micrometer meters: one timer {@code kvs.api.requests}
 * tagged {@code api} with the KVS API's own name (GetHLSStreamingSessionURL, GetDASHStreamingSessionURL,
 * ListFragments, GetClip) and {@code outcome}, which carries CloudWatch's {@code <Api>.Requests} (count),
 * {@code .Latency} (sum, buckets) and {@code .Success} (share with {@code outcome=success}) at once;
 * {@code kvs.getclip.outgoing.bytes} ({@code GetClip.OutgoingBytes}); and {@code kvs.archived.fragments.consumed}
 * tagged {@code quota=metadata|media} ({@code ArchivedFragmentsConsumed.Metadata} and {@code .Media}): the points the
 * gateway charged streams for its own calls. Each is tagged {@code stream} as {@link StreamTags} allows.
 */
final class PlaybackMeters implements PlaybackMetrics {

	private static final Duration[] LATENCY_BUCKETS = IngestMeters.durations(25, 50, 100, 250, 500, 1000, 2500, 5000,
			10000);

	/** How a call ended, as the tag {@code outcome}. */
	enum Outcome {

		/** KVS answered. */
		SUCCESS,
		/** KVS refused the request itself (4xx other than throttling): unknown stream, no media, bad argument. */
		CLIENT_ERROR,
		/** KVS answered ClientLimitExceededException: a quota was exceeded. */
		THROTTLED,
		/** KVS failed or could not be reached, or the gateway's credentials were refused. */
		SERVER_ERROR;

		static Outcome of(@Nullable RuntimeException failure) {
			return switch (failure) {
				case null -> SUCCESS;
				case KvsException.Throttled throttled -> THROTTLED;
				case KvsException.Unavailable unavailable -> SERVER_ERROR;
				case KvsException.GatewayNotAuthorized notAuthorized -> SERVER_ERROR;
				case KvsException other -> CLIENT_ERROR;
				default -> SERVER_ERROR;
			};
		}

		String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	private final MeterRegistry registry;

	private final StreamTags tags;

	private final Map<String, Meters> streams = new ConcurrentHashMap<>();

	PlaybackMeters(MeterRegistry registry, StreamTags tags) {
		this.registry = registry;
		this.tags = tags;
	}

	@Override
	public void called(Api api, String streamName, long nanos, @Nullable RuntimeException failure) {
		meters(streamName).timer(api, Outcome.of(failure)).record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void consumed(String streamName, long metadataPoints, long mediaPoints) {
		Meters meters = meters(streamName);
		meters.metadataConsumed.increment(metadataPoints);
		meters.mediaConsumed.increment(mediaPoints);
	}

	@Override
	public void clipBytes(String streamName, long bytes) {
		meters(streamName).clipBytes.increment(bytes);
	}

	private Meters meters(String streamName) {
		return streams.computeIfAbsent(tags.tag(streamName), Meters::new);
	}

	/** One stream tag's meters. */
	private final class Meters {

		private final String stream;

		/** By api and outcome ordinal, made on first use. */
		private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(
				Api.values().length * Outcome.values().length);

		private final Counter metadataConsumed;

		private final Counter mediaConsumed;

		private final Counter clipBytes;

		Meters(String stream) {
			this.stream = stream;
			String consumed = "kvs.archived.fragments.consumed";
			String help = "Fragment quota points the gateway charged for its own calls "
					+ "(KVS ArchivedFragmentsConsumed.*)";
			this.metadataConsumed = Counter.builder(consumed)
				.description(help)
				.tag("stream", stream)
				.tag("quota", "metadata")
				.register(registry);
			this.mediaConsumed = Counter.builder(consumed)
				.description(help)
				.tag("stream", stream)
				.tag("quota", "media")
				.register(registry);
			this.clipBytes = Counter.builder("kvs.getclip.outgoing.bytes")
				.description("Bytes of GetClip clips sent on to viewers (KVS GetClip.OutgoingBytes)")
				.baseUnit("bytes")
				.tag("stream", stream)
				.register(registry);
		}

		Timer timer(Api api, Outcome outcome) {
			int index = api.ordinal() * Outcome.values().length + outcome.ordinal();
			Timer timer = timers.get(index);
			if (timer == null) {
				timer = Timer.builder("kvs.api.requests")
					.description("KVS archived-media calls the gateway made for viewers (KVS <Api>.Requests, "
							+ ".Latency and .Success)")
					.serviceLevelObjectives(LATENCY_BUCKETS)
					.tag("api", api.kvsName())
					.tag("outcome", outcome.tag())
					.tag("stream", stream)
					.register(registry);
				timers.set(index, timer);
			}
			return timer;
		}

	}

}
