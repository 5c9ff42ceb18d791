package io.kvsgateway.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalFragmentStore.Tag;
import io.kvsgateway.local.MediaConnections.Kind;
import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.FragmentReader.FragmentRead;
import io.kvsgateway.media.FragmentReader.FragmentStarted;
import io.kvsgateway.media.FragmentReader.HeaderRead;
import io.kvsgateway.media.MalformedMkvException;
import io.kvsgateway.media.MkvReader;
import io.kvsgateway.media.SimpleTag;
import io.kvsgateway.putmedia.Ack;
import io.kvsgateway.putmedia.AckError;
import io.kvsgateway.putmedia.FragmentRules;
import io.kvsgateway.putmedia.ProducerTimestamps;

/**
 * PutMedia into the embedded store: reads one MKV upload fragment by fragment on the request's thread and writes one
 * KVS acknowledgement line per event to the response as it happens (full duplex).
 * <p>
 * Per fragment: {@code BUFFERING} when its Cluster starts, carrying the fragment number reserved from the store at
 * that moment (KVS's BUFFERING already carries one); {@code RECEIVED} when its last byte is in; then either an
 * {@code ERROR} with the first {@link FragmentRules} it breaks (nothing stored, the upload goes on), or
 * {@code PERSISTED} once {@link LocalFragmentStore#append(String, FragmentData, String)} has returned, i.e. the
 * fragment is on disk. A refused or cut-short fragment leaves its reserved number unused.
 * <p>
 * Malformed MKV ends the upload with {@code ERROR 4006} (4001 when a fragment exceeds the size limit) for the fragment
 * in progress; a vanished stream with 4008; an unexpected failure with 5000. A broken connection ends it silently:
 * nobody is left to read an acknowledgement. In every case the fragment in progress is not stored. Memory is bounded
 * by one fragment: the reader holds only the current Cluster.
 * <p>
 * The connection's lifecycle is KVS's: {@code IDLE} while no byte arrives, the response ended after the idle timeout,
 * and ERROR 4003 at the first fragment boundary after the maximum connection duration.
 */
class PutMediaIngest {

	static final String STREAM_NAME_HEADER = "x-amzn-stream-name";

	static final String STREAM_ARN_HEADER = "x-amzn-stream-arn";

	static final String TIMECODE_TYPE_HEADER = "x-amzn-fragment-timecode-type";

	static final String START_TIMESTAMP_HEADER = "x-amzn-producer-start-timestamp";

	/** Prefix of the tags KVS itself reads or writes (the end-of-fragment marker); they are not fragment metadata. */
	private static final String KVS_TAG_PREFIX = "AWS_KINESISVIDEO_";

	private static final Logger log = LoggerFactory.getLogger(PutMediaIngest.class);

	private final LocalStreams streams;

	private final LocalFragmentStore store;

	private final MediaConnections connections;

	private final FragmentRules rules;

	private final MkvReader.Limits limits;

	private final Clock clock;

	private final LocalProperties.PutMedia lifecycle;

	private final LocalQuotas quotas;

	PutMediaIngest(LocalStreams streams, LocalFragmentStore store, MediaConnections connections, LocalQuotas quotas,
			Clock clock, long maxFragmentBytes, LocalProperties.PutMedia lifecycle) {
		this.quotas = quotas;
		this.lifecycle = lifecycle;
		this.streams = streams;
		this.store = store;
		this.connections = connections;
		this.clock = clock;
		this.rules = new FragmentRules(maxFragmentBytes, FragmentRules.KVS.maxFragmentDuration(),
				FragmentRules.KVS.maxTracks(), FragmentRules.KVS.maxTags(), FragmentRules.KVS.maxTagNameBytes(),
				FragmentRules.KVS.maxTagValueBytes(), FragmentRules.KVS.maxProducerClockAhead());
		this.limits = MkvReader.Limits.KVS.withMaxClusterBytes((int) maxFragmentBytes);
	}

	/**
	 * Checks everything that is answered with an HTTP error, before any body byte is read.
	 * @throws KvsError InvalidArgumentException for bad headers, ResourceNotFoundException for an unknown stream,
	 * ConnectionLimitExceededException when the stream already has an upload
	 */
	Upload open(@Nullable String streamName, @Nullable String streamArn, @Nullable String timecodeType,
			@Nullable String startTimestamp) {
		ProducerTimestamps timestamps;
		try {
			timestamps = ProducerTimestamps.fromHeaders(timecodeType, startTimestamp);
		}
		catch (IllegalArgumentException ex) {
			throw KvsError.invalidArgument(ex.getMessage());
		}
		LocalStream stream = streams.resolve(streamName, streamArn);
		quotas.call(stream.streamName(), LocalQuotas.Api.PUT_MEDIA);
		MediaConnections.Lease lease = connections.acquire(stream.streamId(), Kind.PUT_MEDIA);
		return new Upload(stream, timestamps, lease);
	}

