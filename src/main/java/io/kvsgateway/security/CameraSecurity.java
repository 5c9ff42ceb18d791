package io.kvsgateway.security;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

import io.kvsgateway.sigv4.SigV4Verifier;

/**
 * Who may send media: the camera paths ({@code /putMedia}, {@code /describeStream}, {@code /getDataEndpoint},
 * {@code /createStream}, {@code /tagStream}) have
 * their own chain, ordered before the gateway's, accepting either a JWT with scope {@code ingest} whose streams claim
 * covers the stream, or SigV4 with a camera key from {@code gateway.security.cameras}. The stream is the
 * {@code x-amzn-stream-name} header of PutMedia (whose body is never buffered: its signature covers headers only) or
 * the {@code StreamName} of the JSON body of the others. Every refusal happens before the controller runs, so before a
 * byte of media is read or stored.
 * <p>
 * Refusals use KVS's error envelope rather than RFC 9457, because the clients here are KVS producers: they act on the
 * status and the {@code x-amzn-ErrorType} header. No credentials: 401 {@code MissingAuthenticationTokenException}; a
 * bad token: 401 {@code NotAuthorizedException}; a bad signature: 403 with the AWS type SigV4 would give
 * ({@code InvalidSignatureException}, {@code UnrecognizedClientException}); a valid camera on a stream it does not
 * own, or a token without scope {@code ingest}: 403 {@code NotAuthorizedException}, the type KVS SDKs model for "not
 * authorized to perform this operation", so that a producer stops rather than retries against the same answer.
 */
@Configuration(proxyBeanMethods = false)
class CameraSecurity {

	static final String INGEST = "SCOPE_ingest";

	/**
	 * The camera surface. {@code /createStream} and {@code /tagStream} are here so that a camera may create or tag
	 * only a stream it covers; whether it may at all is {@code gateway.ingest.allow-create-stream}, checked later.
	 */
	static final String[] PATHS = { "/putMedia", "/describeStream", "/getDataEndpoint", "/createStream", "/tagStream" };

	/** Largest JSON body of the camera's control-plane calls that is buffered to find its StreamName. */
	static final int MAX_JSON_BODY = 64 * 1024;

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE - 200)
	SecurityFilterChain cameraFilterChain(HttpSecurity http, StreamAccess access, SecurityProperties properties,
			Clock clock) throws Exception {
		Map<String, SecurityProperties.Camera> cameras = properties.cameras()
			.stream()
			.collect(Collectors.toUnmodifiableMap(SecurityProperties.Camera::accessKeyId, Function.identity()));
		SigV4Verifier verifier = new SigV4Verifier("kinesisvideo",
				key -> Optional.ofNullable(cameras.get(key)).map(SecurityProperties.Camera::secretAccessKey), clock);
		CameraErrors errors = new CameraErrors();
		http.securityMatcher(PATHS)
			.addFilterBefore(new CameraAuthenticationFilter(verifier, cameras, MAX_JSON_BODY, errors),
					BearerTokenAuthenticationFilter.class)
			.authorizeHttpRequests(requests -> requests.anyRequest().access(new CameraStreamAuthorization(access)))
			.oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults())
				.authenticationEntryPoint(errors)
				.accessDeniedHandler(errors))
			.exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(errors).accessDeniedHandler(errors))
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			// Bearer tokens and signatures only, no cookies: CSRF cannot ride on an ambient credential.
			.csrf(csrf -> csrf.disable())
			.requestCache(cache -> cache.disable())
			.anonymous(Customizer.withDefaults());
		return http.build();
	}

}
