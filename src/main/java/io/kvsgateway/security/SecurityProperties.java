package io.kvsgateway.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

/**
 * Settings of viewer, camera and ops authentication ({@code gateway.security.*}). The token issuer itself is
 * configured with Spring Boot's {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}.
 *
 * @param streamsClaim name of the JWT claim that lists the streams a token covers (names or {@code *}-patterns, as a
 * JSON array or a space-separated string)
 * @param developmentTokenValidity lifetime of the development tokens printed at start-up when no issuer is configured
 * in embedded mode
 * @param cameras cameras that sign with SigV4 instead of presenting a JWT, each with its own access key and the
 * streams it may write; none by default
 */
@ConfigurationProperties("gateway.security")
@Validated
record SecurityProperties(@NotBlank String streamsClaim, Duration developmentTokenValidity,
		List<@Valid Camera> cameras) {

	SecurityProperties {
		streamsClaim = streamsClaim == null ? "streams" : streamsClaim;
		developmentTokenValidity = developmentTokenValidity == null ? Duration.ofHours(12) : developmentTokenValidity;
		cameras = cameras == null ? List.of() : List.copyOf(cameras);
	}

	/**
	 * One SigV4 camera ({@code gateway.security.cameras[*]}).
	 *
	 * @param accessKeyId the access key id the camera signs with
	 * @param secretAccessKey its secret; never logged
	 * @param streams the stream names or {@code *}-patterns the camera may write
	 */
	record Camera(@NotBlank String accessKeyId, @NotBlank String secretAccessKey, List<String> streams) {

		Camera {
			streams = streams == null ? List.of() : List.copyOf(streams);
		}

		@Override
		public String toString() {
			return "Camera[accessKeyId=" + accessKeyId + ", secretAccessKey=***, streams=" + streams + "]";
		}

	}

}
