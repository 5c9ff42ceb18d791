package io.kvsgateway.ingest;

/**
 * KVS's per-stream ingest limits (fragments per second, bytes per second) for one camera connection, as a token bucket
 * holding one second's allowance of each. {@link #acquire} blocks the connection's reading thread until the fragment
 * may be forwarded, so a camera that sends faster is slowed by TCP flow control instead of losing fragments. A fragment
 * larger than one second's bytes waits for a full bucket and leaves it in debt, which the next fragment waits off.
 * Not thread-safe: one connection, one reading thread.
 */
final class IngestRateLimit {

	private final double fragmentsPerSecond;

	private final double bytesPerSecond;

	private double fragments;

	private double bytes;

	private long last = System.nanoTime();

	IngestRateLimit(int fragmentsPerSecond, long bytesPerSecond) {
		this.fragmentsPerSecond = fragmentsPerSecond;
		this.bytesPerSecond = bytesPerSecond;
		this.fragments = fragmentsPerSecond;
		this.bytes = bytesPerSecond;
	}

	/**
	 * Waits until one fragment of {@code size} bytes may go on, then takes it from the allowance.
	 * @return whether it had to wait
	 */
	boolean acquire(long size) throws InterruptedException {
		double needed = Math.min(size, bytesPerSecond);
		boolean waited = false;
		refill();
		while (fragments < 1 || bytes < needed) {
			double seconds = Math.max((1 - fragments) / fragmentsPerSecond, (needed - bytes) / bytesPerSecond);
			Thread.sleep(Math.max(1, (long) Math.ceil(seconds * 1000)));
			waited = true;
			refill();
		}
		fragments -= 1;
		bytes -= size;
		return waited;
	}

	private void refill() {
		long now = System.nanoTime();
		double seconds = (now - last) / 1e9;
		last = now;
		fragments = Math.min(fragmentsPerSecond, fragments + seconds * fragmentsPerSecond);
		bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
	}

}
