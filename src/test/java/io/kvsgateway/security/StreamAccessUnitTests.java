package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class StreamAccessUnitTests {

	private final StreamAccess access = new StreamAccess(new SecurityProperties(null, null, null));

	@Test
	void matchesExactNamesAndStarPatterns() {
		assertThat(StreamAccess.matches("lobby", "lobby")).isTrue();
		assertThat(StreamAccess.matches("lobby", "lobby2")).isFalse();
		assertThat(StreamAccess.matches("garage-*", "garage-east")).isTrue();
		assertThat(StreamAccess.matches("garage-*", "garage-")).isTrue();
		assertThat(StreamAccess.matches("garage-*", "lobby")).isFalse();
		assertThat(StreamAccess.matches("*-cam", "door-cam")).isTrue();
		assertThat(StreamAccess.matches("a*b*c", "aXXbYYc")).isTrue();
		assertThat(StreamAccess.matches("a*b*c", "aXXbYY")).isFalse();
		assertThat(StreamAccess.matches("*", "anything.at_all-1")).isTrue();
	}

	@Test
	void treatsDotsAndOtherCharactersLiterally() {
		assertThat(StreamAccess.matches("cam.1", "camX1")).isFalse();
		assertThat(StreamAccess.matches("", "lobby")).isFalse();
	}

	@Test
	void readsTheStreamsClaimAsArrayOrSpaceSeparatedString() {
		assertThat(access.permits(token(Map.of("streams", List.of("lobby", "garage-*"))), "garage-1")).isTrue();
		assertThat(access.permits(token(Map.of("streams", "lobby garage-*")), "garage-1")).isTrue();
		assertThat(access.permits(token(Map.of("streams", "lobby")), "garage-1")).isFalse();
	}

	@Test
	void aTokenWithoutTheClaimCoversNoStream() {
		assertThat(access.permits(token(Map.of("other", "x")), "lobby")).isFalse();
	}

	@Test
	void usesTheConfiguredClaimName() {
		StreamAccess custom = new StreamAccess(new SecurityProperties("cameras", null, null));
		assertThat(custom.permits(token(Map.of("cameras", List.of("*"))), "lobby")).isTrue();
		assertThat(custom.permits(token(Map.of("streams", List.of("*"))), "lobby")).isFalse();
	}

	private static Jwt token(Map<String, Object> claims) {
		Jwt.Builder builder = Jwt.withTokenValue("t").header("alg", "RS256").subject("viewer")
			.issuedAt(Instant.EPOCH).expiresAt(Instant.EPOCH.plusSeconds(60));
		claims.forEach(builder::claim);
		return builder.build();
	}

}
