package io.kvsgateway.playback;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Service;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.kvs.PlaybackUrlIssuer;
import io.kvsgateway.kvs.PlaybackUrlRequest;
import io.kvsgateway.kvs.StreamDirectory;
import io.kvsgateway.kvs.StreamNames;
import io.kvsgateway.kvs.StreamSummary;
import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.AdmissionRequest;
import io.kvsgateway.quota.Decision;
import io.kvsgateway.quota.Lease;
import io.kvsgateway.quota.SessionProfile;
import io.kvsgateway.security.StreamAccess;

/**
 * Opens and ends viewers' playback sessions and tells viewers which streams they may watch. Every session is admitted
 * by the quota scheduler before KVS is asked for its URL, and holds its lease until it expires or its viewer ends it.
 */
@Service
class PlaybackManagement implements ActiveSessions {

	private final PlaybackUrlIssuer issuer;

	private final StreamDirectory directory;

	private final StreamAccess access;

	private final PlaybackSessions sessions;

	private final Admission admission;

	private final StreamShapes shapes;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	private final LoadingCache<Boolean, List<StreamSummary>> streamList;

	private final PlaybackMetrics metrics;

	PlaybackManagement(PlaybackUrlIssuer issuer, StreamDirectory directory, StreamAccess access,
			PlaybackSessions sessions, Admission admission, StreamShapes shapes, PlaybackProperties properties,
			Clock clock, PlaybackMetrics metrics) {
		this.issuer = issuer;
		this.metrics = metrics;
		this.admission = admission;
		this.shapes = shapes;
		this.directory = directory;
		this.access = access;
		this.sessions = sessions;
		this.clock = clock;
		// One entry: the whole list, refreshed at most every streamListTtl however many viewers ask.
		this.streamList = Caffeine.newBuilder()
			.expireAfterWrite(properties.streamListTtl())
			.build(any -> directory.streams());
	}

	/**
	 * @param viewer the caller's token
	 * @param streamName the path variable, not yet validated
	 * @param body the JSON body, {@literal null} when none was sent
	 * @return the granted session, never {@literal null}
	 */
	PlaybackSession open(Jwt viewer, String streamName, @Nullable Map<String, Object> body) {
		checkStreamName(streamName);
		if (!access.permits(viewer, streamName)) {
			throw new StreamForbidden(streamName);
		}
		Instant now = clock.instant();
		PlaybackUrlRequest request = PlaybackRequestRules.check(streamName, body, now);
		String sessionId = newSessionId();
		String subject = Objects.requireNonNullElse(viewer.getSubject(), "");
		Instant expiresAt = now.plusSeconds(request.expiresInSeconds());
		SessionProfile profile = SessionProfiles.of(request, shapes.of(streamName));
		Lease lease = switch (admission.admit(new AdmissionRequest(streamName, subject, sessionId, profile,
				expiresAt))) {
			case Decision.Granted granted -> granted.lease();
			case Decision.Rejected rejected ->
				throw new QuotaExhausted(streamName, rejected.budget(), rejected.retryAfter());
			case Decision.Unaffordable unaffordable ->
				throw new InvalidPlaybackRequest(List.of(SessionProfiles.unaffordable(profile, unaffordable)));
		};
		String url;
		try {
			url = issue(request);
		}
		catch (RuntimeException e) {
			// No URL, no player: the budget the session would have used is free again at once.
			admission.release(sessionId);
			throw e;
		}
		PlaybackSession session = new PlaybackSession(sessionId, subject, request, url, now, expiresAt, lease);
		sessions.add(session);
		return session;
	}

	private String issue(PlaybackUrlRequest request) {
		try {
			return timedIssue(request);
		}
		catch (KvsException.StreamNotFound notFound) {
			if (request.playbackMode() == PlaybackUrlRequest.PlaybackMode.LIVE) {
				// KVS answers ResourceNotFoundException both for an unknown stream and for a LIVE session on a stream
				// with no fragment in the last 30 s; describing the stream tells the viewer which one it is.
				directory.describe(request.streamName());
				throw new StreamIdle(request.streamName());
			}
			throw notFound;
		}
	}

	/** GetHLS/GetDASHStreamingSessionURL, counted and timed as CloudWatch's {@code .Requests/.Latency/.Success}. */
	private String timedIssue(PlaybackUrlRequest request) {
		PlaybackMetrics.Api api = request.protocol() == PlaybackUrlRequest.Protocol.DASH
				? PlaybackMetrics.Api.GET_DASH_STREAMING_SESSION_URL
				: PlaybackMetrics.Api.GET_HLS_STREAMING_SESSION_URL;
		long started = System.nanoTime();
		try {
			String url = issuer.issue(request);
			metrics.called(api, request.streamName(), System.nanoTime() - started, null);
			return url;
		}
		catch (RuntimeException e) {
			metrics.called(api, request.streamName(), System.nanoTime() - started, e);
			throw e;
		}
	}

	/**
	 * Ends the viewer's own session and frees its share of the stream's budgets; another viewer's session is reported
	 * as unknown, not as forbidden.
	 */
	void end(Jwt viewer, String sessionId) {
		PlaybackSession session = sessions.find(sessionId)
			.filter(s -> s.viewer().equals(viewer.getSubject()))
			.orElseThrow(() -> new SessionNotFound(sessionId));
		end(session);
	}

	@Override
	public List<ActiveSession> list() {
		return sessions.all()
			.stream()
			.map(s -> new ActiveSession(s.sessionId(), s.viewer(), s.request().streamName(),
					s.request().playbackMode().name(), s.request().protocol().name(), s.createdAt(), s.expiresAt()))
			.toList();
	}

	@Override
	public boolean end(String sessionId) {
		return sessions.find(sessionId).map(session -> {
			end(session);
			return true;
		}).orElse(false);
	}

	/** The one way a session ends early, whoever ends it: forgotten, and its lease released. */
	private void end(PlaybackSession session) {
		sessions.remove(session.sessionId());
		admission.release(session.sessionId());
	}

	List<StreamSummary> streams(Jwt viewer) {
		Predicate<String> covered = access.covered(viewer);
		return streamList.get(Boolean.TRUE).stream().filter(s -> covered.test(s.streamName())).toList();
	}

	private String newSessionId() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	static void checkStreamName(String streamName) {
		if (!PlaybackRequestRules.isValidStreamName(streamName)) {
			throw new InvalidPlaybackRequest(
					List.of(new InvalidPlaybackRequest.Violation("streamName", StreamNames.RULE)));
		}
	}

	/** The viewer's token does not cover the stream. */
	static final class StreamForbidden extends RuntimeException {

		StreamForbidden(String streamName) {
			super("The token does not cover stream " + streamName, null, false, false);
		}

	}

	/** The stream exists but KVS has had no media for it in the last 30 s, so LIVE has nothing to play. */
	static final class StreamIdle extends RuntimeException {

		private final String streamName;

		StreamIdle(String streamName) {
			super("Stream " + streamName + " has had no media in the last 30 seconds, so there is nothing to play live;"
					+ " ask for LIVE_REPLAY or ON_DEMAND, or retry when the camera sends again", null, false, false);
			this.streamName = streamName;
		}

		String streamName() {
			return streamName;
		}

	}

	/** No session with that id belongs to the viewer. */
	static final class SessionNotFound extends RuntimeException {

		SessionNotFound(String sessionId) {
			super("No such playback session is open for this viewer", null, false, false);
		}

	}

}
