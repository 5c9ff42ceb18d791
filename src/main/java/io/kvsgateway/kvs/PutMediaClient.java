package io.kvsgateway.kvs;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.putmedia.ProducerTimestamps.TimecodeType;

/**
 * Opens PutMedia uploads to KVS (or the embedded service): a SigV4-signed, chunked request whose body is written while
 * KVS's ACK lines are read back on the same connection. The AWS SDK for Java v2 has no PutMedia operation, hence this
 * port.
 *
 * <pre>{@code
 * PutMediaUpload upload = putMedia.open("lobby-cam-1", TimecodeType.ABSOLUTE, null, new AckListener() {
 *     public void acknowledged(Ack ack) { log.info(ack.toJsonLine()); }
 *     public void ended(@Nullable PutMediaException failure) { ... }
 * });
 * upload.write(header.raw());
 * upload.write(fragment.raw());
 * upload.finish(); // returns once KVS has answered and closed the response
 * }</pre>
 */
public interface PutMediaClient {

	/**
	 * Resolves the stream's PUT_MEDIA data endpoint, connects, and sends the signed request headers. The HTTP status
	 * is read asynchronously: a refusal ({@code ConnectionLimitExceededException}, an unknown stream, a bad
	 * signature) reaches {@link AckListener#ended} as {@link PutMediaException.Refused}, and later writes throw it.
	 * @param streamName the stream; must not be {@literal null}
	 * @param type how the body's Cluster timecodes are meant ({@code x-amzn-fragment-timecode-type})
	 * @param producerStart {@code x-amzn-producer-start-timestamp}, or {@literal null} to leave it out
	 * @param listener told of every ACK, then exactly once of the end; called on the upload's reader thread
	 * @return the open upload; never {@literal null}
	 * @throws KvsException when the data endpoint cannot be resolved
	 * @throws PutMediaException.ConnectionFailed when the endpoint cannot be reached
	 */
	PutMediaUpload open(String streamName, TimecodeType type, @Nullable Instant producerStart, AckListener listener);

}
