package io.kvsgateway.sigv4;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks the verifier against real signatures made by the AWS SDK v2 signer, and tampered copies of them. */
class SigV4VerifierUnitTests {

	static final String KEY = "AKIDEXAMPLE";

	static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	final SigV4Verifier verifier = new SigV4Verifier("kinesisvideo",
			key -> KEY.equals(key) ? Optional.of(SECRET) : Optional.empty(), clock);

	@Test
	void acceptsRequestSignedBySdk() {
		byte[] body = "{\"StreamName\":\"cam-1\"}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/describeStream", body, SECRET, NOW, r -> {
		});

		assertThat(verifier.verify(received(signed, body))).isEqualTo(new SigV4Verifier.Verified(KEY, "us-east-1"));
	}

	@Test
	void acceptsEncodedPathAndUnsortedQuery() {
		byte[] body = new byte[0];
		SignedRequest signed = sign("http://localhost:8080/kvs/a%20b/c%2Bd?b=2&a=x%2By&a=1&empty=", body, SECRET, NOW,
				r -> {
				});

		assertThat(verifier.verify(received(signed, body))).isInstanceOf(SigV4Verifier.Verified.class);
	}

	@Test
	void acceptsAnyRegionInScope() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET, NOW,
				r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1"));

		assertThat(verifier.verify(received(signed, body))).isEqualTo(new SigV4Verifier.Verified(KEY, "eu-west-1"));
	}

	@Test
	void acceptsUnsignedPayloadDeclaration() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		// The SDK only leaves the payload unsigned over https.
		SignedRequest signed = sign("https://localhost:8443/kvs/putMedia", body, SECRET, NOW,
				r -> r.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
		assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).contains("UNSIGNED-PAYLOAD");

		assertThat(verifier.verify(received(signed, "anything at all".getBytes(StandardCharsets.UTF_8))))
			.isInstanceOf(SigV4Verifier.Verified.class);
	}

	@Test
	void acceptsEmptyStringHashForStreamedUpload() {
		// producer-c signs PutMedia with the hash of the empty string while it streams the real body.
		SignedRequest signed = sign(SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:8080/kvs/putMedia"))
			.putHeader("x-amz-content-sha256", SigV4Verifier.EMPTY_PAYLOAD_SHA256)
			.putHeader("x-amzn-stream-name", "cam-1")
			.build(), new byte[0], SECRET, NOW, r -> {
			});

		assertThat(verifier.verify(received(signed, new byte[] { 0x1a, 0x45, (byte) 0xdf, (byte) 0xa3 })))
			.isInstanceOf(SigV4Verifier.Verified.class);
	}

	@Test
	void rejectsTamperedBody() {
		byte[] body = "{\"StreamName\":\"cam-1\"}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/describeStream", body, SECRET, NOW, r -> {
		});

		assertRejected(verifier.verify(received(signed, "{\"StreamName\":\"cam-2\"}".getBytes(StandardCharsets.UTF_8))),
				SigV4Verifier.Reason.BAD_SIGNATURE, "does not match");
	}

	@Test
	void rejectsDeclaredPayloadHashThatDoesNotMatchBody() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign(SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:8080/kvs/listStreams"))
			.putHeader("x-amz-content-sha256", SigV4Verifier.sha256Hex(body))
			.build(), body, SECRET, NOW, r -> {
			});

		assertThat(verifier.verify(received(signed, body))).isInstanceOf(SigV4Verifier.Verified.class);
		assertRejected(verifier.verify(received(signed, "{ }".getBytes(StandardCharsets.UTF_8))),
				SigV4Verifier.Reason.BAD_SIGNATURE, "x-amz-content-sha256");
	}

	@Test
	void rejectsTamperedSignedHeader() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign(SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:8080/kvs/listStreams"))
			.putHeader("x-amzn-stream-name", "cam-1")
			.build(), body, SECRET, NOW, r -> {
			});
		SdkHttpRequest tampered = signed.request().toBuilder().putHeader("x-amzn-stream-name", "cam-2").build();

		assertRejected(verifier.verify(received(tampered, body)), SigV4Verifier.Reason.BAD_SIGNATURE,
				"does not match");
	}

	@Test
	void ignoresHeadersThatAreNotSigned() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET, NOW, r -> {
		});
		SdkHttpRequest extra = signed.request().toBuilder().putHeader("x-amz-security-token", "added later").build();

		assertThat(verifier.verify(received(extra, body))).isInstanceOf(SigV4Verifier.Verified.class);
	}

	@Test
	void rejectsTamperedPath() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET, NOW, r -> {
		});
		SdkHttpRequest tampered = signed.request().toBuilder().encodedPath("/kvs/deleteStream").build();

		assertRejected(verifier.verify(received(tampered, body)), SigV4Verifier.Reason.BAD_SIGNATURE,
				"does not match");
	}

	@Test
	void rejectsWrongSecret() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, "not-the-secret", NOW, r -> {
		});

		assertRejected(verifier.verify(received(signed, body)), SigV4Verifier.Reason.BAD_SIGNATURE,
				"does not match");
		assertThat(SigV4Verifier.Reason.BAD_SIGNATURE.errorType()).isEqualTo("InvalidSignatureException");
	}

	@Test
	void rejectsUnknownAccessKey() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET, NOW,
				r -> r.identity(AwsCredentialsIdentity.create("AKIDUNKNOWN", SECRET)));

		assertRejected(verifier.verify(received(signed, body)), SigV4Verifier.Reason.UNKNOWN_KEY,
				"The security token included in the request is invalid.");
		assertThat(SigV4Verifier.Reason.UNKNOWN_KEY.errorType()).isEqualTo("UnrecognizedClientException");
	}

	@Test
	void rejectsMissingAuthorization() {
		SigV4Verifier.Request request = new SigV4Verifier.Request("POST", "/kvs/listStreams", null,
				name -> "host".equals(name) ? List.of("localhost") : List.of(), SigV4Verifier.sha256Hex(new byte[0]));

		assertRejected(verifier.verify(request), SigV4Verifier.Reason.MISSING, "Missing Authentication Token");
		assertThat(SigV4Verifier.Reason.MISSING.errorType()).isEqualTo("MissingAuthenticationTokenException");
	}

	@Test
	void rejectsRequestSignedMoreThanFiveMinutesAgo() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET,
				NOW.minus(Duration.ofMinutes(5)).minusSeconds(1), r -> {
				});

		assertRejected(verifier.verify(received(signed, body)), SigV4Verifier.Reason.EXPIRED, "Signature expired: ");
	}

	@Test
	void acceptsRequestSignedWithinFiveMinutesInTheFuture() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET,
				NOW.plus(Duration.ofMinutes(4)), r -> {
				});

		assertThat(verifier.verify(received(signed, body))).isInstanceOf(SigV4Verifier.Verified.class);
	}

	@Test
	void rejectsRequestSignedMoreThanFiveMinutesAhead() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET,
				NOW.plus(Duration.ofMinutes(5)).plusSeconds(1), r -> {
				});

		assertRejected(verifier.verify(received(signed, body)), SigV4Verifier.Reason.EXPIRED,
				"Signature not yet current: ");
	}

	@Test
	void rejectsRequestSignedForAnotherService() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign("http://localhost:8080/kvs/listStreams", body, SECRET, NOW,
				r -> r.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3"));

		assertRejected(verifier.verify(received(signed, body)), SigV4Verifier.Reason.MALFORMED, "kinesisvideo");
	}

	@Test
	void rejectsGarbledAuthorization() {
		SigV4Verifier.Request request = new SigV4Verifier.Request("POST", "/kvs/listStreams", null,
				name -> switch (name) {
					case "authorization" -> List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE");
					case "host" -> List.of("localhost");
					default -> List.of();
				}, SigV4Verifier.sha256Hex(new byte[0]));

		assertRejected(verifier.verify(request), SigV4Verifier.Reason.MALFORMED, "Authorization header");
	}

	@Test
	void canonicalizesMultiValueHeadersAndWhitespace() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		SignedRequest signed = sign(SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create("http://localhost:8080/kvs/listStreams"))
			.putHeader("x-custom", List.of("  a   b  ", "c"))
			.build(), body, SECRET, NOW, r -> {
			});

		assertThat(verifier.verify(received(signed, body))).isInstanceOf(SigV4Verifier.Verified.class);
	}

	private static void assertRejected(SigV4Verifier.Result result, SigV4Verifier.Reason reason, String message) {
		assertThat(result).isInstanceOfSatisfying(SigV4Verifier.Rejected.class, r -> {
			assertThat(r.reason()).isEqualTo(reason);
			assertThat(r.message()).contains(message);
		});
	}

	private static SignedRequest sign(String uri, byte[] body, String secret, Instant at,
			Consumer<SignRequest.Builder<AwsCredentialsIdentity>> customizer) {
		return sign(SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(URI.create(uri))
			.putHeader("Content-Type", "application/json")
			.build(), body, secret, at, customizer);
	}

	private static SignedRequest sign(SdkHttpRequest request, byte[] body, String secret, Instant at,
			Consumer<SignRequest.Builder<AwsCredentialsIdentity>> customizer) {
		return AwsV4HttpSigner.create().sign(r -> {
			r.identity(AwsCredentialsIdentity.create(KEY, secret))
				.request(request)
				.payload(ContentStreamProvider.fromByteArray(body))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
				.putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
				.putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
			customizer.accept(r);
		});
	}

	private static SigV4Verifier.Request received(SignedRequest signed, byte[] body) {
		return received(signed.request(), body);
	}

	/** What a server sees: the raw (encoded) path and query, and the headers by name. */
	private static SigV4Verifier.Request received(SdkHttpRequest request, byte[] body) {
		String host = SdkHttpUtils.isUsingStandardPort(request.protocol(), request.port()) ? request.host() : request.host() + ":" + request.port();
		return new SigV4Verifier.Request(request.method().name(), request.encodedPath(),
				request.encodedQueryParameters().orElse(null),
				name -> "host".equals(name) && request.firstMatchingHeader("Host").isEmpty() ? List.of(host)
						: request.matchingHeaders(name),
				SigV4Verifier.sha256Hex(body));
	}

}
