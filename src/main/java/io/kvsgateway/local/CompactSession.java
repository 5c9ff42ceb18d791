package io.kvsgateway.local;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.kvsgateway.local.StreamingSession.ContainerFormat;
import io.kvsgateway.local.StreamingSession.DiscontinuityMode;
import io.kvsgateway.local.StreamingSession.Display;
import io.kvsgateway.local.StreamingSession.FragmentSelectorType;
import io.kvsgateway.local.StreamingSession.PlaybackMode;
import io.kvsgateway.local.StreamingSession.Protocol;

/**
 * A {@link StreamingSession} as a few bytes instead of JSON, for {@link SessionTokens#sealCompact}: strings
 * length-prefixed, enums as one byte each (ordinal + 1, 0 for absent: append new constants only), instants as
 * seconds and nanoseconds. Every field is kept, so whatever opens a compact token sees the very session of the full
 * one.
 */
final class CompactSession {

	private static final byte FORMAT = 1;

	private CompactSession() {
	}

	static byte[] encode(StreamingSession session) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT);
			string(out, session.sessionId());
			string(out, session.streamName());
			string(out, session.streamId());
			out.writeByte(code(session.protocol()));
			out.writeByte(code(session.playbackMode()));
			out.writeByte(code(session.fragmentSelectorType()));
			out.writeByte(code(session.containerFormat()));
			out.writeByte(code(session.discontinuityMode()));
			out.writeByte(code(session.displayFragmentTimestamp()));
			out.writeByte(code(session.displayFragmentNumber()));
			out.writeInt(session.maxFragmentResults());
			optionalInstant(out, session.startTimestamp());
			optionalInstant(out, session.endTimestamp());
			instant(out, session.issuedAt());
			instant(out, session.expiresAt());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/** @throws RuntimeException when the bytes are not an encoded session */
	static StreamingSession decode(byte[] bytes) {
		ByteBuffer in = ByteBuffer.wrap(bytes);
		if (in.get() != FORMAT) {
			throw new IllegalArgumentException("Unknown compact session format");
		}
		String sessionId = string(in);
		String streamName = string(in);
		String streamId = string(in);
		Protocol protocol = required(Protocol.class, in.get());
		PlaybackMode mode = required(PlaybackMode.class, in.get());
		FragmentSelectorType selector = required(FragmentSelectorType.class, in.get());
		ContainerFormat container = optional(ContainerFormat.class, in.get());
		DiscontinuityMode discontinuity = optional(DiscontinuityMode.class, in.get());
		Display timestamps = required(Display.class, in.get());
		Display numbers = optional(Display.class, in.get());
		int maxResults = in.getInt();
		Instant start = optionalInstant(in);
		Instant end = optionalInstant(in);
		Instant issuedAt = instant(in);
		Instant expiresAt = instant(in);
		if (in.hasRemaining()) {
			throw new IllegalArgumentException("Trailing bytes after a compact session");
		}
		return new StreamingSession(sessionId, streamName, streamId, protocol, mode, selector, start, end, container,
				discontinuity, timestamps, numbers, maxResults, issuedAt, expiresAt);
	}

	private static void string(DataOutputStream out, String value) throws IOException {
		byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
		out.writeShort(utf8.length);
		out.write(utf8);
	}

	private static String string(ByteBuffer in) {
		byte[] utf8 = new byte[Short.toUnsignedInt(in.getShort())];
		in.get(utf8);
		return new String(utf8, StandardCharsets.UTF_8);
	}

	private static int code(@Nullable Enum<?> value) {
		return (value != null) ? value.ordinal() + 1 : 0;
	}

	private static <E extends Enum<E>> @Nullable E optional(Class<E> type, byte code) {
		return (code == 0) ? null : type.getEnumConstants()[code - 1];
	}

	private static <E extends Enum<E>> E required(Class<E> type, byte code) {
		E value = optional(type, code);
		if (value == null) {
			throw new IllegalArgumentException("Missing " + type.getSimpleName());
		}
		return value;
	}

	private static void instant(DataOutputStream out, Instant instant) throws IOException {
		out.writeLong(instant.getEpochSecond());
		out.writeInt(instant.getNano());
	}

	private static void optionalInstant(DataOutputStream out, @Nullable Instant instant) throws IOException {
		out.writeBoolean(instant != null);
		if (instant != null) {
			instant(out, instant);
		}
	}

	private static Instant instant(ByteBuffer in) {
		return Instant.ofEpochSecond(in.getLong(), in.getInt());
	}

	private static @Nullable Instant optionalInstant(ByteBuffer in) {
		return (in.get() != 0) ? instant(in) : null;
	}

}
