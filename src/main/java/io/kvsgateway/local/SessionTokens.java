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

	/** The first byte of a {@link #sealCompact compact} token. */
	private static final byte COMPACT_VERSION = 2;

	/** Binds a token to its purpose, so a ciphertext made with the same key for anything else never opens here. */
	private static final byte[] ASSOCIATED_DATA = "kvs-gateway/streaming-session/v1".getBytes(StandardCharsets.UTF_8);

	/** The purpose of compact tokens: a session token's ciphertext never opens as one, nor the other way round. */
	private static final byte[] COMPACT_ASSOCIATED_DATA = "kvs-gateway/streaming-session-compact/v1"
		.getBytes(StandardCharsets.UTF_8);

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
		return seal(VERSION, ASSOCIATED_DATA, mapper.writeValueAsBytes(session));
	}

	/**
	 * Seals a session in a binary form a fraction of the size of {@link #seal}'s, for the URLs of a DASH manifest's
	 * init and media segments. Players size their buffers for those from the manifest URL's length (ffmpeg's DASH
	 * demuxer does), so the URLs a manifest names must be shorter than the manifest's own, whose token is the full
	 * one. Opens only where {@link #open(String, boolean)} allows compact tokens.
	 */
	String sealCompact(StreamingSession session) {
		return seal(COMPACT_VERSION, COMPACT_ASSOCIATED_DATA, CompactSession.encode(session));
	}

	private String seal(byte version, byte[] associatedData, byte[] plain) {
		byte[] nonce = new byte[NONCE_BYTES];
		random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associatedData);
			byte[] sealed = cipher.doFinal(plain);
			ByteBuffer token = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length);
			token.put(version).put(nonce).put(sealed);
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
		return open(token, false);
	}

	/**
	 * Opens a token issued by {@link #seal(StreamingSession)}, or with {@code compactAllowed} one issued by
	 * {@link #sealCompact(StreamingSession)}, with the same key.
	 * @throws InvalidToken when the token was altered, garbled, made with another key, or compact where not allowed
	 * @throws ExpiredToken when the session's expiry has passed on the clock
	 */
	StreamingSession open(String token, boolean compactAllowed) {
		byte[] bytes;
		try {
			bytes = Base64.getUrlDecoder().decode(token);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidToken();
		}
		if (bytes.length < 1 + NONCE_BYTES + TAG_BITS / 8
				|| (bytes[0] != VERSION && (bytes[0] != COMPACT_VERSION || !compactAllowed))) {
			throw new InvalidToken();
		}
		boolean compact = bytes[0] == COMPACT_VERSION;
		StreamingSession session;
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 1, NONCE_BYTES));
			cipher.updateAAD(compact ? COMPACT_ASSOCIATED_DATA : ASSOCIATED_DATA);
			byte[] plain = cipher.doFinal(bytes, 1 + NONCE_BYTES, bytes.length - 1 - NONCE_BYTES);
			session = compact ? CompactSession.decode(plain) : mapper.readValue(plain, StreamingSession.class);
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			// Also a JacksonException, or a compact session that does not decode: either way not a token of ours.
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
