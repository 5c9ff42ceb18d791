package io.kvsgateway.sigv4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256} in the {@code Authorization} header) on a received
 * request, the way a non-S3 AWS service does.
 * <p>
 * Usage:
 *
 * <pre>{@code
 * var verifier = new SigV4Verifier("kinesisvideo", key -> Optional.ofNullable(secrets.get(key)), clock);
 * switch (verifier.verify(new SigV4Verifier.Request("POST", "/kvs/createStream", null, headers::get,
 * 		SigV4Verifier.sha256Hex(body)))) {
 * 	case SigV4Verifier.Verified v -> proceed(v.accessKeyId());
 * 	case SigV4Verifier.Rejected r -> deny(r.reason(), r.message());
 * }
 * }</pre>
 */
public final class SigV4Verifier {

	/** The only signing algorithm SigV4 (header form) defines. */
	public static final String ALGORITHM = "AWS4-HMAC-SHA256";

	/** Payload hash a client sends when it chose not to sign the body. */
	public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

	/** Payload hash of chunk-signed uploads; PutMedia producers send it without per-chunk signatures. */
	public static final String STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

	/** SHA-256 of the empty string, which producer-c signs for the (streamed) PutMedia body. */
	public static final String EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	/** How far X-Amz-Date may be from the verifier's clock, as AWS services allow. */
	public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

	private static final Pattern AUTHORIZATION = Pattern.compile(
			"AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]+)\\s*");

	private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

	private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

	private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+");

	private final String service;

	private final Function<String, Optional<String>> secrets;

	private final Clock clock;

	/**
	 * Creates a verifier for one service signing name.
	 * @param service the signing name the credential scope must carry, e.g. {@code kinesisvideo}
	 * @param secrets looks up the secret access key of an access key id; empty when the key is unknown
	 * @param clock the time the request date is checked against
	 */
	public SigV4Verifier(String service, Function<String, Optional<String>> secrets, Clock clock) {
		this.service = Objects.requireNonNull(service);
		this.secrets = Objects.requireNonNull(secrets);
		this.clock = Objects.requireNonNull(clock);
	}

