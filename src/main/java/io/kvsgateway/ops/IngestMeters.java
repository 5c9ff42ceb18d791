package io.kvsgateway.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.kvsgateway.ingest.IngestMetrics;
import io.kvsgateway.putmedia.AckError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Camera ingest as Micrometer meters named after the KVS PutMedia CloudWatch metrics they mirror (developer guide,
 * "Monitor Amazon Kinesis Video Streams metrics with CloudWatch"): {@code PutMedia.IncomingBytes} is
 * {@code kvs.putmedia.incoming.bytes}, and so on; docs/operations.md has the whole table. Each is tagged
 * {@code stream} as {@link StreamTags} allows. A stream's meters are made once and kept, so a fragment costs counter
 * and timer updates only.
 */
final class IngestMeters implements IngestMetrics {

	/** Buffering ACKs go out as soon as a Cluster begins: milliseconds, unless the camera's response is stuck. */
	private static final Duration[] BUFFERING_BUCKETS = durations(1, 5, 10, 50, 100, 500, 1000);

	/** PERSISTED follows a round trip to KVS and its durable write: typically 0.5–2 s. */
	private static final Duration[] ACK_BUCKETS = durations(100, 250, 500, 1000, 2000, 3000, 5000, 10000, 30000);

	private final MeterRegistry registry;

	private final StreamTags tags;

	private final Map<String, Meters> streams = new ConcurrentHashMap<>();

	IngestMeters(MeterRegistry registry, StreamTags tags) {
		this.registry = registry;
		this.tags = tags;
	}

	@Override
	public Stream stream(String streamName) {
		return streams.computeIfAbsent(tags.tag(streamName), Meters::new);
	}

	@Override
	public void connectionError(String streamName, String errorType) {
		Counter.builder("kvs.putmedia.connection.errors")
			.description("PutMedia connections that could not be established (KVS PutMedia.ConnectionErrors)")
			.tag("stream", tags.tag(streamName))
			.tag("error", errorType)
			.register(registry)
			.increment();
	}

	static Duration[] durations(long... millis) {
		Duration[] durations = new Duration[millis.length];
		for (int i = 0; i < millis.length; i++) {
			durations[i] = Duration.ofMillis(millis[i]);
		}
		return durations;
	}

	/** One stream tag's meters. */
	private final class Meters implements Stream {

		private final String stream;

		private final Counter requests;

		private final Counter bytes;

		private final Counter fragments;

		private final Counter frames;

		private final Timer bufferingAck;

		private final Timer receivedAck;

		private final Timer persistedAck;

		/** By {@link AckError#ordinal()}, made on the first ERROR of each kind. */
		private final AtomicReferenceArray<Counter> errorAcks = new AtomicReferenceArray<>(AckError.values().length);

		Meters(String stream) {
			this.stream = stream;
			this.requests = Counter.builder("kvs.putmedia.requests")
				.description("PutMedia connections accepted (KVS PutMedia.Requests)")
				.tag("stream", stream)
				.register(registry);
			this.bytes = Counter.builder("kvs.putmedia.incoming.bytes")
				.description("Bytes received from cameras (KVS PutMedia.IncomingBytes)")
				.baseUnit("bytes")
				.tag("stream", stream)
				.register(registry);
			this.fragments = Counter.builder("kvs.putmedia.incoming.fragments")
				.description("Complete fragments received from cameras, refused ones included "
						+ "(KVS PutMedia.IncomingFragments)")
				.tag("stream", stream)
				.register(registry);
			this.frames = Counter.builder("kvs.putmedia.incoming.frames")
				.description("Frames of the complete fragments received (KVS PutMedia.IncomingFrames)")
				.tag("stream", stream)
				.register(registry);
			this.bufferingAck = Timer.builder("kvs.putmedia.buffering.ack.latency")
				.description("From a fragment's start to its BUFFERING ACK (KVS PutMedia.BufferingAckLatency)")
				.serviceLevelObjectives(BUFFERING_BUCKETS)
				.tag("stream", stream)
				.register(registry);
			this.receivedAck = Timer.builder("kvs.putmedia.received.ack.latency")
				.description("From a fragment's last byte to its RECEIVED ACK (KVS PutMedia.ReceivedAckLatency)")
				.serviceLevelObjectives(ACK_BUCKETS)
				.tag("stream", stream)
				.register(registry);
			this.persistedAck = Timer.builder("kvs.putmedia.persisted.ack.latency")
				.description("From a fragment's last byte to its PERSISTED ACK (KVS PutMedia.PersistedAckLatency)")
				.serviceLevelObjectives(ACK_BUCKETS)
				.tag("stream", stream)
				.register(registry);
		}

		@Override
		public void connected() {
			requests.increment();
		}

		@Override
		public void bytes(long count) {
			bytes.increment(count);
		}

		@Override
		public void fragment(int frameCount) {
			fragments.increment();
			frames.increment(frameCount);
		}

		@Override
		public void bufferingAck(long nanos) {
			bufferingAck.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void receivedAck(long nanos) {
			receivedAck.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void persistedAck(long nanos) {
			persistedAck.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void errorAck(AckError error) {
			Counter counter = errorAcks.get(error.ordinal());
			if (counter == null) {
				// Registering again returns the same counter, so a race here costs nothing but the lookup.
				counter = Counter.builder("kvs.putmedia.error.acks")
					.description("ERROR ACKs issued to cameras, by ErrorId and ErrorCode (KVS PutMedia.ErrorAckCount)")
					.tag("stream", stream)
					.tag("error.id", Integer.toString(error.id()))
					.tag("error.code", error.code())
					.register(registry);
				errorAcks.set(error.ordinal(), counter);
			}
			counter.increment();
		}

	}

}
