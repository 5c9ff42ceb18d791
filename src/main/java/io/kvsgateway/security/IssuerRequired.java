package io.kvsgateway.security;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Fails start-up with a sentence instead of a missing-bean stack trace when the gateway talks to AWS but no token
 * issuer is configured: there are no development tokens outside embedded mode, so every request would be refused.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(IssuerRequired.AwsModeWithoutIssuer.class)
class IssuerRequired {

	@Bean
	JwtDecoder missingIssuer() {
		throw new IllegalStateException("gateway.kvs.mode=aws needs a token issuer: set "
				+ "spring.security.oauth2.resourceserver.jwt.issuer-uri (or jwk-set-uri) to your identity provider");
	}

	/** The opposite of {@link DevelopmentTokens.NoIssuerInEmbeddedMode} in its mode part. */
	static class AwsModeWithoutIssuer extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			if ("embedded".equalsIgnoreCase(context.getEnvironment().getProperty("gateway.kvs.mode", "embedded"))) {
				return ConditionOutcome.noMatch("embedded mode makes development tokens");
			}
			return DevelopmentTokens.NoIssuerInEmbeddedMode.issuerConfigured(context.getEnvironment())
					? ConditionOutcome.noMatch("a token issuer is configured")
					: ConditionOutcome.match("aws mode without a token issuer");
		}

	}

}