	/** One accepted PutMedia connection: {@link #run} it, then {@link #close} it to free the stream's slot. */
	final class Upload implements AutoCloseable {

		private final LocalStream stream;

		private final ProducerTimestamps timestamps;

		private final MediaConnections.Lease lease;

		private @Nullable Long previousTimecode;

		private @Nullable Long currentTimecode;

		private @Nullable String currentNumber;

		private final AtomicBoolean leaseClosed = new AtomicBoolean();

		private final long openedAt;

		/** When the producer last sent a byte, in clock millis. */
		private volatile long lastData;

		/** The response, until the upload or the idle watcher ends it; guarded by {@code this}. */
		private @Nullable OutputStream acks;

		Upload(LocalStream stream, ProducerTimestamps timestamps, MediaConnections.Lease lease) {
			this.stream = stream;
			this.timestamps = timestamps;
			this.lease = lease;
			this.openedAt = clock.millis();
			this.lastData = openedAt;
		}

		/**
		 * Reads the upload to its end and acknowledges as it goes.
		 * @param in the request body
		 * @param acks the response body, already committed with status 200
		 */
		void run(InputStream in, OutputStream response) {
			synchronized (this) {
				this.acks = response;
			}
			OutputStream acks = new OutputStream() {
				@Override
				public void write(int b) throws IOException {
					write(new byte[] { (byte) b }, 0, 1);
				}

				@Override
				public void write(byte[] b, int off, int len) throws IOException {
					writeAck(b, off, len);
				}
			};
			Thread watcher = Thread.ofVirtual().name("kvs-putmedia-idle").start(this::watchIdle);
			try {
				FragmentReader reader = new FragmentReader(new MkvReader(new ActivityInputStream(this, in), limits));
				for (FragmentReader.Event event; (event = reader.next()) != null;) {
					boolean goOn = switch (event) {
						case HeaderRead header -> true;
						case FragmentStarted started -> started(started, acks);
						case FragmentRead read -> read(read.fragment(), acks) && withinMaxDuration(acks);
					};
					if (!goOn) {
						return;
					}
				}
			}
			catch (MalformedMkvException ex) {
				log.debug("PutMedia on stream {}: {}", stream.streamId(), ex.getMessage());
				AckError error = (ex.reason() == MalformedMkvException.Reason.TOO_LARGE)
						? AckError.MAX_FRAGMENT_SIZE_REACHED : AckError.INVALID_MKV_DATA;
				tryAck(acks, Ack.error(currentTimecode, currentNumber, error));
			}
			catch (IOException ex) {
				// The producer went away (or its connection broke) mid-upload: nobody is left to acknowledge.
				log.debug("PutMedia on stream {} ended: {}", stream.streamId(), ex.toString());
			}
			catch (RuntimeException ex) {
				log.error("PutMedia on stream {} failed unexpectedly", stream.streamId(), ex);
				tryAck(acks, Ack.error(currentTimecode, currentNumber, AckError.INTERNAL_ERROR));
			}
			finally {
				watcher.interrupt();
			}
		}

		/** Frees the stream's PutMedia connection slot, once. */
		@Override
		public void close() {
			if (leaseClosed.compareAndSet(false, true)) {
				lease.close();
			}
		}

		/** At a fragment boundary: once the connection has lasted its maximum, answers 4003 and returns false. */
		private boolean withinMaxDuration(OutputStream acks) throws IOException {
			if (clock.millis() - openedAt < lifecycle.maxConnectionDuration().toMillis()) {
				return true;
			}
			ack(acks, Ack.error(null, null, AckError.MAX_CONNECTION_DURATION_REACHED));
			return false;
		}

		private synchronized void writeAck(byte[] b, int off, int len) throws IOException {
			OutputStream out = acks;
			if (out == null) {
				throw new IOException("the response has ended");
			}
			out.write(b, off, len);
			out.flush();
		}

