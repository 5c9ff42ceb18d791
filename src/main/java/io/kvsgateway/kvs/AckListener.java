package io.kvsgateway.kvs;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.putmedia.Ack;

/** Receives what KVS answers on a PutMedia upload. Both methods are called on the upload's reader thread, in order. */
public interface AckListener {

	/** @param ack one ACK line as KVS sent it; never {@literal null} */
	void acknowledged(Ack ack);

	/**
	 * The response has ended; called exactly once, after the last {@link #acknowledged}.
	 * @param failure {@literal null} when KVS ended the response after the body was finished, otherwise why the upload
	 * ended early (refused, connection lost, aborted)
	 */
	void ended(@Nullable PutMediaException failure);

}
