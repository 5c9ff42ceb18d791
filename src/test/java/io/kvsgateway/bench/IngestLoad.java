package io.kvsgateway.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.media.FragmentReader;
import io.kvsgateway.media.MkvWriter;
import io.kvsgateway.media.SimpleTag;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;

/**
 * Load script for camera ingest (run it with {@code bench/ingest-load.sh}): N simulated cameras, each one chunked
 * PutMedia on its own raw socket to the gateway's {@code /putMedia} (camera JWT, one stream per camera, RELATIVE
 * timecodes), sending a live stream header and then the Clusters of one media file in a loop, each Cluster's Timecode
 * rewritten so that timecodes keep increasing and each followed by the KVS end-of-fragment Tags, as producer-c sends
 * them. A virtual thread per camera reads the ACK lines while it sends.
 *
 * <p>Per camera count it runs, in this order: the gateway at real-time pace (each fragment sent when its second is
 * due, the cameras' seconds spread over one second), the same uploads at full speed to a sink that reads the chunked
 * bodies and discards them (started in this process; the baseline), and the gateway at full speed. It prints bytes and
 * fragments PERSISTED within the run's window, the latency from a fragment's last byte written to its PERSISTED ACK,
 * ERROR ACKs, CPU of the gateway, of this process and of everything else on the machine, and the gateway's RSS.
 *
 * <p>Arguments: {@code baseUrl cameraToken media.mkv [cameras=50,200] [secondsPerRun=30] [gatewayPid]}.
 */
public final class IngestLoad {

	private static final byte[] CLUSTER_ID = { 0x1F, 0x43, (byte) 0xB6, 0x75 };

	private static final byte[] CRLF = { '\r', '\n' };

	private static final long MB = 1_000_000;