	/**
	 * Verifies one request.
	 * @param request must not be {@literal null}.
	 * @return {@link Verified} or {@link Rejected}, never {@literal null}.
	 */
	public Result verify(Request request) {
		String authorization = request.first("authorization");
		if (authorization == null || authorization.isBlank()) {
			return new Rejected(Reason.MISSING, "Missing Authentication Token");
		}
		Matcher m = AUTHORIZATION.matcher(authorization.trim());
		if (!m.matches()) {
			return new Rejected(Reason.MALFORMED,
					"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of algorithm "
							+ ALGORITHM + ".");
		}
		String[] credential = m.group(1).split("/", -1);
		if (credential.length != 5 || !"aws4_request".equals(credential[4])) {
			return new Rejected(Reason.MALFORMED, "Credential should be scoped to a valid region, service and date.");
		}
		String accessKeyId = credential[0];
		String scopeDate = credential[1];
		String region = credential[2];
		if (!service.equals(credential[3])) {
			return new Rejected(Reason.MALFORMED,
					"Credential should be scoped to correct service: '" + service + "'.");
		}
		List<String> signedHeaders = List.of(m.group(2).split(";"));
		if (!signedHeaders.contains("host")) {
			return new Rejected(Reason.MALFORMED, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
		}
		String amzDate = request.first("x-amz-date");
		if (amzDate == null) {
			return new Rejected(Reason.MALFORMED,
					"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
		}
		Instant requestTime;
		try {
			requestTime = LocalDateTime.parse(amzDate.trim(), AMZ_DATE).toInstant(ZoneOffset.UTC);
		}
		catch (DateTimeParseException ex) {
			return new Rejected(Reason.MALFORMED, "X-Amz-Date must be in ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.");
		}
		Instant now = clock.instant();
		if (requestTime.isBefore(now.minus(MAX_CLOCK_SKEW))) {
			return new Rejected(Reason.EXPIRED, "Signature expired: " + amzDate.trim() + " is now earlier than "
					+ AMZ_DATE.format(now.minus(MAX_CLOCK_SKEW).atOffset(ZoneOffset.UTC)) + " ("
					+ AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " - 5 min.)");
		}
		if (requestTime.isAfter(now.plus(MAX_CLOCK_SKEW))) {
			// AWS words a date too far ahead differently, with the same error type.
			return new Rejected(Reason.EXPIRED, "Signature not yet current: " + amzDate.trim()
					+ " is still later than " + AMZ_DATE.format(now.plus(MAX_CLOCK_SKEW).atOffset(ZoneOffset.UTC))
					+ " (" + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " + 5 min.)");
		}
		Optional<String> secret = secrets.apply(accessKeyId);
		if (secret.isEmpty()) {
			return new Rejected(Reason.UNKNOWN_KEY, "The security token included in the request is invalid.");
		}
		String payloadHash = payloadHash(request);
		if (payloadHash == null) {
			return new Rejected(Reason.BAD_SIGNATURE, "The provided 'x-amz-content-sha256' header does not match what was computed.");
		}
		String canonicalRequest = String.join("\n", request.method().toUpperCase(Locale.ROOT),
				canonicalUri(request.rawPath()), canonicalQuery(request.rawQuery()),
				canonicalHeaders(signedHeaders, request), String.join(";", signedHeaders), payloadHash);
		String scope = scopeDate + "/" + region + "/" + credential[3] + "/aws4_request";
		String stringToSign = String.join("\n", ALGORITHM, amzDate.trim(), scope, sha256Hex(utf8(canonicalRequest)));
		byte[] key = hmac(utf8("AWS4" + secret.get()), utf8(scopeDate));
		key = hmac(key, utf8(region));
		key = hmac(key, utf8(credential[3]));
		key = hmac(key, utf8("aws4_request"));
		byte[] expected = utf8(HexFormat.of().formatHex(hmac(key, utf8(stringToSign))));
		byte[] provided = utf8(m.group(3).toLowerCase(Locale.ROOT));
		// Constant time, so that the comparison does not leak how many leading characters matched.
		if (!MessageDigest.isEqual(expected, provided) || !amzDate.trim().startsWith(scopeDate)) {
			return new Rejected(Reason.BAD_SIGNATURE,
					"The request signature we calculated does not match the signature you provided. "
							+ "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
		}
		return new Verified(accessKeyId, region);
	}

	private static @Nullable String payloadHash(Request request) {
		String declared = request.first("x-amz-content-sha256");
		if (declared == null) {
			return request.payloadSha256();
		}
		declared = declared.trim();
		if (UNSIGNED_PAYLOAD.equals(declared) || STREAMING_PAYLOAD.equals(declared)
				|| EMPTY_PAYLOAD_SHA256.equals(declared)) {
			// Streamed uploads (PutMedia) sign one of these instead of a body the server has not read yet.
			return declared;
		}
		String lower = declared.toLowerCase(Locale.ROOT);
		return SHA256_HEX.matcher(lower).matches() && lower.equals(request.payloadSha256()) ? lower : null;
	}

	private static String canonicalHeaders(List<String> signedHeaders, Request request) {
		StringBuilder out = new StringBuilder();
		for (String name : signedHeaders) {
			List<String> values = request.headers().apply(name);
			List<String> normalized = new ArrayList<>();
			if (values != null) {
				for (String value : values) {
					normalized.add(WHITESPACE_RUN.matcher(value.trim()).replaceAll(" "));
				}
			}
			out.append(name).append(':').append(String.join(",", normalized)).append('\n');
		}
		return out.toString();
	}

	/** Non-S3 services encode the already-encoded path once more, segment by segment. */
	static String canonicalUri(@Nullable String rawPath) {
		if (rawPath == null || rawPath.isEmpty()) {
			return "/";
		}
		String[] segments = rawPath.split("/", -1);
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < segments.length; i++) {
			if (i > 0) {
				out.append('/');
			}
			out.append(encode(segments[i]));
		}
		String uri = out.toString();
		return uri.startsWith("/") ? uri : "/" + uri;
	}

	static String canonicalQuery(@Nullable String rawQuery) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return "";
		}
		List<Map.Entry<String, String>> params = new ArrayList<>();
		for (String pair : rawQuery.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String name = eq < 0 ? pair : pair.substring(0, eq);
			String value = eq < 0 ? "" : pair.substring(eq + 1);
			params.add(Map.entry(encode(decode(name)), encode(decode(value))));
		}
		params.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
		StringBuilder out = new StringBuilder();
		for (Map.Entry<String, String> p : params) {
			if (!out.isEmpty()) {
				out.append('&');
			}
			out.append(p.getKey()).append('=').append(p.getValue());
		}
		return out.toString();
	}

