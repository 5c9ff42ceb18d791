package io.kvsgateway.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.media.SimpleTag;

/**
 * A camera streaming live through the gateway's {@code /putMedia}: a fixture's fragments sent in a loop, paced to real
 * time (fragment {@code k} leaves when its own start time has come), each Cluster's Timecode rewritten so that
 * timecodes keep increasing across loops, as one endless recording. Runs on a virtual thread until closed.
 */
public final class LiveCamera implements AutoCloseable {

	private static final int CLUSTER = 0x1F43B675;

	private final CameraConnection connection;

	private final Thread sender;

	private volatile boolean running = true;

	private final List<Long> sentAt = new java.util.concurrent.CopyOnWriteArrayList<>();

	private LiveCamera(CameraConnection connection, byte[] header, List<Piece> clusters, long[] relativeMillis,
			long loopMillis) {
		this.connection = connection;
		this.sender = Thread.ofVirtual().name("live-camera").start(() -> {
			connection.write(header);
			long begin = System.nanoTime();
			for (long k = 0; running; k++) {
				int index = (int) (k % clusters.size());
				long timecode = (k / clusters.size()) * loopMillis + relativeMillis[index];
				long due = begin + TimeUnit.MILLISECONDS.toNanos(timecode);
				while (running && System.nanoTime() < due) {
					LockSupport.parkNanos(Math.min(50_000_000L, due - System.nanoTime()));
				}
				if (running) {
					connection.write(cluster(timecode, clusters.get(index)));
					sentAt.add(System.nanoTime());
				}
			}
			connection.finish();
		});
	}

	/**
	 * Starts streaming {@code fixture} (one of {@code src/test/resources/media}) to {@code streamName}.
	 * @param token a camera token (scope {@code ingest}) covering the stream
	 */
	public static LiveCamera start(int port, String token, String streamName, String fixture) throws Exception {
		return start(port, token, streamName, fixture, false);
	}

	/**
	 * Starts streaming {@code fixture} to {@code streamName}.
	 * @param token a camera token (scope {@code ingest}) covering the stream
	 * @param markEndOfFragment whether each Cluster is followed by the KVS end-of-fragment tag, as KVS producers send
	 * it, so that the gateway knows a fragment is complete at its last byte rather than when the next one starts
	 */
	public static LiveCamera start(int port, String token, String streamName, String fixture,
			boolean markEndOfFragment) throws Exception {
		MediaFixtures.Split split = MediaFixtures.split(fixture);
		byte[] marker = markEndOfFragment
				? MkvWriter.tags(List.of(new SimpleTag(SimpleTag.END_OF_FRAGMENT, ""))) : new byte[0];
		List<Piece> clusters = new ArrayList<>();
		for (byte[] fragment : split.fragments()) {
			Piece piece = Piece.of(fragment);
			byte[] after = java.util.Arrays.copyOf(piece.after(), piece.after().length + marker.length);
			System.arraycopy(marker, 0, after, piece.after().length, marker.length);
			clusters.add(new Piece(piece.children(), after));
		}
		long first = split.timecodes().getFirst();
		long[] relative = split.timecodes().stream().mapToLong(t -> t - first).toArray();
		long step = relative[relative.length - 1] / (relative.length - 1);
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Bearer " + token);
		headers.put("x-amzn-stream-name", streamName);
		headers.put("x-amzn-fragment-timecode-type", "RELATIVE");
		long now = Instant.now().toEpochMilli();
		headers.put("x-amzn-producer-start-timestamp", String.format(Locale.ROOT, "%d.%03d", now / 1000, now % 1000));
		CameraConnection connection = CameraConnection.open(port, "/putMedia", headers);
		byte[] header = MkvWriter.liveHeader(ByteBuffer.wrap(split.header()));
		return new LiveCamera(connection, header, clusters, relative, relative[relative.length - 1] + step);
	}

	/** @return {@link System#nanoTime()} just after the last byte of each fragment was written, in order */
	public List<Long> sentAtNanos() {
		return List.copyOf(sentAt);
	}

	/** @return the ACKs so far */
	public List<Map<String, Object>> acks() {
		return connection.acksSoFar();
	}

	/** Waits until {@code count} fragments are PERSISTED, failing on an ERROR ACK. */
	public void awaitPersisted(int count, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			List<Map<String, Object>> acks = acks();
			if (!CameraConnection.ofType(acks, "ERROR").isEmpty()) {
				throw new AssertionError("the camera's upload failed: " + acks);
			}
			if (CameraConnection.ofType(acks, "PERSISTED").size() >= count) {
				return;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("fewer than " + count + " fragments PERSISTED within " + timeout + ": " + acks());
	}

	/** A Cluster with an 8-byte size and an 8-byte Timecode, then the original children, then what followed it. */
	private static byte[] cluster(long timecode, Piece piece) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(piece.children.length + piece.after.length + 22);
		writeInt(out, CLUSTER);
		writeLong(out, 0x0100_0000_0000_0000L | (10 + piece.children.length));
		out.write(0xE7);
		out.write(0x88);
		writeLong(out, timecode);
		out.writeBytes(piece.children);
		out.writeBytes(piece.after);
		return out.toByteArray();
	}

	/**
	 * One fragment of the fixture cut for re-timing.
	 * @param children the Cluster's children after its Timecode (Matroska puts it first, after an optional CRC-32,
	 * which is dropped: it would be wrong once the Timecode changes)
	 * @param after what follows a Cluster of known size in the fragment (its Tags), copied as is
	 */
	private record Piece(byte[] children, byte[] after) {

		static Piece of(byte[] fragment) {
			ByteBuffer in = ByteBuffer.wrap(fragment);
			if (in.getInt() != CLUSTER) {
				throw new IllegalArgumentException("a fragment starts with a Cluster");
			}
			long size = vint(in);
			if (size < 0) {
				throw new IllegalArgumentException("use a fixture whose Clusters have a size, such as h264.mkv");
			}
			int end = (int) (in.position() + size);
			int id = in.get() & 0xFF;
			if (id == 0xBF) {
				long crcSize = vint(in);
				in.position((int) (in.position() + crcSize));
				id = in.get() & 0xFF;
			}
			if (id != 0xE7) {
				throw new IllegalArgumentException("the Cluster's first child is not its Timecode");
			}
			long timecodeSize = vint(in);
			in.position((int) (in.position() + timecodeSize));
			byte[] children = java.util.Arrays.copyOfRange(fragment, in.position(), end);
			byte[] after = java.util.Arrays.copyOfRange(fragment, end, fragment.length);
			return new Piece(children, after);
		}

	}

	/** @return an EBML size, -1 for "unknown" */
	private static long vint(ByteBuffer in) {
		int first = in.get() & 0xFF;
		int length = Integer.numberOfLeadingZeros(first) - 23;
		long value = first & (0xFF >> length);
		boolean unknown = value == (0xFF >> length);
		for (int i = 1; i < length; i++) {
			int b = in.get() & 0xFF;
			unknown &= b == 0xFF;
			value = (value << 8) | b;
		}
		return unknown ? -1 : value;
	}

	private static void writeInt(ByteArrayOutputStream out, int value) {
		for (int shift = 24; shift >= 0; shift -= 8) {
			out.write(value >>> shift);
		}
	}

	private static void writeLong(ByteArrayOutputStream out, long value) {
		for (int shift = 56; shift >= 0; shift -= 8) {
			out.write((int) (value >>> shift));
		}
	}

	@Override
	public void close() throws Exception {
		running = false;
		sender.join(5_000);
		connection.close();
	}

}