	public static void main(String[] args) throws Exception {
		URI base = URI.create(args[0]);
		String token = args[1];
		Media media = Media.load(Path.of(args[2]));
		int[] cameraCounts = Arrays.stream((args.length > 3 ? args[3] : "50,200").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();
		int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
		@Nullable ProcessHandle gateway = args.length > 5 ? ProcessHandle.of(Long.parseLong(args[5])).orElseThrow()
				: null;
		System.out.printf(Locale.ROOT,
				"media: %s, %d fragments, %.0f kB/fragment on average, %.2f Mbit/s, loop %d ms%n", args[2],
				media.clusters.size(), media.averageFragmentBytes() / 1e3,
				media.averageFragmentBytes() * 8 * 1000 / media.fragmentMillis / 1e6, media.loopMillis);

		var credentials = StaticCredentialsProvider
			.create(AwsBasicCredentials.create("AKIDKVSGATEWAYLOCAL", "kvs-gateway-local-development-secret"));
		try (KinesisVideoClient control = KinesisVideoClient.builder()
			.credentialsProvider(credentials)
			.region(Region.US_EAST_1)
			.endpointOverride(base.resolve("/kvs"))
			.build(); Sink sink = Sink.start()) {
			Target gatewayTarget = new Target("gateway", base.getPort(), gateway, control, token, null);
			Target sinkTarget = new Target("sink", sink.port(), null, null, null, sink);

			System.out.println("warm-up: 20 cameras, 10 s full speed to each side (not reported)");
			run(sinkTarget, false, 20, 10, media, "warm");
			run(gatewayTarget, false, 20, 10, media, "warm");

			List<String> summary = new ArrayList<>();
			for (int cameras : cameraCounts) {
				// Real time first: its RSS growth is then not hidden by the heap a full-speed run has grown.
				Result gatewayPaced = run(gatewayTarget, true, cameras, seconds, media, "r" + cameras);
				System.out.println(gatewayPaced);
				Result sinkFull = run(sinkTarget, false, cameras, seconds, media, "s" + cameras);
				System.out.println(sinkFull);
				Result gatewayFull = run(gatewayTarget, false, cameras, seconds, media, "f" + cameras);
				System.out.println(gatewayFull);
				summary.add(String.format(Locale.ROOT,
						"%d cameras: full speed gateway %.1f MB/s / sink %.1f MB/s = ratio %.3f (target >= 0.5);"
								+ " real time %.1f MB/s, PERSISTED p99 %.0f ms max %.0f ms (target < 1000 ms),"
								+ " %d ERROR ACKs, %d fragments without PERSISTED",
						cameras, gatewayFull.mbPerSecond(), sinkFull.mbPerSecond(),
						gatewayFull.mbPerSecond() / sinkFull.mbPerSecond(), gatewayPaced.mbPerSecond(),
						gatewayPaced.p99Millis(), gatewayPaced.maxMillis(), gatewayPaced.errors(),
						gatewayPaced.unacked()));
			}
			summary.forEach(line -> System.out.println("summary: " + line));
		}
	}

	private static Result run(Target target, boolean realTime, int cameras, int seconds, Media media, String tag)
			throws Exception {
		Stats stats = new Stats();
		long startMillis = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
		String startTimestamp = String.format(Locale.ROOT, "%d.%03d", startMillis / 1000, startMillis % 1000);
		List<Camera> connections = new ArrayList<>();
		for (int i = 0; i < cameras; i++) {
			String stream = String.format(Locale.ROOT, "cam-%s-%s-%03d", target.name, tag, i);
			if (target.control != null) {
				try {
					target.control.createStream(r -> r.streamName(stream).dataRetentionInHours(24));
				}
				catch (ResourceInUseException exists) {
					// a previous run made it
				}
			}
			Map<String, String> headers = new java.util.LinkedHashMap<>();
			if (target.token != null) {
				headers.put("Authorization", "Bearer " + target.token);
			}
			headers.put("x-amzn-stream-name", stream);
			headers.put("x-amzn-fragment-timecode-type", "RELATIVE");
			headers.put("x-amzn-producer-start-timestamp", startTimestamp);
			connections.add(Camera.open(target.port, headers, media, stats));
		}
		Thread.sleep(500);
		long idleRss = rssKb(target.process);
		double[] load0 = loadAverage();
		long[] machine0 = machineJiffies();
		long targetCpu0 = cpuNanos(target.process);
		long selfCpu0 = cpuNanos(ProcessHandle.current());
		long sinkBytes0 = target.sink != null ? target.sink.bytes.sum() : 0;
		long begin = System.nanoTime();
		long end = begin + TimeUnit.SECONDS.toNanos(seconds);
		stats.windowEnd = end;
		List<Thread> senders = new ArrayList<>();
		for (int i = 0; i < cameras; i++) {
			Camera camera = connections.get(i);
			long stagger = realTime ? TimeUnit.MILLISECONDS.toNanos(media.fragmentMillis) * i / cameras : 0;
			senders.add(Thread.ofVirtual().name("camera-" + i).start(() -> camera.send(begin + stagger, end, realTime)));
		}
		long peakRss = idleRss;
		while (System.nanoTime() < end) {
			LockSupport.parkNanos(Math.min(500_000_000L, Math.max(1, end - System.nanoTime())));
			peakRss = Math.max(peakRss, rssKb(target.process));
		}
		long wall = System.nanoTime() - begin;
		long targetCpu = cpuNanos(target.process) - targetCpu0;
		long selfCpu = cpuNanos(ProcessHandle.current()) - selfCpu0;
		long[] machine1 = machineJiffies();
		long sinkBytes = target.sink != null ? target.sink.bytes.sum() - sinkBytes0 : 0;
		for (Thread sender : senders) {
			sender.join();
		}
		// Drain: every fragment sent in the window gets up to 15 s for its PERSISTED (its latency still counts).
		long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		if (target.sink == null) {
			while (System.nanoTime() < drainUntil && connections.stream().anyMatch(c -> !c.pending.isEmpty())) {
				Thread.sleep(50);
			}
		}
		int unacked = target.sink == null ? connections.stream().mapToInt(c -> c.pending.size()).sum() : 0;
		for (Camera camera : connections) {
			camera.close();
		}
		double[] load1 = loadAverage();
		double busyCores = (machine1[0] - machine0[0]) / 100.0 / (wall / 1e9);
		double wallSeconds = wall / 1e9;
		long bytes = target.sink != null ? sinkBytes : stats.bytesInWindow.sum();
		long[] latencies = stats.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
		Thread.sleep(1000); // let the gateway close the uploads before the next run's streams open
		return new Result(target.name, realTime ? "real time" : "full speed", cameras, wallSeconds,
				bytes / wallSeconds / MB, stats.fragmentsInWindow.sum() / wallSeconds, stats.sent.sum(),
				percentile(latencies, 0.50), percentile(latencies, 0.99),
				latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1] / 1e6, stats.errors.get(),
				stats.firstErrors, unacked, stats.unmatched.get(), targetCpu / 1e9 / wallSeconds,
				selfCpu / 1e9 / wallSeconds, busyCores - (targetCpu + selfCpu) / 1e9 / wallSeconds, idleRss / 1024.0,
				peakRss / 1024.0, (peakRss - idleRss) / (double) cameras, load0[0], load1[0]);
	}

