package io.kvsgateway.security;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * Which streams a token covers: its streams claim lists names or {@code *}-patterns ({@code lobby-*}, {@code *}).
 * A token without the claim covers no stream.
 */
@Component
public class StreamAccess {

	private final String claim;

	StreamAccess(SecurityProperties properties) {
		this.claim = properties.streamsClaim();
	}

	/**
	 * @param token the caller's validated JWT, must not be {@literal null}
	 * @param streamName a valid stream name
	 * @return whether the token covers the stream
	 */
	public boolean permits(Jwt token, String streamName) {
		return covered(token).test(streamName);
	}

	/**
	 * @param token the caller's validated JWT, must not be {@literal null}
	 * @return a test for the streams the token covers, never {@literal null}
	 */
	public Predicate<String> covered(Jwt token) {
		List<String> patterns = patterns(token.getClaims().get(claim));
		return stream -> {
			for (String pattern : patterns) {
				if (matches(pattern, stream)) {
					return true;
				}
			}
			return false;
		};
	}

	private static List<String> patterns(Object value) {
		if (value instanceof Collection<?> values) {
			return values.stream().filter(String.class::isInstance).map(String.class::cast).toList();
		}
		if (value instanceof String text) {
			return List.of(text.trim().split("[\\s,]+"));
		}
		return List.of();
	}

	/**
	 * Glob match where {@code *} stands for any run of characters. One backtrack point bounds the work by
	 * pattern length times name length; no regular expression is ever built from token contents.
	 */
	static boolean matches(String pattern, String name) {
		int p = 0;
		int n = 0;
		int star = -1;
		int resume = 0;
		while (n < name.length()) {
			if (p < pattern.length() && pattern.charAt(p) == '*') {
				star = p++;
				resume = n;
			}
			else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
				p++;
				n++;
			}
			else if (star >= 0) {
				p = star + 1;
				n = ++resume;
			}
			else {
				return false;
			}
		}
		while (p < pattern.length() && pattern.charAt(p) == '*') {
			p++;
		}
		return p == pattern.length() && !pattern.isEmpty();
	}

}
