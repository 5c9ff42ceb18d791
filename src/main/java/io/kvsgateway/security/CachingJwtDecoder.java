package io.kvsgateway.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Remembers tokens that passed full validation, keyed by the SHA-256 of the whole token, for at most a minute and
 * never past their {@code exp}. A cached token is still checked against {@code exp} and {@code nbf} on every use, so
 * caching changes the cost of a repeat, not the answer.
 */
final class CachingJwtDecoder implements JwtDecoder {

	private static final Duration MAX_AGE = Duration.ofMinutes(1);

	private final JwtDecoder delegate;

	private final Clock clock;

	private final Cache<String, Jwt> verified = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(MAX_AGE)
		.build();

	CachingJwtDecoder(JwtDecoder delegate, Clock clock) {
		this.delegate = delegate;
		this.clock = clock;
	}

	@Override
	public Jwt decode(String token) throws JwtException {
		String key = sha256(token);
		Jwt jwt = verified.getIfPresent(key);
		if (jwt == null) {
			jwt = delegate.decode(token);
			verified.put(key, jwt);
			return jwt;
		}
		Instant now = clock.instant();
		if (jwt.getExpiresAt() != null && !now.isBefore(jwt.getExpiresAt())) {
			verified.invalidate(key);
			throw new BadJwtException("Jwt expired at " + jwt.getExpiresAt());
		}
		if (jwt.getNotBefore() != null && now.isBefore(jwt.getNotBefore())) {
			throw new BadJwtException("Jwt used before " + jwt.getNotBefore());
		}
		return jwt;
	}

	private static String sha256(String token) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(
					java.nio.charset.StandardCharsets.US_ASCII)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every JDK", e);
		}
	}

}
