package io.kvsgateway;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A token issuer for tests: an RSA key whose public half is served as a JWK Set on a loopback port, and bearer tokens
 * signed with it. Point the gateway at {@link #jwkSetUri()} through
 * {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri} and it validates {@link #token} like any identity
 * provider's tokens, so tests go through the real resource-server chain instead of a mocked principal.
 */
public final class TestJwks implements AutoCloseable {

	private static final Duration VALIDITY = Duration.ofMinutes(30);

	private final RSAKey key;

	private final RSASSASigner signer;

	private final HttpServer server;

	private TestJwks(RSAKey key, HttpServer server) throws JOSEException {
		this.key = key;
		this.signer = new RSASSASigner(key);
		this.server = server;
	}

	/**
	 * Generates a key and starts serving its public JWK Set on a random loopback port.
	 * @return the running issuer; {@link #close()} it when the tests are done
	 */
	public static TestJwks start() {
		try {
			RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			byte[] jwks = new JWKSet(key).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			server.createContext("/jwks.json", exchange -> {
				try (exchange; OutputStream body = exchange.getResponseBody()) {
					exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
					exchange.sendResponseHeaders(200, jwks.length);
					body.write(jwks);
				}
			});
			server.start();
			return new TestJwks(key, server);
		}
		catch (JOSEException e) {
			throw new IllegalStateException("Could not make a test signing key", e);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Could not serve the test JWK Set", e);
		}
	}

	/** @return where the public JWK Set is served, for {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri} */
	public String jwkSetUri() {
		InetSocketAddress address = server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort() + "/jwks.json";
	}

	/**
	 * @param subject the {@code sub} claim: who the caller is
	 * @param scope the {@code scope} claim, space-separated (for example {@code playback})
	 * @param streams the {@code streams} claim: stream names or {@code *}-patterns the token covers; an empty list
	 * leaves the claim out, which covers no stream
	 * @return a signed, compact JWT valid for half an hour
	 */
	public String token(String subject, String scope, List<String> streams) {
		Instant now = Instant.now();
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
			.claim("scope", scope)
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plus(VALIDITY)))
			.jwtID(UUID.randomUUID().toString());
		if (!streams.isEmpty()) {
			claims.claim("streams", List.copyOf(streams));
		}
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
				claims.build());
		try {
			jwt.sign(signer);
		}
		catch (JOSEException e) {
			throw new IllegalStateException("Could not sign a test token", e);
		}
		return jwt.serialize();
	}

	/** Stops serving the JWK Set. */
	@Override
	public void close() {
		server.stop(0);
	}

}
