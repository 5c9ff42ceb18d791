package io.kvsgateway.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Session tokens are sealed, tamper-evident, expiring and never reused. */
class SessionTokensUnitTests {

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	@TempDir
	Path dataDir;

	@Test
	void opensWhatItSealed() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));
		StreamingSession session = session(NOW.plusSeconds(300));

		assertThat(tokens.open(tokens.seal(session))).isEqualTo(session);
	}

	@Test
	void tokensAreUrlSafe() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));

		assertThat(tokens.seal(session(NOW.plusSeconds(300)))).matches("[A-Za-z0-9_-]+");
	}

	@Test
	void issuesDifferentTokensForTheSameSession() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));
		StreamingSession session = session(NOW.plusSeconds(300));

		assertThat(tokens.seal(session)).isNotEqualTo(tokens.seal(session));
	}

	@Test
	void rejectsTamperedToken() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));
		byte[] bytes = Base64.getUrlDecoder().decode(tokens.seal(session(NOW.plusSeconds(300))));
		bytes[bytes.length / 2] ^= 0x01;
		String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open(tampered));
	}

	@Test
	void rejectsGarbledToken() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));

		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open("not*base64"));
		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open("AQID"));
	}

	@Test
	void rejectsTokenSealedWithAnotherKey() {
		String token = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC)).seal(session(NOW.plusSeconds(300)));

		assertThatExceptionOfType(SessionTokens.InvalidToken.class)
			.isThrownBy(() -> new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC)).open(token));
	}

	@Test
	void rejectsExpiredToken() {
		SecretKey key = key();
		String token = new SessionTokens(key, Clock.fixed(NOW, ZoneOffset.UTC)).seal(session(NOW.plusSeconds(300)));
		Clock later = Clock.offset(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(300));

		assertThat(new SessionTokens(key, Clock.fixed(NOW.plusSeconds(299), ZoneOffset.UTC)).open(token)).isNotNull();
		assertThatExceptionOfType(SessionTokens.ExpiredToken.class)
			.isThrownBy(() -> new SessionTokens(key, later).open(token));
	}

	@Test
	void compactTokensOpenTheSameSessionAtAFractionOfTheLength() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));
		StreamingSession session = session(NOW.plusSeconds(300));

		String compact = tokens.sealCompact(session);

		assertThat(compact).matches("[A-Za-z0-9_-]+");
		assertThat(compact.length()).isLessThan(tokens.seal(session).length() / 2);
		assertThat(tokens.open(compact, true)).isEqualTo(session);
		assertThat(tokens.open(tokens.seal(session), true)).isEqualTo(session);
	}

	@Test
	void compactTokensOpenOnlyWhereAllowed() {
		SessionTokens tokens = new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC));
		String compact = tokens.sealCompact(session(NOW.plusSeconds(300)));

		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open(compact));
		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open(compact, false));
	}

	@Test
	void rejectsTamperedExpiredOrForeignCompactTokens() {
		SecretKey key = key();
		SessionTokens tokens = new SessionTokens(key, Clock.fixed(NOW, ZoneOffset.UTC));
		String compact = tokens.sealCompact(session(NOW.plusSeconds(300)));
		byte[] bytes = Base64.getUrlDecoder().decode(compact);
		bytes[bytes.length / 2] ^= 0x01;
		String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		// A full token's ciphertext relabelled as compact: the purpose is bound into the tag.
		byte[] relabelled = Base64.getUrlDecoder().decode(tokens.seal(session(NOW.plusSeconds(300))));
		relabelled[0] = 2;

		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens.open(tampered, true));
		assertThatExceptionOfType(SessionTokens.InvalidToken.class).isThrownBy(() -> tokens
			.open(Base64.getUrlEncoder().withoutPadding().encodeToString(relabelled), true));
		assertThatExceptionOfType(SessionTokens.InvalidToken.class)
			.isThrownBy(() -> new SessionTokens(key(), Clock.fixed(NOW, ZoneOffset.UTC)).open(compact, true));
		assertThatExceptionOfType(SessionTokens.ExpiredToken.class)
			.isThrownBy(() -> new SessionTokens(key, Clock.fixed(NOW.plusSeconds(300), ZoneOffset.UTC))
				.open(compact, true));
	}

	@Test
	void keepsGeneratedKeyInDataDirWithOwnerOnlyPermissions() throws Exception {
		SecretKey first = SessionTokens.loadKey(null, dataDir);
		SecretKey second = SessionTokens.loadKey(null, dataDir);

		assertThat(second.getEncoded()).isEqualTo(first.getEncoded());
		Path file = dataDir.resolve("session-token.key");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
	}

	@Test
	void prefersConfiguredKey() {
		String configured = Base64.getEncoder().encodeToString(KEY.getEncoded());

		assertThat(SessionTokens.loadKey(configured, dataDir).getEncoded()).isEqualTo(KEY.getEncoded());
		assertThat(dataDir.resolve("session-token.key")).doesNotExist();
	}

	static final SecretKey KEY = new SecretKeySpec(new byte[32], "AES");

	private static SecretKey key() {
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		return new SecretKeySpec(bytes, "AES");
	}

	private static StreamingSession session(Instant expiresAt) {
		return new StreamingSession("6f1c1b0e-5d4e-4a52-9d1c-3b0f8e1f2a11", "cam-1", "1772366400000", Protocol.HLS,
				PlaybackMode.ON_DEMAND, FragmentSelectorType.SERVER_TIMESTAMP, NOW.minusSeconds(600),
				NOW.minusSeconds(60), ContainerFormat.FRAGMENTED_MP4, DiscontinuityMode.ALWAYS, Display.NEVER, null,
				1000, NOW, expiresAt);
	}

}
