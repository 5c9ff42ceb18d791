package io.kvsgateway.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import io.kvsgateway.putmedia.Ack;
import io.kvsgateway.putmedia.ProducerTimestamps.TimecodeType;
import io.kvsgateway.sigv4.SigV4Verifier;
import io.kvsgateway.support.FakePutMedia;
import io.kvsgateway.support.MediaFixtures;

/** The PutMedia client against a scripted PutMedia server on a real socket. */
class SocketPutMediaClientIntegrationTests {

	private static final String KEY = "AKIDPUTMEDIATEST";

	private static final String SECRET = "put-media-test-secret";

	FakePutMedia fake;

	KvsClients clients;

	SocketPutMediaClient client;

	final Listener listener = new Listener();

	@BeforeEach
	void start() throws Exception {
		fake = FakePutMedia.start();
		KvsProperties properties = new KvsProperties(KvsProperties.Mode.EMBEDDED, "eu-west-1",
				URI.create(fake.endpoint()), new KvsProperties.Embedded(KEY, SECRET), null, 0, null, null, 0, 1, null,
				null, java.time.Duration.ofSeconds(10));
		clients = new KvsClients(properties, new MockEnvironment());
		client = new SocketPutMediaClient(new DataEndpoints(clients, properties), clients, properties,
				Clock.systemUTC());
	}

	@AfterEach
	void stop() throws Exception {
		clients.destroy();
		fake.close();
	}

	@Test
	void sendsTheBodyChunkedAndSignedAndReadsAcksWhileTheUploadIsOpen() throws Exception {
		MediaFixtures.Split media = MediaFixtures.split("h264.mkv");

		// Given an upload with the header and two fragments written
		PutMediaUpload upload = client.open("lobby-cam-1", TimecodeType.RELATIVE, Instant.ofEpochMilli(1_700_000_000_005L),
				listener);
		upload.write(ByteBuffer.wrap(media.header()));
		upload.write(ByteBuffer.wrap(media.fragments().get(0)));
		upload.write(ByteBuffer.wrap(media.fragments().get(1)));

		// Then the first fragment's ACKs arrive while the body is still open (the second starting completes the first)
		assertThat(listener.next()).extracting(Ack::type).isEqualTo(Ack.Type.BUFFERING);
		Ack received = listener.next();
		Ack persisted = listener.next();
		assertThat(received.type()).isEqualTo(Ack.Type.RECEIVED);
		assertThat(persisted.type()).isEqualTo(Ack.Type.PERSISTED);
		assertThat(persisted.fragmentTimecode()).isEqualTo(media.timecodes().get(0));
		assertThat(persisted.fragmentNumber()).startsWith(FakePutMedia.NUMBER_PREFIX);
		assertThat(listener.end).isNotDone();

		// When the rest is written and the upload finished
		for (byte[] fragment : media.fragments().subList(2, media.fragments().size())) {
			upload.write(ByteBuffer.wrap(fragment));
		}
		upload.finish();

		// Then the upload ended cleanly, with a PERSISTED for every fragment
		assertThat(listener.end).isCompletedWithValue(null);
		assertThat(listener.acks.stream().filter(a -> a.type() == Ack.Type.PERSISTED))
			.hasSize(media.fragments().size() - 1);
		FakePutMedia.Upload received1 = fake.uploads().getFirst();
		assertThat(received1.body()).isEqualTo(media.all());
		assertThat(received1.chunkSizes()).first().isEqualTo(media.header().length);
		assertThat(received1.chunkSizes()).hasSize(media.fragments().size() + 1);
		assertThat(received1.path()).isEqualTo("/putMedia");
		assertThat(received1.header("transfer-encoding")).isEqualTo("chunked");
		assertThat(received1.header("x-amzn-stream-name")).isEqualTo("lobby-cam-1");
		assertThat(received1.header("x-amzn-fragment-timecode-type")).isEqualTo("RELATIVE");
		assertThat(received1.header("x-amzn-producer-start-timestamp")).isEqualTo("1700000000.005");
		assertThat(received1.verify(KEY, SECRET)).isInstanceOf(SigV4Verifier.Verified.class);
		assertThat(received1.verify(KEY, "another-secret")).isInstanceOf(SigV4Verifier.Rejected.class);
	}

	@Test
	void turnsAnErrorStatusIntoATypedRefusal() throws Exception {
		fake.refuseWith(400, "ConnectionLimitExceededException");

		PutMediaUpload upload = client.open("lobby-cam-1", TimecodeType.ABSOLUTE, null, listener);

		PutMediaException failure = listener.end.get(5, TimeUnit.SECONDS);
		assertThat(failure).isInstanceOfSatisfying(PutMediaException.Refused.class, refused -> {
			assertThat(refused.status()).isEqualTo(400);
			assertThat(refused.errorType()).isEqualTo("ConnectionLimitExceededException");
			assertThat(refused.getMessage()).contains("scripted ConnectionLimitExceededException");
		});
		assertThatExceptionOfType(PutMediaException.Refused.class)
			.isThrownBy(() -> upload.write(ByteBuffer.wrap(new byte[] { 1 })));
	}

	@Test
	void reportsALostConnectionAfterTheAcksThatArrived() throws Exception {
		fake.dropAfterPersisted(1);
		MediaFixtures.Split media = MediaFixtures.split("h264-kvs.mkv");

		PutMediaUpload upload = client.open("lobby-cam-1", TimecodeType.ABSOLUTE, null, listener);
		upload.write(ByteBuffer.wrap(media.header()));
		for (byte[] fragment : media.fragments().subList(0, 2)) {
			upload.write(ByteBuffer.wrap(fragment));
		}

		assertThat(listener.end.get(5, TimeUnit.SECONDS)).isInstanceOf(PutMediaException.ConnectionFailed.class);
		assertThat(listener.acks.stream().filter(a -> a.type() == Ack.Type.PERSISTED).map(Ack::fragmentTimecode))
			.containsExactly(media.timecodes().get(0));
		assertThatExceptionOfType(PutMediaException.class).isThrownBy(upload::finish);
	}

	/** Collects what the client reports. */
	static final class Listener implements AckListener {

		final BlockingQueue<Ack> queue = new LinkedBlockingQueue<>();

		final java.util.List<Ack> acks = new java.util.concurrent.CopyOnWriteArrayList<>();

		final CompletableFuture<@Nullable PutMediaException> end = new CompletableFuture<>();

		@Override
		public void acknowledged(Ack ack) {
			acks.add(ack);
			queue.add(ack);
		}

		@Override
		public void ended(@Nullable PutMediaException failure) {
			end.complete(failure);
		}

		Ack next() throws InterruptedException {
			Ack ack = queue.poll(5, TimeUnit.SECONDS);
			assertThat(ack).as("an ACK within 5 s").isNotNull();
			return ack;
		}

	}

}
