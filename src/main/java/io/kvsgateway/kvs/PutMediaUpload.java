package io.kvsgateway.kvs;

import java.nio.ByteBuffer;

/**
 * One open PutMedia request body. Writes are sent as HTTP chunks at once (one chunk per call), so a caller writing
 * whole fragments gets KVS's ACKs for them while the upload stays open. Thread-safe.
 */
public interface PutMediaUpload {

	/**
	 * Sends the remaining bytes of {@code bytes} as one chunk; empty buffers are skipped, since an empty chunk ends a
	 * chunked body.
	 * @param bytes raw MKV; must not be {@literal null}; its position is not changed
	 * @throws PutMediaException when the upload has failed or ended
	 */
	void write(ByteBuffer bytes);

	/**
	 * Ends the body and waits until KVS has ended its response (every ACK read) or the read timeout has passed;
	 * {@link AckListener#ended} has been called when this returns.
	 * @throws PutMediaException when the upload had already failed
	 */
	void finish();

	/** Drops the connection without ending the body; idempotent. KVS keeps what it already acknowledged as PERSISTED. */
	void abort();

}
