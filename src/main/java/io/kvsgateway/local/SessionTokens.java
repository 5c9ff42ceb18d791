package io.kvsgateway.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seals {@link StreamingSession}s into opaque, tamper-proof URL tokens (AES-256-GCM, base64url) and opens them again.
 * <p>
 * The session travels inside the token, so the service keeps no session table and tokens survive a restart as long
 * as the key does.
 */
class SessionTokens {

	private static final Logger log = LoggerFactory.getLogger(SessionTokens.class);

	private static final byte VERSION = 1;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	/** Binds a token to its purpose, so a ciphertext made with the same key for anything else never opens here. */
	private static final byte[] ASSOCIATED_DATA = "kvs-gateway/streaming-session/v1".getBytes(StandardCharsets.UTF_8);

	private static final SecureRandom random = new SecureRandom();

	private final SecretKey key;

	private final Clock clock;

	private final JsonMapper mapper = JsonMapper.builder().build();

	SessionTokens(SecretKey key, Clock clock) {
		if (key.getEncoded() == null || key.getEncoded().length != 32) {
			throw new IllegalArgumentException("The session token key must be 256 bits");
		}
		this.key = key;
		this.clock = clock;
	}

	/**
	 * Uses the configured key, or the key kept in {@code <dataDir>/session-token.key}, generated on first start.
	 */
	static SessionTokens fromSettings(LocalProperties properties, Clock clock) {
		return new SessionTokens(loadKey(properties.sessionTokenKey(), properties.dataDir()), clock);
	}

	static SecretKey loadKey(@Nullable String configured, Path dataDir) {
		if (configured != null) {
			try {
				return aesKey(Base64.getDecoder().decode(configured.trim()), "gateway.local.session-token-key");
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException("gateway.local.session-token-key must be base64", ex);
			}
		}
		Path file = dataDir.resolve("session-token.key");
		try {
			Files.createDirectories(dataDir);
			if (!Files.exists(file)) {
				byte[] fresh = new byte[32];
				random.nextBytes(fresh);
				try {
					write(file, Base64.getEncoder().encodeToString(fresh));
					log.info("Generated a session-token key in {}", file);
				}
				catch (FileAlreadyExistsException ex) {
					// Another instance on the same data dir won the race; use its key.
				}
			}
			return aesKey(Base64.getDecoder().decode(Files.readString(file).trim()), file.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read or create the session-token key " + file, ex);
		}
	}

	/** Creates the key file readable by its owner only (where the file system has POSIX permissions). */
	private static void write(Path file, String content) throws IOException {
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		catch (UnsupportedOperationException ex) {
			Files.createFile(file);
		}
		Files.writeString(file, content);
	}

	private static SecretKey aesKey(byte[] bytes, String source) {
		if (bytes.length != 32) {
			throw new IllegalStateException(source + " must hold a base64 AES-256 key (32 bytes), not " + bytes.length);
		}
		return new SecretKeySpec(bytes, "AES");
	}

	/**
	 * Seals a session; two calls never return the same token, because each uses a fresh nonce.
	 * @return base64url without padding, safe in a query string
	 */
	String seal(StreamingSession session) {
		byte[] nonce = new byte[NONCE_BYTES];
		random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(ASSOCIATED_DATA);
			byte[] sealed = cipher.doFinal(mapper.writeValueAsBytes(session));
			ByteBuffer token = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length);
			token.put(VERSION).put(nonce).put(sealed);
			return Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM is not available", ex);
		}
	}

	/**
	 * Opens a token issued by {@link #seal(StreamingSession)} with the same key.
	 * @throws InvalidToken when the token was altered, garbled or made with another key
	 * @throws ExpiredToken when the session's expiry has passed on the clock
	 */
	StreamingSession open(String token) {
		byte[] bytes;
		try {
			bytes = Base64.getUrlDecoder().decode(token);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidToken();
		}
		if (bytes.length < 1 + NONCE_BYTES + TAG_BITS / 8 || bytes[0] != VERSION) {
			throw new InvalidToken();
		}
		StreamingSession session;
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 1, NONCE_BYTES));
			cipher.updateAAD(ASSOCIATED_DATA);
			byte[] plain = cipher.doFinal(bytes, 1 + NONCE_BYTES, bytes.length - 1 - NONCE_BYTES);
			session = mapper.readValue(plain, StreamingSession.class);
		}
		catch (GeneralSecurityException | JacksonException ex) {
			throw new InvalidToken();
		}
		if (!clock.instant().isBefore(session.expiresAt())) {
			throw new ExpiredToken();
		}
		return session;
	}

	/** Why a token was refused. */
	abstract static sealed class TokenRejected extends RuntimeException permits InvalidToken, ExpiredToken {

		TokenRejected(String message) {
			super(message, null, false, false);
		}

	}

	/** The token was altered, garbled, or sealed with another key. */
	static final class InvalidToken extends TokenRejected {

		InvalidToken() {
			super("The streaming session token is not valid.");
		}

	}

	/** The session's expiry has passed. */
	static final class ExpiredToken extends TokenRejected {

		ExpiredToken() {
			super("Streaming session token is expired.");
		}

	}

}