		/** Sends IDLE while the producer is silent; after the idle timeout ends the response and frees the stream. */
		private void watchIdle() {
			long interval = lifecycle.idleAckInterval().toMillis();
			long timeout = lifecycle.idleTimeout().toMillis();
			long tick = Math.max(10, Math.min(interval, timeout) / 4);
			long lastIdle = 0;
			byte[] idle = Ack.idle().toJsonLine().getBytes(StandardCharsets.US_ASCII);
			try {
				while (true) {
					Thread.sleep(tick);
					long now = clock.millis();
					long silent = now - lastData;
					if (silent >= timeout) {
						break;
					}
					if (silent >= interval && now - Math.max(lastIdle, lastData) >= interval) {
						lastIdle = now;
						writeAck(idle, 0, idle.length);
					}
				}
			}
			catch (InterruptedException | IOException ex) {
				return;
			}
			log.debug("PutMedia on stream {} idle for {}; ending it", stream.streamId(), lifecycle.idleTimeout());
			synchronized (this) {
				OutputStream out = acks;
				acks = null;
				if (out != null) {
					try {
						out.close();
					}
					catch (IOException ex) {
						// the producer has gone away
					}
				}
			}
			// The request thread may wait on the socket until the producer hangs up; its reconnect must not be refused.
			close();
		}

		private boolean started(FragmentStarted started, OutputStream acks) throws IOException {
			currentTimecode = started.timecode();
			currentNumber = null;
			if (!active()) {
				ack(acks, Ack.error(started.timecode(), null, AckError.STREAM_NOT_ACTIVE));
				return false;
			}
			currentNumber = store.reserveFragmentNumber();
			ack(acks, Ack.buffering(started.timecode(), currentNumber));
			return true;
		}

		private boolean read(Fragment fragment, OutputStream acks) throws IOException {
			String number = (currentNumber != null) ? currentNumber : store.reserveFragmentNumber();
			ack(acks, Ack.received(fragment.timecode(), number));
			Instant producerTimestamp = timestamps.of(fragment.timecode(), fragment.header().timecodeScale());
			Optional<AckError> broken = rules.check(fragment, previousTimecode, producerTimestamp, clock.instant());
			if (broken.isPresent()) {
				ack(acks, Ack.error(fragment.timecode(), number, broken.get()));
				clearCurrent();
				return true;
			}
			FragmentData data = new FragmentData(producerTimestamp, FragmentRules.duration(fragment),
					bytes(fragment.raw()), bytes(fragment.header().raw()), metadata(fragment.tags()));
			try {
				store.append(stream.streamName(), data, number);
			}
			catch (KvsError gone) {
				// The stream was deleted during the upload.
				ack(acks, Ack.error(fragment.timecode(), number, AckError.STREAM_NOT_ACTIVE));
				return false;
			}
			previousTimecode = fragment.timecode();
			ack(acks, Ack.persisted(fragment.timecode(), number));
			clearCurrent();
			return true;
		}

		private void clearCurrent() {
			currentTimecode = null;
			currentNumber = null;
		}

		/** The same stream, not deleted (and maybe re-created under the same name) since the upload began. */
		private boolean active() {
			return streams.findByName(stream.streamName())
				.filter(s -> s.streamId().equals(stream.streamId()) && s.isActive())
				.isPresent();
		}

	}

	/** Notes when the producer last sent a byte, for the idle watcher. */
	private final class ActivityInputStream extends java.io.FilterInputStream {

		private final Upload upload;

		ActivityInputStream(Upload upload, InputStream in) {
			super(in);
			this.upload = upload;
		}

		@Override
		public int read() throws IOException {
			int b = in.read();
			if (b != -1) {
				upload.lastData = clock.millis();
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = in.read(b, off, len);
			if (n > 0) {
				upload.lastData = clock.millis();
			}
			return n;
		}

	}

	private static void ack(OutputStream out, Ack ack) throws IOException {
		out.write(ack.toJsonLine().getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	/** The last acknowledgement of a failed upload; if the client is gone too, there is nobody to tell. */
	private static void tryAck(OutputStream out, Ack ack) {
		try {
			ack(out, ack);
		}
		catch (IOException ex) {
			log.debug("Could not send the final acknowledgement: {}", ex.toString());
		}
	}

	private static List<Tag> metadata(List<SimpleTag> tags) {
		return tags.stream().filter(t -> !t.name().startsWith(KVS_TAG_PREFIX)).map(t -> new Tag(t.name(), t.value()))
			.toList();
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

}
