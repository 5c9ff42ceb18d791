package io.kvsgateway.local;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;
import io.kvsgateway.media.Track;

/** Sessions, fragments, tracks and a settable clock for the unit tests of HLS and DASH serving. */
final class PlaybackFixtures {

	static final Instant T0 = Instant.parse("2026-03-04T05:06:07Z");

	private PlaybackFixtures() {
	}

	/** A session with the API pages' defaults, issued at {@link #T0}, for 12 hours. */
	static Session session(Protocol protocol, PlaybackMode mode) {
		return new Session(protocol, mode);
	}

	/** Fragment {@code n}: number {@code 1000+n}, the given timestamps, 1 s long. */
	static Fragment fragment(int n, Instant producer, Instant server) {
		return fragment(n, producer, server, Duration.ofSeconds(1));
	}

	static Fragment fragment(int n, Instant producer, Instant server, Duration duration) {
		return new Fragment(Integer.toString(1000 + n), producer, server, duration, 1000);
	}

	static Track video(long number) {
		return new Track(number, 1, Track.Type.VIDEO, "V_MPEG4/ISO/AVC", ByteBuffer.wrap(new byte[] { 1, 2, 3 }), "",
				new Track.Video(320, 180), null);
	}

	static Track audio(long number) {
		return new Track(number, 2, Track.Type.AUDIO, "A_AAC", ByteBuffer.wrap(new byte[] { 0x11, (byte) 0x88 }), "",
				null, new Track.Audio(48_000, 1));
	}

	static PlaybackTracks.Playable playableVideo(long number) {
		return new PlaybackTracks.Playable(video(number), "avc1.64000d", 90_000, 400_000);
	}

	static PlaybackTracks.Playable playableAudio(long number) {
		return new PlaybackTracks.Playable(audio(number), "mp4a.40.2", 48_000, 64_000);
	}

	/** A builder over StreamingSession's many components. */
	static final class Session {

		Protocol protocol;

		PlaybackMode mode;

		FragmentSelectorType selector = FragmentSelectorType.SERVER_TIMESTAMP;

		@Nullable Instant start;

		@Nullable Instant end;

		@Nullable ContainerFormat container;

		@Nullable DiscontinuityMode discontinuity;

		Display timestamps = Display.NEVER;

		@Nullable Display numbers;

		int max;

		Session(Protocol protocol, PlaybackMode mode) {
			this.protocol = protocol;
			this.mode = mode;
			this.max = (mode == PlaybackMode.ON_DEMAND) ? 1000 : 5;
			if (protocol == Protocol.HLS) {
				container = ContainerFormat.FRAGMENTED_MP4;
				discontinuity = DiscontinuityMode.ALWAYS;
			}
			else {
				numbers = Display.NEVER;
			}
		}

		Session producer() {
			selector = FragmentSelectorType.PRODUCER_TIMESTAMP;
			if (protocol == Protocol.HLS) {
				discontinuity = DiscontinuityMode.NEVER;
			}
			return this;
		}

		Session range(@Nullable Instant start, @Nullable Instant end) {
			this.start = start;
			this.end = end;
			return this;
		}

		Session container(ContainerFormat container) {
			this.container = container;
			return this;
		}

		Session discontinuity(DiscontinuityMode discontinuity) {
			this.discontinuity = discontinuity;
			return this;
		}

		Session timestamps(Display display) {
			this.timestamps = display;
			return this;
		}

		Session numbers(Display display) {
			this.numbers = display;
			return this;
		}

		Session max(int max) {
			this.max = max;
			return this;
		}

		StreamingSession build() {
			return new StreamingSession("session-1", "cam", "1234", protocol, mode, selector, start, end, container,
					discontinuity, timestamps, numbers, max, T0, T0.plus(Duration.ofHours(12)));
		}

	}

	/** A clock the test sets. */
	static final class SettableClock extends Clock {

		volatile Instant now;

		SettableClock(Instant now) {
			this.now = now;
		}

		void set(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return now;
		}

	}

}
