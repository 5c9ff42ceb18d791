package io.kvsgateway.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The streams of the embedded service, kept in memory and persisted one folder per stream so that they survive a
 * restart.
 */
class LocalStreams {

	private static final Logger log = LoggerFactory.getLogger(LocalStreams.class);

	static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,256}");

	static final Pattern STREAM_ARN = Pattern
		.compile("arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:stream/([a-zA-Z0-9_.-]{1,256})/([0-9]{1,20})");

	private static final Pattern STREAM_ID = Pattern.compile("[0-9]{1,20}");

	private static final String STREAM_FILE = "stream.json";

	private static final SecureRandom random = new SecureRandom();

	private final Map<String, LocalStream> byName = new ConcurrentHashMap<>();

	private final Path streamsDir;

	private final LocalProperties properties;

	private final JsonMapper mapper;

	private final Clock clock;

	private long lastStreamId;

	LocalStreams(LocalProperties properties, JsonMapper mapper, Clock clock) {
		this.properties = properties;
		this.mapper = mapper;
		this.clock = clock;
		this.streamsDir = properties.dataDir().resolve("streams");
		load();
	}

	private void load() {
		try {
			Files.createDirectories(streamsDir);
			try (DirectoryStream<Path> dirs = Files.newDirectoryStream(streamsDir)) {
				for (Path dir : dirs) {
					String id = dir.getFileName().toString();
					if (!Files.isDirectory(dir) || !STREAM_ID.matcher(id).matches()) {
						continue;
					}
					Optional<LocalStream> stream = read(dir.resolve(STREAM_FILE), id);
					stream.ifPresent(s -> {
						byName.put(s.streamName(), s);
						lastStreamId = Math.max(lastStreamId, Long.parseLong(s.streamId()));
					});
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the embedded KVS streams under " + streamsDir, ex);
		}
		log.info("Embedded KVS loaded {} stream(s) from {}", byName.size(), streamsDir);
	}

	/** A torn or foreign file must never be served, but must not stop the service from starting either. */
	private Optional<LocalStream> read(Path file, String folderId) {
		try {
			JsonNode n = mapper.readTree(Files.readAllBytes(file));
			LocalStream stream = new LocalStream(n.required("StreamId").stringValue(),
					n.required("StreamName").stringValue(), n.required("StreamARN").stringValue(),
					optional(n, "DeviceName"), optional(n, "MediaType"), optional(n, "KmsKeyId"),
					n.required("Version").stringValue(), n.required("Status").stringValue(),
					Instant.ofEpochMilli(n.required("CreationTimeMillis").longValue()),
					n.required("DataRetentionInHours").intValue());
			Matcher arn = STREAM_ARN.matcher(stream.streamArn());
			if (!folderId.equals(stream.streamId()) || !STREAM_NAME.matcher(stream.streamName()).matches()
					|| !arn.matches() || !arn.group(1).equals(stream.streamName())
					|| !arn.group(2).equals(stream.streamId())) {
				throw new IllegalStateException("inconsistent stream metadata");
			}
			return Optional.of(stream);
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Skipping unreadable stream metadata {}: {}", file, ex.getMessage());
			return Optional.empty();
		}
	}

	private static @Nullable String optional(JsonNode node, String name) {
		JsonNode value = node.get(name);
		return (value == null || value.isNull()) ? null : value.stringValue();
	}

	synchronized LocalStream create(String name, @Nullable String deviceName, @Nullable String mediaType,
			@Nullable String kmsKeyId, int retentionHours) {
		requireValidName(name, "StreamName");
		if (byName.containsKey(name)) {
			throw KvsError.resourceInUse("The stream " + name + " already exists.");
		}
		Instant now = clock.instant();
		// The id doubles as the ARN suffix (creation millis); bump it so two streams created within one
		// millisecond, or after the clock went back, never share a folder.
		long id = Math.max(now.toEpochMilli(), lastStreamId + 1);
		lastStreamId = id;
		String arn = "arn:aws:kinesisvideo:" + properties.region() + ":" + properties.accountId() + ":stream/" + name
				+ "/" + id;
		String kms = (kmsKeyId != null) ? kmsKeyId
				: "arn:aws:kms:" + properties.region() + ":" + properties.accountId() + ":alias/aws/kinesisvideo";
		LocalStream stream = new LocalStream(Long.toString(id), name, arn, deviceName, mediaType, kms, newVersion(),
				LocalStream.ACTIVE, now, retentionHours);
		write(stream);
		byName.put(name, stream);
		return stream;
	}

	synchronized LocalStream updateRetention(LocalStream current, String expectedVersion, int newHours) {
		LocalStream latest = byName.get(current.streamName());
		if (latest == null || !latest.streamId().equals(current.streamId())) {
			throw notFound();
		}
		if (!latest.version().equals(expectedVersion)) {
			throw KvsError.versionMismatch("The stream version " + KvsRequest.printable(expectedVersion)
					+ " does not match the current version of the stream.");
		}
		LocalStream updated = latest.withRetention(newHours, newVersion());
		write(updated);
		byName.put(updated.streamName(), updated);
		return updated;
	}

	synchronized void delete(LocalStream stream, @Nullable String expectedVersion) {
		LocalStream latest = byName.get(stream.streamName());
		if (latest == null || !latest.streamId().equals(stream.streamId())) {
			throw notFound();
		}
		if (expectedVersion != null && !latest.version().equals(expectedVersion)) {
			throw KvsError.versionMismatch("The stream version " + KvsRequest.printable(expectedVersion)
					+ " does not match the current version of the stream.");
		}
		byName.remove(latest.streamName());
		deleteFolder(streamsDir.resolve(latest.streamId()));
	}

	/** Streams sorted by name, as ListStreams pages them. */
	List<LocalStream> all() {
		List<LocalStream> streams = new ArrayList<>(byName.values());
		streams.sort(Comparator.comparing(LocalStream::streamName));
		return streams;
	}

	Optional<LocalStream> findByName(String name) {
		return Optional.ofNullable(byName.get(name));
	}

	/**
	 * Resolves the StreamName/StreamARN pair most APIs take: one of them, or both naming the same stream.
	 * @throws KvsError InvalidArgumentException for a bad pair, ResourceNotFoundException for an unknown stream
	 */
	LocalStream resolve(@Nullable String name, @Nullable String arn) {
		String wanted = requireValidReference(name, arn);
		LocalStream stream = byName.get(wanted);
		if (stream == null || (arn != null && !arn.equals(stream.streamArn()))) {
			// An ARN of a deleted-and-recreated stream names a stream that no longer exists.
			throw notFound();
		}
		return stream;
	}

	/**
	 * Checks the format of a StreamName/StreamARN pair without looking the stream up.
	 * @return the stream name the pair designates
	 */
	static String requireValidReference(@Nullable String name, @Nullable String arn) {
		if (name == null && arn == null) {
			throw KvsError.invalidArgument("Either StreamName or StreamARN must be specified.");
		}
		if (name != null) {
			requireValidName(name, "StreamName");
		}
		if (arn == null) {
			return name;
		}
		Matcher m = STREAM_ARN.matcher(arn);
		if (arn.length() > 1024 || !m.matches()) {
			throw KvsError.invalidArgument("1 validation error detected: Value '" + KvsRequest.printable(arn)
					+ "' at 'streamARN' failed to satisfy constraint: Member must be a valid stream ARN.");
		}
		if (name != null && !name.equals(m.group(1))) {
			throw KvsError.invalidArgument("StreamName and StreamARN do not refer to the same stream.");
		}
		return m.group(1);
	}

	static void requireValidName(String name, String field) {
		if (!STREAM_NAME.matcher(name).matches()) {
			throw KvsError.invalidArgument("1 validation error detected: Value '" + KvsRequest.printable(name)
					+ "' at '" + field + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
					+ "[a-zA-Z0-9_.-]+ and have length between 1 and 256.");
		}
	}

	static KvsError notFound() {
		return KvsError.resourceNotFound("The requested stream is not found or not active.");
	}

	private static String newVersion() {
		byte[] bytes = new byte[10];
		random.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/** Temp file, fsync, atomic rename: a crash leaves either the old or the new file, never half of one. */
	private void write(LocalStream stream) {
		ObjectNode n = mapper.createObjectNode();
		n.put("StreamId", stream.streamId());
		n.put("StreamName", stream.streamName());
		n.put("StreamARN", stream.streamArn());
		n.put("DeviceName", stream.deviceName());
		n.put("MediaType", stream.mediaType());
		n.put("KmsKeyId", stream.kmsKeyId());
		n.put("Version", stream.version());
		n.put("Status", stream.status());
		n.put("CreationTimeMillis", stream.creationTime().toEpochMilli());
		n.put("DataRetentionInHours", stream.dataRetentionInHours());
		Path dir = streamsDir.resolve(stream.streamId());
		try {
			Files.createDirectories(dir);
			Path tmp = Files.createTempFile(dir, STREAM_FILE, ".tmp");
			try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				channel.write(ByteBuffer.wrap(mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
				channel.force(true);
			}
			try {
				Files.move(tmp, dir.resolve(STREAM_FILE), StandardCopyOption.ATOMIC_MOVE,
						StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(tmp, dir.resolve(STREAM_FILE), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot persist stream metadata in " + dir, ex);
		}
	}

	private static void deleteFolder(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (var paths = Files.walk(dir)) {
			for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(p);
			}
		}
		catch (IOException ex) {
			// The stream is already gone from memory; a leftover folder is skipped or overwritten later.
			log.warn("Could not remove {} completely: {}", dir, ex.getMessage());
		}
	}

}
