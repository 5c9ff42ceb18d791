package io.kvsgateway.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvsgateway.kvs.AckListener;
import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.kvs.PutMediaClient;
import io.kvsgateway.kvs.PutMediaException;
import io.kvsgateway.kvs.PutMediaUpload;
import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.FragmentReader.Fragment;
import io.kvsgateway.media.MalformedMkvException;
import io.kvsgateway.putmedia.Ack;
import io.kvsgateway.putmedia.AckError;
import io.kvsgateway.putmedia.FragmentRules;
import io.kvsgateway.putmedia.ProducerTimestamps;

/**
 * One camera PutMedia connection relayed to one upstream upload.
 * <p>
 * The request thread reads fragments and answers BUFFERING itself (KVS's fragment number is not known yet, so that ACK
 * carries none), refuses fragments that break a KVS rule with the rule's ERROR, and forwards accepted ones whole. The
 * upstream reader thread relays KVS's RECEIVED and PERSISTED with KVS's fragment numbers, so the camera hears
 * PERSISTED only for what KVS persisted. When upstream fails or ends, every forwarded fragment not yet PERSISTED gets
 * an ERROR and the camera's response ends, so the producer re-sends them.
 * <p>
 * The connection's lifecycle follows KVS: a watcher sends {@code IDLE} while the camera sends no byte and closes the
 * connection after the idle timeout; after the maximum connection duration the connection ends at the next fragment
 * boundary, once that fragment is PERSISTED, with ERROR 4003. The upstream upload is replaced at a fragment boundary
 * before KVS's own limit ends it (the old one is finished and its last ACKs relayed first, since KVS allows one upload
 * per stream), and fragments are forwarded no faster than KVS's per-stream rates, which slows the camera by TCP.
 */
final class CameraUpload {

	private static final Logger log = LoggerFactory.getLogger(CameraUpload.class);

	private final String streamName;

	private final String camera;

	private final AtomicLong bytesRead = new AtomicLong();

	private final AtomicLong fragmentsRead = new AtomicLong();

	/** When the camera was last sent a RECEIVED or PERSISTED, in clock millis; 0 before the first. */
	private volatile long lastAck;

	private final ProducerTimestamps timestamps;

	private final FragmentRules rules;

	private final IngestedStreams health;

	private final Clock clock;

	/** Forwarded fragments not yet PERSISTED (or failed) upstream, by timecode, in order; guarded by {@code this}. */
	private final Map<Long, Pending> unpersisted = new LinkedHashMap<>();

	private final IngestMetrics.Stream meters;

	private final IngestProperties lifecycle;

	private final Runnable release;

	private final AtomicBoolean released = new AtomicBoolean();

	private final IngestRateLimit rateLimit;

	/** Held while writing to, finishing or replacing the upstream upload. */
	private final ReentrantLock forwarding = new ReentrantLock();

	private final long openedAt;

	private @Nullable PutMediaClient client;

	/** The upload fragments go to now; replaced on rotation, under {@link #forwarding}. */
	private volatile @Nullable Upstream upstream;

	/** The live header last forwarded, sent again at the start of every rotated upload. */
	private @Nullable ByteBuffer header;

	/** When the camera last sent a byte (or the gateway last delayed it on purpose), in clock millis. */
	private volatile long lastData;

	/** Set once the gateway itself ends the connection (idle, 4003); guarded by {@code this}. */
	private boolean closing;

	private @Nullable OutputStream acks;

	/** Guarded by {@code this}. */
	private boolean ended;

	/** Guarded by {@code this}. */
	private @Nullable AckError connectionError;

	/** The fragment the camera is sending (BUFFERING answered, not yet read whole); guarded by {@code this}. */
	private @Nullable Long buffering;

	private @Nullable Long previousTimecode;

