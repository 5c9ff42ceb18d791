package io.kvsgateway.playback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

/**
 * The sessions the gateway handed out, each kept until its URL expires or its viewer ends it. Bounded, so a flood of
 * requests cannot exhaust memory.
 */
@Component
class PlaybackSessions {

	private final Cache<String, PlaybackSession> sessions;

	private final Clock clock;

	PlaybackSessions(PlaybackProperties properties, Clock clock) {
		this.clock = clock;
		this.sessions = Caffeine.newBuilder()
			.maximumSize(properties.maxSessions())
			.ticker(() -> clock.millis() * 1_000_000)
			.expireAfter(Expiry.<String, PlaybackSession>creating(
					(id, session) -> Duration.between(clock.instant(), session.expiresAt())))
			.build();
	}

	void add(PlaybackSession session) {
		sessions.put(session.sessionId(), session);
	}

	Optional<PlaybackSession> find(String sessionId) {
		return Optional.ofNullable(sessions.getIfPresent(sessionId))
			.filter(session -> session.expiresAt().isAfter(clock.instant()));
	}

	void remove(String sessionId) {
		sessions.invalidate(sessionId);
	}

	/** @return the unexpired sessions, oldest first */
	List<PlaybackSession> all() {
		Instant now = clock.instant();
		return sessions.asMap()
			.values()
			.stream()
			.filter(session -> session.expiresAt().isAfter(now))
			.sorted(Comparator.comparing(PlaybackSession::createdAt).thenComparing(PlaybackSession::sessionId))
			.toList();
	}

	long size() {
		sessions.cleanUp();
		return sessions.estimatedSize();
	}

}