	private static double percentile(long[] sorted, double p) {
		return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
	}

	private static long cpuNanos(@Nullable ProcessHandle process) {
		return process == null ? 0 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
	}

	/** @return VmRSS in kB of the process, 0 when unknown */
	private static long rssKb(@Nullable ProcessHandle process) {
		if (process == null) {
			return 0;
		}
		try {
			for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
		}
		catch (IOException gone) {
			// not on Linux, or the process ended
		}
		return 0;
	}

	/** @return busy jiffies of the whole machine (all but idle and iowait) from /proc/stat */
	private static long[] machineJiffies() {
		try {
			String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long busy = 0;
			for (int i = 1; i < cpu.length && i <= 8; i++) {
				if (i != 4 && i != 5) {
					busy += Long.parseLong(cpu[i]);
				}
			}
			return new long[] { busy };
		}
		catch (IOException | RuntimeException unknown) {
			return new long[] { 0 };
		}
	}

	private static double[] loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return new double[] { Double.parseDouble(fields[0]) };
		}
		catch (IOException | RuntimeException unknown) {
			return new double[] { Double.NaN };
		}
	}

	private record Target(String name, int port, @Nullable ProcessHandle process,
			@Nullable KinesisVideoClient control, @Nullable String token, @Nullable Sink sink) {
	}

	/** The file cut into what a camera sends: a live header and, per Cluster, its children after the Timecode. */
	private record Media(byte[] header, List<byte[]> clusters, long[] relativeTimecodes, long loopMillis,
			long fragmentMillis, byte[] endOfFragment) {

		static Media load(Path file) throws IOException {
			byte[] header = null;
			List<byte[]> clusters = new ArrayList<>();
			List<Long> timecodes = new ArrayList<>();
			try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
				FragmentReader reader = FragmentReader.of(in);
				for (FragmentReader.Event event; (event = reader.next()) != null;) {
					switch (event) {
						case FragmentReader.HeaderRead read -> header = MkvWriter.liveHeader(read.header().raw());
						case FragmentReader.FragmentStarted started -> {
						}
						case FragmentReader.FragmentRead read -> {
							clusters.add(afterTimecode(read.fragment().raw()));
							timecodes.add(read.fragment().timecode());
						}
					}
				}
			}
			if (header == null || clusters.size() < 2) {
				throw new IllegalArgumentException(file + " needs a header and at least two Clusters");
			}
			long first = timecodes.get(0);
			long[] relative = timecodes.stream().mapToLong(t -> t - first).toArray();
			long step = relative[relative.length - 1] / (relative.length - 1);
			byte[] marker = MkvWriter.tags(List.of(new SimpleTag(SimpleTag.END_OF_FRAGMENT, "")));
			return new Media(header, clusters, relative, relative[relative.length - 1] + step, step, marker);
		}

		/** @return the Cluster's children after its Timecode, which Matroska puts first (after an optional CRC-32) */
		private static byte[] afterTimecode(ByteBuffer cluster) {
			ByteBuffer in = cluster.duplicate();
			for (byte b : CLUSTER_ID) {
				if (in.get() != b) {
					throw new IllegalArgumentException("not a Cluster");
				}
			}
			long size = vint(in);
			int end = size < 0 ? in.limit() : (int) (in.position() + size);
			int id = in.get() & 0xFF;
			if (id == 0xBF) { // ffmpeg's CRC-32 of the Cluster, wrong once the Timecode changes: left out
				long crcSize = vint(in);
				in.position((int) (in.position() + crcSize));
				id = in.get() & 0xFF;
			}
			if (id != 0xE7) {
				throw new IllegalArgumentException("the Cluster's first child is not its Timecode");
			}
			long timecodeSize = vint(in);
			in.position((int) (in.position() + timecodeSize));
			byte[] rest = new byte[end - in.position()];
			in.get(rest);
			return rest;
		}

		/** @return an EBML size, -1 for "unknown" */
		private static long vint(ByteBuffer in) {
			int first = in.get() & 0xFF;
			int length = Integer.numberOfLeadingZeros(first) - 23;
			long value = first & (0xFF >> length);
			boolean allOnes = value == (0xFF >> length);
			for (int i = 1; i < length; i++) {
				int b = in.get() & 0xFF;
				allOnes &= b == 0xFF;
				value = (value << 8) | b;
			}
			return allOnes ? -1 : value;
		}

		double averageFragmentBytes() {
			return clusters.stream().mapToLong(c -> c.length + 4 + 8 + 10 + endOfFragment.length).average().orElse(0);
		}

		/** @return fragment {@code k} of the endless stream: the Cluster with an 8-byte size and Timecode, then the Tags */
		void write(OutputStream out, long k) throws IOException {
			int index = (int) (k % clusters.size());
			long timecode = (k / clusters.size()) * loopMillis + relativeTimecodes[index];
			byte[] children = clusters.get(index);
			int clusterSize = 10 + children.length;
			int total = 4 + 8 + clusterSize + endOfFragment.length;
			out.write((Integer.toHexString(total) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.write(CLUSTER_ID);
			writeLong(out, 0x0100_0000_0000_0000L | clusterSize);
			out.write(0xE7);
			out.write(0x88);
			writeLong(out, timecode);
			out.write(children);
			out.write(endOfFragment);
			out.write(CRLF);
		}

		int size(long k) {
			return 4 + 8 + 10 + clusters.get((int) (k % clusters.size())).length + endOfFragment.length;
		}

		long timecode(long k) {
			return (k / clusters.size()) * loopMillis + relativeTimecodes[(int) (k % clusters.size())];
		}

		private static void writeLong(OutputStream out, long value) throws IOException {
			for (int shift = 56; shift >= 0; shift -= 8) {
				out.write((int) (value >>> shift));
			}
		}

	}

	private static final class Stats {

		final LongAdder sent = new LongAdder();

		final LongAdder bytesInWindow = new LongAdder();

		final LongAdder fragmentsInWindow = new LongAdder();

		final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();

		final AtomicInteger errors = new AtomicInteger();

		final AtomicInteger unmatched = new AtomicInteger();

		final ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();

		volatile long windowEnd = Long.MAX_VALUE;

	}

	/** A fragment on its way: its size and when its last byte was written (0 while being written). */
	private static final class Sent {

		final int bytes;

		volatile long lastByte;

		Sent(int bytes) {
			this.bytes = bytes;
		}

	}

	/** One camera: a chunked POST on a raw socket; sends from the caller's thread, reads ACKs on a virtual thread. */
	private static final class Camera {

		private final Socket socket;

		private final OutputStream out;

		private final Media media;

		private final Stats stats;

		final Map<Long, Sent> pending = new ConcurrentHashMap<>();

		private volatile boolean ended;

		private Camera(Socket socket, Media media, Stats stats) throws IOException {
			this.socket = socket;
			this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
			this.media = media;
			this.stats = stats;
		}

		static Camera open(int port, Map<String, String> headers, Media media, Stats stats) throws IOException {
			Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
			socket.setTcpNoDelay(true);
			Camera camera = new Camera(socket, media, stats);
			StringBuilder head = new StringBuilder("POST /putMedia HTTP/1.1\r\nHost: localhost:" + port + "\r\n");
			headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
			head.append("Transfer-Encoding: chunked\r\n\r\n");
			camera.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
			camera.out.write((Integer.toHexString(media.header.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			camera.out.write(media.header);
			camera.out.write(CRLF);
			camera.out.flush();
			Thread.ofVirtual().name("camera-acks").start(camera::readAcks);
			return camera;
		}

		void send(long first, long end, boolean realTime) {
			try {
				for (long k = 0;; k++) {
					if (realTime) {
						long due = first + TimeUnit.MILLISECONDS.toNanos(media.timecode(k));
						if (due >= end) {
							break;
						}
						for (long wait; (wait = due - System.nanoTime()) > 0;) {
							LockSupport.parkNanos(wait);
						}
					}
					else if (System.nanoTime() >= end) {
						break;
					}
					if (ended) {
						break;
					}
					long timecode = media.timecode(k);
					// Registered before the first byte, so that a PERSISTED can never arrive before it is expected.
					Sent sent = new Sent(media.size(k));
					this.pending.put(timecode, sent);
					media.write(out, k);
					out.flush();
					sent.lastByte = System.nanoTime();
					stats.sent.increment();
				}
				out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
			}
			catch (IOException closed) {
				ended = true;
			}
		}

		private void readAcks() {
			try {
				InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
				String status = line(in);
				if (status == null || !status.startsWith("HTTP/1.1 200")) {
					error("HTTP " + status);
					return;
				}
				while (!"".equals(line(in))) {
					// headers: the answer is chunked
				}
				StringBuilder pendingLine = new StringBuilder();
				while (true) {
					String size = line(in);
					if (size == null) {
						break;
					}
					int length = Integer.parseInt(size.trim(), 16);
					if (length == 0) {
						break;
					}
					for (int i = 0; i < length; i++) {
						int b = in.read();
						if (b == '\n') {
							ack(pendingLine.toString());
							pendingLine.setLength(0);
						}
						else if (b >= 0) {
							pendingLine.append((char) b);
						}
					}
					line(in);
				}
			}
			catch (IOException | RuntimeException e) {
				if (!socket.isClosed()) {
					error("connection: " + e);
				}
			}
			finally {
				ended = true;
			}
		}

		private void ack(String json) {
			long now = System.nanoTime();
			if (json.contains("\"ERROR\"")) {
				error(json);
				return;
			}
			if (!json.contains("\"PERSISTED\"")) {
				return;
			}
			int at = json.indexOf("\"FragmentTimecode\":");
			long timecode = -1;
			if (at >= 0) {
				int i = at + "\"FragmentTimecode\":".length();
				int j = i;
				while (j < json.length() && Character.isDigit(json.charAt(j))) {
					j++;
				}
				timecode = Long.parseLong(json.substring(i, j));
			}
			Sent sent = this.pending.remove(timecode);
			if (sent == null) {
				stats.unmatched.incrementAndGet();
				return;
			}
			long lastByte = sent.lastByte;
			stats.latencies.add(lastByte == 0 ? 0 : now - lastByte);
			if (now <= stats.windowEnd) {
				stats.bytesInWindow.add(sent.bytes);
				stats.fragmentsInWindow.increment();
			}
		}

		private void error(String what) {
			if (stats.errors.incrementAndGet() <= 5) {
				stats.firstErrors.add(what);
			}
		}

		void close() {
			try {
				socket.close();
			}
			catch (IOException ignored) {
				// closing anyway
			}
		}

		private static @Nullable String line(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			for (int b; (b = in.read()) != -1;) {
				if (b == '\n') {
					return line.toString().stripTrailing();
				}
				line.append((char) b);
			}
			return line.isEmpty() ? null : line.toString();
		}

	}

	/** The baseline: accepts chunked POSTs, answers 200 at once, reads every body byte and throws it away. */
	private static final class Sink implements AutoCloseable {

		private final ServerSocket server;

		final LongAdder bytes = new LongAdder();

		private Sink(ServerSocket server) {
			this.server = server;
		}

		static Sink start() throws IOException {
			Sink sink = new Sink(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()));
			Thread.ofVirtual().name("sink").start(sink::accept);
			return sink;
		}

		int port() {
			return server.getLocalPort();
		}

		private void accept() {
			while (!server.isClosed()) {
				try {
					Socket socket = server.accept();
					Thread.ofVirtual().name("sink-connection").start(() -> discard(socket));
				}
				catch (IOException closed) {
					return;
				}
			}
		}

		private void discard(Socket socket) {
			try (socket) {
				InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
				while (!"".equals(Camera.line(in))) {
					// request line and headers
				}
				OutputStream out = socket.getOutputStream();
				out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
					.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				byte[] buffer = new byte[64 * 1024];
				while (true) {
					String size = Camera.line(in);
					if (size == null) {
						return;
					}
					int semicolon = size.indexOf(';');
					long length = Long.parseLong(semicolon < 0 ? size.trim() : size.substring(0, semicolon).trim(), 16);
					if (length == 0) {
						Camera.line(in);
						out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
						out.flush();
						return;
					}
					for (long left = length; left > 0;) {
						int read = in.read(buffer, 0, (int) Math.min(left, buffer.length));
						if (read < 0) {
							return;
						}
						left -= read;
					}
					bytes.add(length);
					Camera.line(in);
				}
			}
			catch (IOException | RuntimeException ended) {
				// the camera went away
			}
		}

		@Override
		public void close() throws IOException {
			server.close();
		}

	}

	private record Result(String target, String mode, int cameras, double seconds, double mbPerSecond,
			double fragmentsPerSecond, long sent, double p50Millis, double p99Millis, double maxMillis, int errors,
			ConcurrentLinkedQueue<String> firstErrors, int unacked, int unmatched, double targetCores,
			double selfCores, double otherCores, double idleRssMb, double peakRssMb, double rssKbPerCamera,
			double loadBefore, double loadAfter) {

		@Override
		public String toString() {
			String common = String.format(Locale.ROOT,
					"%-7s %-10s %3d cameras %4.0f s: %7.1f MB/s", target, mode, cameras, seconds, mbPerSecond);
			String cpu = String.format(Locale.ROOT,
					"CPU (cores): %s %.2f, load generator %.2f, rest of machine %.2f; load avg %.2f -> %.2f",
					target, targetCores, selfCores, otherCores, loadBefore, loadAfter);
			if ("sink".equals(target)) {
				return common + " discarded; " + cpu;
			}
			return common + String.format(Locale.ROOT,
					" PERSISTED, %.1f fragments/s (%d sent); PERSISTED latency p50 %.0f / p99 %.0f / max %.0f ms;"
							+ " %d ERROR ACKs %s, %d without PERSISTED, %d unmatched; %s;"
							+ " RSS idle %.0f MB, peak %.0f MB, %.0f kB per camera",
					fragmentsPerSecond, sent, p50Millis, p99Millis, maxMillis, errors, firstErrors, unacked, unmatched,
					cpu, idleRssMb, peakRssMb, rssKbPerCamera);
		}

	}

	private IngestLoad() {
	}

}
