package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class CachingJwtDecoderUnitTests {

	private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

	private final AtomicInteger verifications = new AtomicInteger();

	/** Stands in for signature verification: "good-*" tokens verify, expiring a minute after NOW; others fail. */
	private final JwtDecoder verifier = token -> {
		verifications.incrementAndGet();
		if (!token.startsWith("good")) {
			throw new BadJwtException("bad signature");
		}
		return Jwt.withTokenValue(token).header("alg", "RS256").subject(token).expiresAt(NOW.plusSeconds(60)).build();
	};

	@Test
	void verifiesARepeatedTokenOnlyOnce() {
		CachingJwtDecoder decoder = new CachingJwtDecoder(verifier, Clock.fixed(NOW, ZoneOffset.UTC));

		assertThat(decoder.decode("good-1").getSubject()).isEqualTo("good-1");
		assertThat(decoder.decode("good-1").getSubject()).isEqualTo("good-1");
		assertThat(decoder.decode("good-2").getSubject()).isEqualTo("good-2");

		assertThat(verifications).hasValue(2);
	}

	@Test
	void neverCachesARejectedToken() {
		CachingJwtDecoder decoder = new CachingJwtDecoder(verifier, Clock.fixed(NOW, ZoneOffset.UTC));

		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("forged"));
		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("forged"));
		assertThat(verifications).hasValue(2);
	}

	@Test
	void refusesACachedTokenOnceItHasExpired() {
		MutableClock clock = new MutableClock(NOW);
		CachingJwtDecoder decoder = new CachingJwtDecoder(verifier, clock);
		decoder.decode("good-1");

		clock.now = NOW.plusSeconds(60);

		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("good-1"))
			.withMessageContaining("expired");
	}

	private static final class MutableClock extends Clock {

		Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return now;
		}

	}

}