	/** RFC 3986 encoding as SigV4 defines it: everything but unreserved characters, as upper-case %XX. */
	private static String encode(String value) {
		StringBuilder out = new StringBuilder();
		for (byte b : utf8(value)) {
			char c = (char) (b & 0xff);
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
					|| c == '.' || c == '~') {
				out.append(c);
			}
			else {
				out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
			}
		}
		return out.toString();
	}

	/** Percent-decoding only; unlike form decoding a '+' stays a '+'. */
	private static String decode(String value) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '%' && i + 2 < value.length() && isHex(value.charAt(i + 1)) && isHex(value.charAt(i + 2))) {
				out.write(HexFormat.fromHexDigits(value, i + 1, i + 3));
				i += 2;
			}
			else {
				byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				out.write(bytes, 0, bytes.length);
			}
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	private static boolean isHex(char c) {
		return Character.digit(c, 16) >= 0;
	}

	/**
	 * Hex-encoded SHA-256 of a body, as the {@link Request#payloadSha256()} the verifier expects.
	 * @param body must not be {@literal null}.
	 * @return lower-case hex, never {@literal null}.
	 */
	public static String sha256Hex(byte[] body) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every JDK has SHA-256", ex);
		}
	}

	private static byte[] hmac(byte[] key, byte[] data) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(data);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Every JDK has HmacSHA256", ex);
		}
	}

	private static byte[] utf8(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * One received request as the verifier needs it.
	 * @param method the HTTP method
	 * @param rawPath the path exactly as received (still percent-encoded), e.g. {@code /kvs/createStream}
	 * @param rawQuery the query string exactly as received, without '?'; {@literal null} or empty when absent
	 * @param headers all values of a header by its name (looked up in lower case), in received order; may
	 * return {@literal null} or an empty list when absent
	 * @param payloadSha256 lower-case hex SHA-256 of the body; see {@link SigV4Verifier#sha256Hex(byte[])}
	 */
	public record Request(String method, String rawPath, @Nullable String rawQuery,
			Function<String, @Nullable List<String>> headers, String payloadSha256) {

		@Nullable String first(String name) {
			List<String> values = headers.apply(name);
			return (values == null || values.isEmpty()) ? null : values.get(0);
		}

	}

	/** The outcome of a verification. */
	public sealed interface Result permits Verified, Rejected {

	}

	/**
	 * The signature is valid.
	 * @param accessKeyId the access key that signed the request
	 * @param region the region of the credential scope
	 */
	public record Verified(String accessKeyId, String region) implements Result {

	}

	/**
	 * The signature is missing or invalid.
	 * @param reason why, to choose the AWS error name
	 * @param message an AWS-style message for the client
	 */
	public record Rejected(Reason reason, String message) implements Result {

	}

	/** Why a request was rejected, one per AWS common error. */
	public enum Reason {

		/** No Authorization header: AWS answers {@code MissingAuthenticationTokenException}. */
		MISSING("MissingAuthenticationTokenException"),
		/** Authorization header present but not parseable: {@code IncompleteSignatureException}. */
		MALFORMED("IncompleteSignatureException"),
		/** The access key id is not known: {@code UnrecognizedClientException}. */
		UNKNOWN_KEY("UnrecognizedClientException"),
		/** The signature or the declared payload hash does not match: {@code InvalidSignatureException}. */
		BAD_SIGNATURE("InvalidSignatureException"),
		/**
		 * X-Amz-Date is more than five minutes before or after the clock: {@code InvalidSignatureException}.
		 */
		EXPIRED("InvalidSignatureException");

		private final String errorType;

		Reason(String errorType) {
			this.errorType = errorType;
		}

		/**
		 * The AWS error name a service answers with.
		 * @return never {@literal null}.
		 */
		public String errorType() {
			return errorType;
		}

	}

}