	/**
	 * @param release frees the stream's connection slot; called once, as soon as the camera's response has ended (an
	 * idle close may end it while the request thread still waits for the camera to hang up)
	 * @param meters the stream's metrics, looked up once for the connection
	 */
	CameraUpload(String streamName, String camera, ProducerTimestamps timestamps, FragmentRules rules,
			IngestedStreams health, Clock clock, IngestProperties lifecycle, Runnable release,
			IngestMetrics.Stream meters) {
		this.streamName = streamName;
		this.meters = meters;
		this.camera = camera;
		this.timestamps = timestamps;
		this.rules = rules;
		this.health = health;
		this.clock = clock;
		this.lifecycle = lifecycle;
		this.release = release;
		this.rateLimit = new IngestRateLimit(lifecycle.maxFragmentsPerSecond(), lifecycle.maxBytesPerSecond().toBytes());
		this.openedAt = clock.millis();
		this.lastData = openedAt;
	}

	/** Opens the upstream upload; its failures are thrown before the camera's response is committed. */
	void open(PutMediaClient client) {
		this.client = client;
		this.upstream = openUpstream(client);
	}

	private Upstream openUpstream(PutMediaClient client) {
		Upstream next = new Upstream(clock.millis());
		next.upload = client.open(streamName, timestamps.type(), timestamps.start(), next);
		return next;
	}

	String streamName() {
		return streamName;
	}

	/** @return what operators see of this connection now */
	CameraConnections.Connection connection() {
		long ack = lastAck;
		return new CameraConnections.Connection(streamName, camera, Instant.ofEpochMilli(openedAt), bytesRead.get(),
				fragmentsRead.get(), ack == 0 ? null : Instant.ofEpochMilli(ack));
	}

	/**
	 * An operator closes the connection: ended as an idle close ends it, so the fragments already forwarded are still
	 * finished upstream and acknowledged, and the stream is free for the camera's reconnection.
	 */
	void close() {
		synchronized (this) {
			if (ended || closing) {
				return;
			}
			closing = true;
		}
		log.info("Closing the camera connection of {} on an operator's request", streamName);
		finishUpstream();
		synchronized (this) {
			closeResponse();
		}
	}

	/** Frees the stream's connection slot, once. */
	void release() {
		if (released.compareAndSet(false, true)) {
			release.run();
		}
	}

