package io.kvsgateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Hands the development viewer token to the viewer page, so that a developer who opens {@code http://localhost:8080/}
 * on the machine running an embedded-mode gateway is signed in without copying the token from the console. It exists
 * only while {@link DevelopmentTokens} does (embedded mode, no issuer) and answers only a browser on the same machine:
 * anything else is told 404, as if the endpoint did not exist.
 */
@RestController
@Conditional(DevelopmentTokens.NoIssuerInEmbeddedMode.class)
class DevelopmentTokenController {

	static final String PATH = "/v1/development-token";

	/** Headers a reverse proxy adds: behind one, the loopback peer address says nothing about the real client. */
	private static final List<String> PROXY_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
			"X-Real-IP");

	private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\\]?");

	private final DevelopmentTokens tokens;

	DevelopmentTokenController(DevelopmentTokens tokens) {
		this.tokens = tokens;
	}

	@GetMapping(path = PATH, produces = "application/json")
	ResponseEntity<DevelopmentToken> token(HttpServletRequest request) {
		if (!fromThisMachine(request)) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND);
		}
		DevelopmentTokens.Minted minted = tokens.viewer();
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			.body(new DevelopmentToken(minted.token(), minted.expiresAt()));
	}

	/**
	 * The peer is a loopback address, no proxy forwarded the request, and the browser addressed this machine by a
	 * loopback name: the last rule keeps a web page that rebinds its own DNS name to 127.0.0.1 from reading the token.
	 */
	static boolean fromThisMachine(HttpServletRequest request) {
		if (PROXY_HEADERS.stream().anyMatch(name -> request.getHeader(name) != null)) {
			return false;
		}
		return isLoopback(request.getRemoteAddr()) && isLoopbackName(request.getServerName());
	}

	private static boolean isLoopbackName(@Nullable String host) {
		if (host == null) {
			return false;
		}
		String name = host.toLowerCase(Locale.ROOT);
		return name.equals("localhost") || name.endsWith(".localhost") || isLoopback(name);
	}

	/** Only IP literals are parsed, so that no name is ever looked up in DNS. */
	private static boolean isLoopback(@Nullable String address) {
		if (address == null || !IP_LITERAL.matcher(address).matches()) {
			return false;
		}
		String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
				: address;
		try {
			return InetAddress.getByName(bare).isLoopbackAddress();
		}
		catch (UnknownHostException e) {
			return false;
		}
	}

	/**
	 * A viewer token (scope {@code playback}, every stream).
	 *
	 * @param token the bearer token
	 * @param expiresAt when it stops being accepted
	 */
	record DevelopmentToken(String token, Instant expiresAt) {
	}

}
