package io.kvsgateway.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.web.SecurityFilterChain;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;

/**
 * Development tokens for the embedded mode: with no token issuer configured, the gateway makes its own RSA key (held
 * only in memory), validates tokens signed with it, and prints a viewer, a camera and an ops token plus a curl command
 * at start-up. Never active when an issuer is configured or in aws mode.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DevelopmentTokens.NoIssuerInEmbeddedMode.class)
class DevelopmentTokens {

	static final String ISSUER = "urn:kvs-gateway:development";

	private final KeyPair keys;

	private final NimbusJwtEncoder encoder;

	private final SecurityProperties properties;

	private final Clock clock;

	private final Environment environment;

	DevelopmentTokens(SecurityProperties properties, Clock clock, Environment environment)
			throws NoSuchAlgorithmException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		this.keys = generator.generateKeyPair();
		RSAKey jwk = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).privateKey((RSAPrivateKey) keys.getPrivate())
			.keyID(UUID.randomUUID().toString())
			.build();
		this.encoder = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(jwk)));
		this.properties = properties;
		this.clock = clock;
		this.environment = environment;
	}

	/**
	 * The viewer page's development sign-in needs no token: {@link DevelopmentTokenController} decides who is answered.
	 * A chain of its own, so that the gateway's chain does not know the path in modes where it does not exist.
	 */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE - 150)
	SecurityFilterChain developmentTokenSecurity(HttpSecurity http) throws Exception {
		http.securityMatcher(DevelopmentTokenController.PATH)
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf(csrf -> csrf.disable())
			.requestCache(cache -> cache.disable());
		return http.build();
	}

	@Bean
	JwtDecoder developmentJwtDecoder() {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey((RSAPublicKey) keys.getPublic()).build();
		return decoder;
	}

	String mint(String subject, String scope, List<String> streams) {
		return mintToken(subject, scope, streams).token();
	}

	/** @return a fresh viewer token covering every stream, as printed at start-up; what the viewer page signs in with */
	Minted viewer() {
		return mintToken("development-viewer", "playback", List.of("*"));
	}

	private Minted mintToken(String subject, String scope, List<String> streams) {
		Instant now = clock.instant();
		Instant expiresAt = now.plus(properties.developmentTokenValidity());
		JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
			.issuer(ISSUER)
			.subject(subject)
			.issuedAt(now)
			.expiresAt(expiresAt)
			.claim("scope", scope);
		if (!streams.isEmpty()) {
			claims.claim(properties.streamsClaim(), streams);
		}
		JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).build();
		return new Minted(encoder.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue(), expiresAt);
	}

	/**
	 * A signed development token.
	 *
	 * @param token the compact JWT
	 * @param expiresAt its {@code exp}
	 */
	record Minted(String token, Instant expiresAt) {
	}

	/**
	 * Printed on standard output, not through the logger: these are development credentials a person copies, and
	 * they must not end up in log aggregation.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void printTokens() {
		String viewer = viewer().token();
		String camera = mint("development-camera", "ingest", List.of("*"));
		String ops = mint("development-operator", "ops", List.of());
		String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
		String contextPath = environment.getProperty("server.servlet.context-path", "");
		System.out.printf("""

				================ kvs-gateway development tokens ================
				No token issuer is configured, so this embedded-mode gateway signs its own tokens with a key
				that lives only in this process (valid %s; set spring.security.oauth2.resourceserver.jwt.issuer-uri
				to use your identity provider instead).
				viewer (scope playback, streams *):
				%s
				camera (scope ingest, streams *):
				%s
				operator (scope ops):
				%s
				Try it:
				curl -H 'Authorization: Bearer %s' http://localhost:%s%s/v1/streams
				=================================================================

				""", properties.developmentTokenValidity(), viewer, camera, ops, viewer, port, contextPath);
	}

	/** Embedded mode (the default) and none of Spring Boot's JWT issuer properties set. */
	static class NoIssuerInEmbeddedMode extends SpringBootCondition {

		private static final List<String> ISSUER_PROPERTIES = List.of(
				"spring.security.oauth2.resourceserver.jwt.issuer-uri",
				"spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
				"spring.security.oauth2.resourceserver.jwt.public-key-location");

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment env = context.getEnvironment();
			if (!"embedded".equalsIgnoreCase(env.getProperty("gateway.kvs.mode", "embedded"))) {
				return ConditionOutcome.noMatch("gateway.kvs.mode is not embedded");
			}
			return issuerConfigured(env) ? ConditionOutcome.noMatch("a token issuer is configured")
					: ConditionOutcome.match("embedded mode without a token issuer");
		}

		static boolean issuerConfigured(Environment env) {
			return ISSUER_PROPERTIES.stream().anyMatch(env::containsProperty);
		}

	}

}
