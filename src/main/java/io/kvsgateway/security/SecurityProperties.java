package io.kvsgateway.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotBlank;

/**
 * Settings of viewer, camera and ops authentication ({@code gateway.security.*}). The token issuer itself is
 * configured with Spring Boot's {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}.
 *
 * @param streamsClaim name of the JWT claim that lists the streams a token covers (names or {@code *}-patterns, as a
 * JSON array or a space-separated string)
 * @param developmentTokenValidity lifetime of the development tokens printed at start-up when no issuer is configured
 * in embedded mode
 */
@ConfigurationProperties("gateway.security")
@Validated
record SecurityProperties(@NotBlank String streamsClaim, Duration developmentTokenValidity) {

	SecurityProperties {
		streamsClaim = streamsClaim == null ? "streams" : streamsClaim;
		developmentTokenValidity = developmentTokenValidity == null ? Duration.ofHours(12) : developmentTokenValidity;
	}

}
