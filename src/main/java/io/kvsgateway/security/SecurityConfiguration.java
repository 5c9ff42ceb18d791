package io.kvsgateway.security;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what. Viewers need scope {@code playback}, cameras {@code ingest}, operators {@code ops}; actuator
 * health and info and the viewer page's static files are public; everything else is denied unless a rule below lets
 * it through. The embedded KVS under {@code /kvs} has its own chain (SigV4 and session tokens), ordered before this
 * one.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String PLAYBACK = "SCOPE_playback";

	static final String OPS = "SCOPE_ops";

	/**
	 * Request metrics come from the HTTP server observation; per-filter security observations cost about a sixth of
	 * a session grant's CPU (measured with JFR under bench/playback-load.sh) and tell operators nothing more.
	 */
	@Bean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

	/** Caches verified tokens: a viewer's player renews sessions with the same JWT, and RSA verification is costly. */
	@Bean
	static BeanPostProcessor cachingJwtDecoders(ObjectProvider<Clock> clock) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				return bean instanceof JwtDecoder decoder && !(bean instanceof CachingJwtDecoder)
						? new CachingJwtDecoder(decoder, clock.getObject()) : bean;
			}
		};
	}

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE - 100)
	SecurityFilterChain gatewaySecurity(HttpSecurity http) throws Exception {
		ProblemSecurityHandlers problems = new ProblemSecurityHandlers();
		http.authorizeHttpRequests(requests -> requests
			// Probes: kubelets and load balancers call them without a token; details need scope ops.
			.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/livez", "/readyz").permitAll()
			.requestMatchers("/error").permitAll()
			// The viewer page (src/main/resources/static) and its player library: public files, no data in them.
			.requestMatchers(HttpMethod.GET, "/", "/index.html", "/viewer/**", "/webjars/**").permitAll()
			.requestMatchers("/actuator/**").hasAuthority(OPS)
			.requestMatchers("/v1/**").hasAuthority(PLAYBACK)
			.anyRequest().denyAll())
			.oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults())
				.authenticationEntryPoint(problems)
				.accessDeniedHandler(problems))
			.exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(problems)
				.accessDeniedHandler(problems))
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			// Bearer tokens only, no cookies: CSRF cannot ride on an ambient credential.
			.csrf(csrf -> csrf.disable())
			.requestCache(cache -> cache.disable())
			.anonymous(Customizer.withDefaults());
		return http.build();
	}

}
