package io.kvsgateway.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvsgateway.kvs.AckListener;
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
 */
final class CameraUpload implements AckListener {

	private static final Logger log = LoggerFactory.getLogger(CameraUpload.class);

	private final String streamName;

	private final ProducerTimestamps timestamps;

	private final FragmentRules rules;

	private final IngestedStreams health;

	private final Clock clock;

	/** Forwarded fragments not yet PERSISTED (or failed) upstream, by timecode, in order; guarded by {@code this}. */
	private final Map<Long, @Nullable String> unpersisted = new LinkedHashMap<>();

	private final CountDownLatch upstreamEnded = new CountDownLatch(1);

	private @Nullable PutMediaUpload upstream;

	private @Nullable OutputStream acks;

	/** Guarded by {@code this}. */
	private boolean ended;

	/** Guarded by {@code this}. */
	private @Nullable AckError connectionError;

	/** The fragment the camera is sending (BUFFERING answered, not yet read whole); guarded by {@code this}. */
	private @Nullable Long buffering;

	private @Nullable Long previousTimecode;

	CameraUpload(String streamName, ProducerTimestamps timestamps, FragmentRules rules, IngestedStreams health,
			Clock clock) {
		this.streamName = streamName;
		this.timestamps = timestamps;
		this.rules = rules;
		this.health = health;
		this.clock = clock;
	}

	/** Opens the upstream upload; its failures are thrown before the camera's response is committed. */
	void open(PutMediaClient client) {
		this.upstream = client.open(streamName, timestamps.type(), timestamps.start(), this);
	}

	/**
	 * Reads the camera's body to its end (or to the first malformed byte, or until upstream fails), then finishes the
	 * upstream upload and waits for its last ACKs.
	 */
	void run(InputStream body, OutputStream response) {
		PutMediaUpload upload = java.util.Objects.requireNonNull(upstream, "open() first");
		synchronized (this) {
			this.acks = response;
		}
		FragmentReader reader = FragmentReader.of(body);
		Long started = null;
		try {
			for (FragmentReader.Event event; !hasEnded() && (event = reader.next()) != null;) {
				switch (event) {
					case FragmentReader.HeaderRead read -> {
						health.headerRead(streamName, read.header().tracks());
						forward(upload, LiveHeaders.withUnknownSegmentSize(read.header().raw()));
					}
					case FragmentReader.FragmentStarted start -> {
						started = start.timecode();
						buffering(start.timecode());
					}
					case FragmentReader.FragmentRead read -> {
						started = null;
						accept(upload, read.fragment());
					}
				}
			}
		}
		catch (MalformedMkvException e) {
			log.debug("Malformed MKV from the camera of {}: {}", streamName, e.getMessage());
			send(Ack.error(started, null, e.reason() == MalformedMkvException.Reason.TOO_LARGE
					? AckError.MAX_FRAGMENT_SIZE_REACHED : AckError.INVALID_MKV_DATA));
		}
		catch (IOException e) {
			log.debug("The camera of {} went away: {}", streamName, e.toString());
		}
		// Only whole fragments were forwarded, so the upstream body can end here whatever happened to the camera's.
		finishUpstream(upload);
		synchronized (this) {
			closeResponse();
		}
	}

	private synchronized void buffering(long timecode) {
		buffering = timecode;
		send(new Ack(Ack.Type.BUFFERING, timecode, null, null));
	}

	private void accept(PutMediaUpload upload, Fragment fragment) {
		Instant producerTimestamp = timestamps.of(fragment.timecode(), fragment.header().timecodeScale());
		Optional<AckError> broken = rules.check(fragment, previousTimecode, producerTimestamp, clock.instant());
		if (broken.isPresent()) {
			synchronized (this) {
				buffering = null;
				send(Ack.error(fragment.timecode(), null, broken.get()));
			}
			return;
		}
		previousTimecode = fragment.timecode();
		synchronized (this) {
			buffering = null;
			if (ended) {
				return;
			}
			unpersisted.put(fragment.timecode(), null);
		}
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

	private void forward(PutMediaUpload upload, ByteBuffer bytes) {
		try {
			upload.write(bytes);
		}
		catch (PutMediaException e) {
			log.debug("Upstream PutMedia of {} failed while forwarding: {}", streamName, e.getMessage());
		}
	}

	private void finishUpstream(PutMediaUpload upload) {
		try {
			upload.finish();
		}
		catch (PutMediaException | IllegalStateException e) {
			// already failed: ended() has reported it or is about to
		}
		try {
			upstreamEnded.await();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			upload.abort();
		}
	}

	@Override
	public synchronized void acknowledged(Ack ack) {
		Long timecode = ack.fragmentTimecode();
		switch (ack.type()) {
			case RECEIVED -> {
				if (timecode != null && unpersisted.containsKey(timecode)) {
					unpersisted.put(timecode, ack.fragmentNumber());
					send(ack);
				}
			}
			case PERSISTED -> {
				if (timecode != null && unpersisted.containsKey(timecode)) {
					unpersisted.remove(timecode);
					send(ack);
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

	@Override
	public void ended(@Nullable PutMediaException failure) {
		synchronized (this) {
			ended = true;
			if (failure != null) {
				log.warn("Upstream PutMedia of {} ended early: {}", streamName, failure.getMessage());
			}
			AckError error = connectionError != null ? connectionError : AckError.INTERNAL_ERROR;
			unpersisted.forEach((timecode, number) -> send(Ack.error(timecode, number, error)));
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
		upstreamEnded.countDown();
	}

	private synchronized boolean hasEnded() {
		return ended;
	}

	/** Writes one ACK line and flushes it; a camera that has gone away is not written to again. */
	private synchronized void send(Ack ack) {
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
	}

}