	/**
	 * Reads the camera's body to its end (or to the first malformed byte, or until upstream fails), then finishes the
	 * upstream upload and waits for its last ACKs.
	 */
	void run(InputStream body, OutputStream response) {
		java.util.Objects.requireNonNull(upstream, "open() first");
		synchronized (this) {
			this.acks = response;
		}
		Thread watcher = Thread.ofVirtual().name("putmedia-idle-" + streamName).start(this::watchIdle);
		FragmentReader reader = FragmentReader.of(new ActivityInputStream(body));
		Long started = null;
		try {
			for (FragmentReader.Event event; !hasEnded() && (event = reader.next()) != null;) {
				switch (event) {
					case FragmentReader.HeaderRead read -> {
						health.headerRead(streamName, read.header().tracks());
						ByteBuffer live = LiveHeaders.withUnknownSegmentSize(read.header().raw());
						// Kept for rotated uploads: the reader's buffers are reused, so a copy.
						ByteBuffer copy = ByteBuffer.allocate(live.remaining()).put(live.duplicate()).flip();
						header = copy.asReadOnlyBuffer();
						forward(live);
					}
					case FragmentReader.FragmentStarted start -> {
						started = start.timecode();
						long startRead = System.nanoTime();
						buffering(start.timecode());
						meters.bufferingAck(System.nanoTime() - startRead);
					}
					case FragmentReader.FragmentRead read -> {
						// KVS measures the RECEIVED and PERSISTED latencies from the fragment's last byte.
						long lastByteRead = System.nanoTime();
						started = null;
						fragmentsRead.incrementAndGet();
						meters.fragment(read.fragment().frames().size());
						accept(read.fragment(), lastByteRead);
						if (clock.millis() - openedAt >= lifecycle.maxConnectionDuration().toMillis()) {
							endAtMaxDuration();
						}
					}
				}
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		catch (MalformedMkvException e) {
			log.debug("Malformed MKV from the camera of {}: {}", streamName, e.getMessage());
			send(Ack.error(started, null, e.reason() == MalformedMkvException.Reason.TOO_LARGE
					? AckError.MAX_FRAGMENT_SIZE_REACHED : AckError.INVALID_MKV_DATA));
		}
		catch (IOException e) {
			log.debug("The camera of {} went away: {}", streamName, e.toString());
		}
		finally {
			watcher.interrupt();
		}
		// Only whole fragments were forwarded, so the upstream body can end here whatever happened to the camera's.
		finishUpstream();
		synchronized (this) {
			closeResponse();
		}
	}

	/**
	 * The connection has lasted its maximum: the fragment just read has been forwarded; once it is PERSISTED the camera
	 * hears ERROR 4003 and the response ends, so the producer reconnects and re-sends whatever it sent after.
	 */
	private void endAtMaxDuration() {
		synchronized (this) {
			closing = true;
		}
		finishUpstream();
		synchronized (this) {
			send(Ack.error(null, null, AckError.MAX_CONNECTION_DURATION_REACHED));
			closeResponse();
		}
	}

	/** Sends IDLE while the camera is silent and ends the connection after the idle timeout. */
	private void watchIdle() {
		long interval = lifecycle.idleAckInterval().toMillis();
		long timeout = lifecycle.idleTimeout().toMillis();
		long tick = Math.max(10, Math.min(interval, timeout) / 4);
		long lastIdle = 0;
		try {
			while (true) {
				Thread.sleep(tick);
				synchronized (this) {
					if (ended || closing || acks == null) {
						return;
					}
				}
				long now = clock.millis();
				long silent = now - lastData;
				if (silent >= timeout) {
					break;
				}
				if (silent >= interval && now - Math.max(lastIdle, lastData) >= interval) {
					lastIdle = now;
					send(Ack.idle());
				}
			}
		}
		catch (InterruptedException e) {
			return;
		}
		log.debug("The camera of {} sent nothing for {}; closing its connection", streamName, lifecycle.idleTimeout());
		synchronized (this) {
			closing = true;
		}
		// The request thread is blocked reading the camera, not forwarding: end the upstream body for it.
		finishUpstream();
		synchronized (this) {
			closeResponse();
		}
	}

	private synchronized void buffering(long timecode) {
		buffering = timecode;
		send(new Ack(Ack.Type.BUFFERING, timecode, null, null));
	}

	private void accept(Fragment fragment, long lastByteRead) throws InterruptedException {
		Instant producerTimestamp = timestamps.of(fragment.timecode(), fragment.header().timecodeScale());
		Optional<AckError> broken = rules.check(fragment, previousTimecode, producerTimestamp, clock.instant());
		if (broken.isPresent()) {
			synchronized (this) {
				buffering = null;
				send(Ack.error(fragment.timecode(), null, broken.get()));
			}
			return;
		}
		if (previousTimecode != null) {
			health.fragmentRead(streamName,
					Duration.ofNanos((fragment.timecode() - previousTimecode) * fragment.header().timecodeScale()));
		}
		previousTimecode = fragment.timecode();
		// KVS's per-stream rates: hold this fragment (and with it the camera's next bytes) until it may go on.
		if (rateLimit.acquire(fragment.size())) {
			lastData = clock.millis();
		}
		forwarding.lock();
		try {
			Upstream current = upstream;
			if (current != null && clock.millis() - current.openedAt >= lifecycle.upstreamRotation().toMillis()) {
				current = rotate(current, fragment.timecode());
				if (current == null) {
					return;
				}
			}
			synchronized (this) {
				buffering = null;
				if (ended || closing) {
					return;
				}
				unpersisted.put(fragment.timecode(), new Pending(lastByteRead));
			}
			PutMediaUpload upload = java.util.Objects.requireNonNull(current).upload;
			try {
				upload.write(fragment.raw());
				for (ByteBuffer tags : fragment.rawTags()) {
					upload.write(tags.duplicate());
				}
			}
			catch (PutMediaException e) {
				// ended() reports this fragment with the others, once the upstream reader has seen the failure.
				log.debug("Upstream PutMedia of {} failed while forwarding: {}", streamName, e.getMessage());
			}
		}
		finally {
			forwarding.unlock();
		}
	}

	/**
	 * Replaces the upstream upload before KVS's maximum connection duration ends it: finishes the old one (its last
	 * RECEIVED and PERSISTED are relayed; KVS allows one upload per stream, so it must end first), opens a new one and
	 * sends it the header again. The camera only sees the next fragment's ACKs come a round trip later.
	 * @param timecode the fragment about to be forwarded; if no new upload can be opened it gets an ERROR and the
	 * camera's connection ends, as for any upstream failure
	 * @return the new upload, or {@literal null} when the connection is ending
	 */
	private @Nullable Upstream rotate(Upstream old, long timecode) {
		old.retiring = true;
		finish(old);
		synchronized (this) {
			if (ended || closing) {
				buffering = null;
				return null;
			}
		}
		try {
			Upstream next = openUpstream(java.util.Objects.requireNonNull(client));
			ByteBuffer head = header;
			if (head != null) {
				next.upload.write(head.duplicate());
			}
			upstream = next;
			log.debug("Rotated the upstream PutMedia of {}", streamName);
			return next;
		}
		catch (KvsException | PutMediaException e) {
			log.warn("Could not rotate the upstream PutMedia of {}: {}", streamName, e.getMessage());
			synchronized (this) {
				buffering = null;
				ended = true;
				send(Ack.error(timecode, null, AckError.INTERNAL_ERROR));
				closeResponse();
			}
			return null;
		}
	}

	private void forward(ByteBuffer bytes) {
		forwarding.lock();
		try {
			Upstream current = upstream;
			if (current != null && !current.finished) {
				current.upload.write(bytes);
			}
		}
		catch (PutMediaException e) {
			log.debug("Upstream PutMedia of {} failed while forwarding: {}", streamName, e.getMessage());
		}
		finally {
			forwarding.unlock();
		}
	}

	/** Ends the current upstream upload and waits for its last ACKs; idempotent. */
	private void finishUpstream() {
		forwarding.lock();
		try {
			Upstream current = upstream;
			if (current != null) {
				finish(current);
			}
		}
		finally {
			forwarding.unlock();
		}
	}

	/** Called holding {@link #forwarding}. */
	private void finish(Upstream up) {
		if (!up.finished) {
			up.finished = true;
			try {
				up.upload.finish();
			}
			catch (PutMediaException | IllegalStateException e) {
				// already failed: ended() has reported it or is about to
			}
		}
		try {
			up.ended.await();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			up.upload.abort();
		}
	}

	private synchronized void acknowledged(Ack ack) {
		Long timecode = ack.fragmentTimecode();
		switch (ack.type()) {
			case RECEIVED -> {
				Pending pending = timecode == null ? null : unpersisted.get(timecode);
				if (pending != null) {
					pending.fragmentNumber = ack.fragmentNumber();
					lastAck = clock.millis();
					send(ack);
					meters.receivedAck(System.nanoTime() - pending.lastByteRead);
				}
			}
			case PERSISTED -> {
				Pending pending = timecode == null ? null : unpersisted.remove(timecode);
				if (pending != null) {
					lastAck = clock.millis();
					send(ack);
					meters.persistedAck(System.nanoTime() - pending.lastByteRead);
				}
			}
			case ERROR -> {
				if (timecode != null && unpersisted.containsKey(timecode)) {
					unpersisted.remove(timecode);
					send(ack);
				}
				else if (timecode == null) {
					// A connection-level error (4003, 4008, ...): it is what the unpersisted fragments failed with.
					connectionError = ack.error();
				}
			}
			// Our own BUFFERING went out when the camera's fragment began; IDLE concerns the upstream hop only.
			case BUFFERING, IDLE -> {
			}
		}
	}

	private void ended(Upstream up, @Nullable PutMediaException failure) {
		synchronized (this) {
			if (failure == null && up.retiring) {
				// Rotated away cleanly: whatever it did not persist failed; the camera's connection goes on.
				AckError error = connectionError != null ? connectionError : AckError.INTERNAL_ERROR;
				unpersisted.forEach((timecode, pending) -> send(Ack.error(timecode, pending.fragmentNumber, error)));
				unpersisted.clear();
				connectionError = null;
				return;
			}
			ended = true;
			if (failure != null) {
				log.warn("Upstream PutMedia of {} ended early: {}", streamName, failure.getMessage());
			}
			AckError error = connectionError != null ? connectionError : AckError.INTERNAL_ERROR;
			unpersisted.forEach((timecode, pending) -> send(Ack.error(timecode, pending.fragmentNumber, error)));
			unpersisted.clear();
			if (failure != null) {
				Long partial = buffering;
				if (partial != null) {
					// The camera heard BUFFERING for it; it will never be forwarded now.
					send(Ack.error(partial, null, error));
				}
				// The producer re-sends what was not persisted once its connection ends.
				closeResponse();
			}
		}
	}

	private synchronized boolean hasEnded() {
		return ended;
	}

	/** Writes one ACK line and flushes it; a camera that has gone away is not written to again. */
	private synchronized void send(Ack ack) {
		AckError error = ack.error();
		if (error != null) {
			// Counted even when the camera has gone and cannot read it: the fragment failed either way.
			meters.errorAck(error);
		}
		OutputStream out = acks;
		if (out == null) {
			return;
		}
		try {
			out.write(ack.toJsonLine().getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
		catch (IOException e) {
			acks = null;
		}
	}

	private void closeResponse() {
		OutputStream out = acks;
		acks = null;
		if (out != null) {
			try {
				out.close();
			}
			catch (IOException e) {
				// the camera has gone away
			}
		}
		// A producer whose response ended reconnects at once; the stream must be free for it.
		release();
	}

	/** A forwarded fragment waiting for its PERSISTED; guarded by the upload's monitor. */
	private static final class Pending {

		/** {@link System#nanoTime()} when its last byte was read. */
		final long lastByteRead;

		/** KVS's number for it, once RECEIVED. */
		@Nullable String fragmentNumber;

		Pending(long lastByteRead) {
			this.lastByteRead = lastByteRead;
		}

	}

	/** One upstream upload and what it has told. */
	private final class Upstream implements AckListener {

		final long openedAt;

		final CountDownLatch ended = new CountDownLatch(1);

		@SuppressWarnings("NullAway.Init")
		PutMediaUpload upload;

		/** Guarded by {@link #forwarding}. */
		boolean finished;

		/** Being replaced: a clean end does not end the camera's connection. */
		volatile boolean retiring;

		Upstream(long openedAt) {
			this.openedAt = openedAt;
		}

		@Override
		public void acknowledged(Ack ack) {
			CameraUpload.this.acknowledged(ack);
		}

		@Override
		public void ended(@Nullable PutMediaException failure) {
			try {
				CameraUpload.this.ended(this, failure);
			}
			finally {
				ended.countDown();
			}
		}

	}

	/** Notes when the camera last sent a byte, for the idle watcher. */
	private final class ActivityInputStream extends java.io.FilterInputStream {

		ActivityInputStream(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b != -1) {
				bytesRead.incrementAndGet();
				meters.bytes(1);
				lastData = clock.millis();
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = in.read(b, off, len);
			if (n > 0) {
				bytesRead.addAndGet(n);
				meters.bytes(n);
				lastData = clock.millis();
			}
			return n;
		}

	}

}
