package io.kvsgateway.local;

import java.time.Clock;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.server.observation.ServerRequestObservationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.application.DiskSpaceHealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.util.unit.DataSize;

import io.kvsgateway.sigv4.SigV4Verifier;

/**
 * Wires the embedded KVS-compatible service under {@code /kvs}; active unless {@code gateway.kvs.mode} says
 * otherwise.
 * <p>
 * Every bean is declared here rather than component-scanned, so that the one condition switches the whole service
 * off in {@code aws} mode; only the controller and its advice are scanned (Spring MVC needs the stereotype) and
 * carry the same condition.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
class LocalKvsConfiguration {

	@Bean
	LocalStreams localStreams(LocalProperties properties, JsonMapper mapper, Clock clock) {
		return new LocalStreams(properties, mapper, clock);
	}

	@Bean
	LocalFragmentStore localFragmentStore(LocalStreams streams, Clock clock, LocalProperties properties) {
		return new LocalFragmentStore(streams, clock, properties.dataDir().resolve("streams"),
				properties.segmentSize().toBytes());
	}

	/** Readiness: the embedded store's streams directory is there and writable. */
	@Bean
	EmbeddedStoreHealthIndicator embeddedStoreHealthIndicator(LocalProperties properties) {
		return new EmbeddedStoreHealthIndicator(properties.dataDir().resolve("streams"));
	}

	/**
	 * Replaces Spring Boot's {@code diskSpace} indicator (which watches the working directory) with one on the
	 * embedded store's data directory, where fragments are written; the threshold is still
	 * {@code management.health.diskspace.threshold} (default 10MB). Readiness includes it, so a full volume takes the
	 * replica out of the load balancer before PutMedia starts failing.
	 */
	@Bean
	DiskSpaceHealthIndicator diskSpaceHealthIndicator(LocalProperties properties, Environment environment) {
		DataSize threshold = Binder.get(environment)
			.bind("management.health.diskspace.threshold", DataSize.class)
			.orElse(DataSize.ofMegabytes(10));
		return new DiskSpaceHealthIndicator(properties.dataDir().toAbsolutePath().toFile(), threshold);
	}

	@Bean
	RetentionSweeper localRetentionSweeper(LocalFragmentStore fragments, LocalProperties properties) {
		return new RetentionSweeper(fragments, properties.retentionSweepInterval());
	}

	@Bean
	SessionTokens localSessionTokens(LocalProperties properties, Clock clock) {
		return SessionTokens.fromSettings(properties, clock);
	}

	/** Streams whose quota windows and counts are tracked at once; each costs about 4 KB while it is busy. */
	static final int MAX_QUOTA_STREAMS = 10_000;

	@Bean
	LocalQuotas localQuotas(LocalProperties properties, Clock clock, ObjectProvider<MeterRegistry> meters) {
		return new LocalQuotas(clock, properties.quotas().limits(), Boolean.TRUE.equals(properties.enforceQuotas()),
				MAX_QUOTA_STREAMS, meters.getIfAvailable());
	}

	@Bean
	ControlPlane localControlPlane(LocalStreams streams, LocalFragmentStore fragments, LocalQuotas quotas) {
		return new ControlPlane(streams, fragments, quotas);
	}

	@Bean
	ArchivedMedia localArchivedMedia(LocalStreams streams, LocalFragmentStore fragments, SessionTokens tokens,
			Clock clock, LocalProperties properties, LocalQuotas quotas) {
		return new ArchivedMedia(streams, fragments, tokens, clock, properties.liveWindow(), quotas);
	}

	/** Packaged HLS/DASH segments kept in memory: fragments never change, so a segment is packaged once. */
	static final long SEGMENT_CACHE_BYTES = 256L * 1024 * 1024;

	/** Sessions whose request rates and live positions are tracked at once. */
	static final int MAX_PLAYBACK_SESSIONS = 100_000;

	@Bean
	MediaPackaging localMediaPackaging() {
		return MediaPackaging.WRITERS;
	}

	@Bean
	StreamingResources localStreamingResources(LocalStreams streams, LocalFragmentStore fragments,
			SessionTokens tokens, MediaPackaging packaging, Clock clock, LocalProperties properties,
			LocalQuotas quotas) {
		// Every HLS/DASH resource passes the limiter, which also charges the stream's fragment quotas.
		SessionRateLimiter limiter = new SessionRateLimiter(clock, MAX_PLAYBACK_SESSIONS, quotas,
				Boolean.TRUE.equals(properties.enforceQuotas()));
		return new StreamingResources(streams, fragments, tokens, new PlaybackSelection(clock), packaging, limiter, clock, SEGMENT_CACHE_BYTES,
				MAX_PLAYBACK_SESSIONS);
	}

	@Bean
	MediaConnections localMediaConnections() {
		return new MediaConnections();
	}

	@Bean
	PutMediaIngest localPutMediaIngest(LocalStreams streams, LocalFragmentStore fragments,
			MediaConnections connections, LocalQuotas quotas, Clock clock, LocalProperties properties) {
		return new PutMediaIngest(streams, fragments, connections, quotas, clock, properties.maxFragmentSize().toBytes(),
				properties.putMedia());
	}

	@Bean
	MediaOutput localMediaOutput(LocalStreams streams, LocalFragmentStore fragments, MediaConnections connections,
			LocalQuotas quotas, Clock clock, LocalProperties properties) {
		return new MediaOutput(streams, fragments, connections, quotas, clock, properties.getMediaIdleTimeout());
	}

	@Bean
	FilterRegistrationBean<SigV4AuthenticationFilter> localSigV4Filter(LocalProperties properties, Clock clock) {
		String keyId = properties.accessKeyId();
		String secret = properties.secretAccessKey();
		SigV4Verifier verifier = new SigV4Verifier("kinesisvideo",
				id -> keyId.equals(id) ? Optional.of(secret) : Optional.empty(), clock);
		var registration = new FilterRegistrationBean<>(
				new SigV4AuthenticationFilter(verifier, properties.maxRequestBody().toBytes()));
		registration.addUrlPatterns("/kvs/*");
		registration.setName("localKvsSigV4Filter");
		return registration;
	}

	/**
	 * The embedded service answers the gateway's own SDK calls in this process; timing each of them as an HTTP server
	 * request doubled the observation work of every viewer request and would mix KVS calls into the gateway's
	 * request metrics.
	 */
	@Bean
	ObservationPredicate localKvsRequestsUnobserved() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& request.getCarrier().getRequestURI().startsWith(request.getCarrier().getContextPath() + "/kvs/"));
	}

	/**
	 * SigV4 and session tokens authenticate {@code /kvs/**}, not JWTs or sessions, so Spring Security lets it
	 * through; the chain comes first so the gateway's own chains never see this surface.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain localKvsSecurityFilterChain(HttpSecurity http) {
		return http.securityMatcher("/kvs/**")
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.csrf(AbstractHttpConfigurer::disable)
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache(AbstractHttpConfigurer::disable)
			// Nothing here reads a security context or renders a page: skip the filters that would only cost time.
			.securityContext(AbstractHttpConfigurer::disable)
			.anonymous(AbstractHttpConfigurer::disable)
			.headers(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.build();
	}

}
