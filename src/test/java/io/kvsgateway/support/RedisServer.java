package io.kvsgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for a test: started on a free loopback port without persistence, stopped (or killed, to
 * test an outage) and started again on the same port. Skips the test when redis-server is not installed (fails in
 * CI, see {@link ExternalTools}).
 */
public final class RedisServer implements AutoCloseable {

	private final String program;

	private final int port;

	private final Path directory;

	private Process process;

	private RedisServer(String program, int port, Path directory) {
		this.program = program;
		this.port = port;
		this.directory = directory;
	}

	/** Starts a server on a free port. */
	public static RedisServer start() {
		String program = ExternalTools.require("redis-server");
		try {
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			RedisServer server = new RedisServer(program, port, Files.createTempDirectory("redis-test"));
			server.restart();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public int port() {
		return port;
	}

	/** {@code redis://127.0.0.1:<port>} */
	public String url() {
		return "redis://127.0.0.1:" + port;
	}

	/** Starts the server again after {@link #kill()}, empty, on the same port. */
	public void restart() {
		if (process != null && process.isAlive()) {
			throw new IllegalStateException("redis-server is running");
		}
		try {
			process = new ProcessBuilder(program, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
					"", "--appendonly", "no", "--dir", directory.toString(), "--loglevel", "warning")
				.redirectErrorStream(true)
				.redirectOutput(directory.resolve("redis.log").toFile())
				.start();
			awaitPong();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Kills the server at once (SIGKILL), as a crash would. */
	public void kill() {
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Freezes the server (SIGSTOP): connections stay open and nothing answers, as when Redis hangs. */
	public void pause() {
		signal("-STOP");
	}

	/** Lets a {@link #pause() paused} server go on. */
	public void resume() {
		signal("-CONT");
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill " + signal + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Empties every database, so that tests sharing a server do not see each other's keys. */
	public void flushAll() {
		String answer = command("FLUSHALL");
		if (!answer.startsWith("+OK")) {
			throw new IllegalStateException("FLUSHALL answered " + answer);
		}
	}

	private void awaitPong() {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (true) {
			try {
				if (command("PING").startsWith("+PONG")) {
					return;
				}
			}
			catch (UncheckedIOException ex) {
				if (!process.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException("redis-server did not start on port " + port + ": " + log(), ex);
				}
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	/** One inline command, its first reply line. */
	private String command(String command) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			socket.setSoTimeout(5000);
			socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
			byte[] buffer = new byte[256];
			int read = socket.getInputStream().read(buffer);
			return read <= 0 ? "" : new String(buffer, 0, read, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private String log() {
		try {
			return Files.readString(directory.resolve("redis.log"));
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

	@Override
	public void close() {
		if (process != null) {
			if (process.isAlive()) {
				resume(); // a paused server would not stop
			}
			process.destroy();
			try {
				if (!process.waitFor(10, TimeUnit.SECONDS)) {
					process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				process.destroyForcibly();
			}
		}
		try (var files = Files.walk(directory)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary directory left behind is harmless
		}
	}

}
