package io.kvsgateway.local;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvsgateway.local.LocalFragmentStore.Fragment;
import io.kvsgateway.local.LocalFragmentStore.FragmentData;
import io.kvsgateway.local.LocalFragmentStore.StoredFragment;
import io.kvsgateway.local.LocalFragmentStore.Tag;

/**
 * One stream's fragments on disk (rolling append-only segment files plus one file per distinct stream header) and
 * the in-memory index over them; the format is described on {@link LocalFragmentStore}.
 * <p>
 * Appends are serialized by {@link #appendLock}; an index entry is published only after its record is forced to
 * disk, so readers never meet a half-written record. The index holds metadata and file positions, never payloads.
 */
final class FragmentLog {

	private static final Logger log = LoggerFactory.getLogger(FragmentLog.class);

	static final int MAGIC = 0x4B565346; // "KVSF"

	/** Magic, body length, CRC32C. */
	static final int PREAMBLE = 12;

	static final byte FORMAT_VERSION = 1;

	/** KVS caps a fragment at 50 MB; anything much larger in a length field is damage, not data. */
	static final int MAX_BODY = 64 * 1024 * 1024;

	static final Pattern SEGMENT_FILE = Pattern.compile("segment-(\\d{20})\\.log");

	static final Pattern HEADER_FILE = Pattern.compile("header-([0-9a-f]{64})\\.mkv");

	private static final int HASH_LENGTH = 32;

	private final String streamId;

	private final Path dir;

	private final long segmentSize;

	private final ReentrantLock appendLock = new ReentrantLock();

	private final ReentrantReadWriteLock indexLock = new ReentrantReadWriteLock();

	/** In fragment-number (append) order; guarded by {@link #indexLock}. */
	private final List<Entry> entries = new ArrayList<>();

	/** Guarded by {@link #indexLock}. */
	private final Map<String, Entry> byNumber = new HashMap<>();

	/** Guarded by {@link #appendLock}. */
	private final List<Segment> segments = new ArrayList<>();

	/** Hashes of the header files on disk; guarded by {@link #appendLock} for writes. */
	private final Set<String> headerHashes = ConcurrentHashMap.newKeySet();

	/** Headers are a few hundred bytes each and few per stream, so the ones read are kept. */
	private final Map<String, byte[]> headerCache = new ConcurrentHashMap<>();

	private long nextSegmentIndex = 1;

	private @Nullable FileChannel activeChannel;

	private boolean closed;

	private FragmentLog(String streamId, Path dir, long segmentSize) {
		this.streamId = streamId;
		this.dir = dir;
		this.segmentSize = segmentSize;
	}

	/**
	 * Opens a stream's log, rebuilding the index from its segments and dropping a torn tail (see
	 * {@link LocalFragmentStore} for the rule).
	 */
	static FragmentLog open(String streamId, Path dir, long segmentSize) {
		FragmentLog fragmentLog = new FragmentLog(streamId, dir, segmentSize);
		try {
			fragmentLog.load();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the fragments of stream " + streamId + " in " + dir, ex);
		}
		return fragmentLog;
	}

	private void load() throws IOException {
		if (!Files.isDirectory(dir)) {
			return;
		}
		List<Segment> found = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				Matcher segment = SEGMENT_FILE.matcher(name);
				Matcher header = HEADER_FILE.matcher(name);
				if (segment.matches()) {
					found.add(new Segment(Long.parseLong(segment.group(1)), file));
				}
				else if (header.matches()) {
					headerHashes.add(header.group(1));
				}
				else if (name.startsWith("header-") && name.endsWith(".tmp")) {
					// A header whose rename never happened; no record can reference it.
					Files.deleteIfExists(file);
				}
			}
		}
		found.sort(Comparator.comparingLong(Segment::index));
		for (int i = 0; i < found.size(); i++) {
			Segment segment = found.get(i);
			boolean active = i == found.size() - 1;
			scan(segment, active);
			if (segment.count == 0 && !active) {
				Files.deleteIfExists(segment.path);
				continue;
			}
			segments.add(segment);
			nextSegmentIndex = segment.index + 1;
		}
	}

	/**
	 * Indexes the records of one segment. Records of the active segment are checked against their CRC, because only
	 * there can a crash have cut one short; sealed segments were forced before the next one was created, so their
	 * framing is trusted and only the metadata is read (every read checks the CRC again anyway).
	 */
	private void scan(Segment segment, boolean active) throws IOException {
		try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ,
				StandardOpenOption.WRITE)) {
			long size = channel.size();
			long position = 0;
			while (position < size) {
				Scanned scanned = scanRecord(channel, position, size, active);
				if (scanned.problem() != null) {
					log.warn("Stream {}: dropping {} bytes at offset {} of {}: {} (a write cut short by a crash)",
							streamId, size - position, position, segment.path.getFileName(), scanned.problem());
					channel.truncate(position);
					channel.force(true);
					size = position;
					break;
				}
				Meta meta = scanned.meta();
				if (meta.headerHash() != null && !headerHashes.contains(meta.headerHash())) {
					log.warn("Stream {}: skipping fragment {} in {}: its stream header file is missing", streamId,
							meta.fragment().fragmentNumber(), segment.path.getFileName());
				}
				else {
					index(new Entry(meta.fragment(), meta.headerHash(), segment, position, scanned.length()));
				}
				position += scanned.length();
			}
			segment.size = size;
		}
	}

	private Scanned scanRecord(FileChannel channel, long position, long size, boolean verify) throws IOException {
		if (size - position < PREAMBLE + 4) {
			return Scanned.problem("short record preamble");
		}
		ByteBuffer preamble = readFully(channel, position, PREAMBLE + 4);
		if (preamble.getInt() != MAGIC) {
			return Scanned.problem("no record magic");
		}
		int bodyLength = preamble.getInt();
		int crc = preamble.getInt();
		int metaLength = preamble.getInt();
		if (bodyLength < 4 || bodyLength > MAX_BODY || metaLength < 0 || metaLength > bodyLength - 4) {
			return Scanned.problem("impossible record length");
		}
		if (size - position - PREAMBLE < bodyLength) {
			return Scanned.problem("record shorter than its length field");
		}
		ByteBuffer metaBytes;
		if (verify) {
			ByteBuffer body = readFully(channel, position + PREAMBLE, bodyLength);
			if (crc32c(body) != crc) {
				return Scanned.problem("CRC32C mismatch");
			}
			metaBytes = body.position(4).limit(4 + metaLength).slice();
		}
		else {
			metaBytes = readFully(channel, position + PREAMBLE + 4, metaLength);
		}
		try {
			return new Scanned(decodeMeta(metaBytes, bodyLength - 4 - metaLength), PREAMBLE + bodyLength, null);
		}
		catch (RuntimeException ex) {
			return Scanned.problem("unreadable metadata");
		}
	}

	/**
	 * Appends one fragment and forces it to disk before indexing it.
	 * @param numbers issues the fragment number for the server timestamp
	 * @param serverTimestamp when the fragment was received
	 */
	Fragment append(FragmentData data, Instant serverTimestamp, Function<Instant, String> numbers) {
		appendLock.lock();
		try {
			if (closed) {
				throw LocalStreams.notFound();
			}
			String headerHash = storeHeader(data.header());
			Fragment fragment = new Fragment(numbers.apply(serverTimestamp),
					data.producerTimestamp(), serverTimestamp,
					data.duration(), data.payload().length);
			byte[] meta = encodeMeta(fragment, headerHash, data.tags());
			int bodyLength = 4 + meta.length + data.payload().length;
			if (bodyLength > MAX_BODY) {
				throw new IllegalArgumentException("A fragment record is limited to " + MAX_BODY + " bytes");
			}
			CRC32C crc = new CRC32C();
			ByteBuffer metaLength = ByteBuffer.allocate(4).putInt(0, meta.length);
			crc.update(metaLength.duplicate());
			crc.update(meta);
			crc.update(data.payload());
			ByteBuffer preamble = ByteBuffer.allocate(PREAMBLE).putInt(MAGIC).putInt(bodyLength)
				.putInt((int) crc.getValue()).flip();
			ByteBuffer[] record = { preamble, metaLength, ByteBuffer.wrap(meta), ByteBuffer.wrap(data.payload()) };

			Segment segment = activeSegment();
			FileChannel channel = activeChannel;
			long offset = segment.size;
			try {
				channel.position(offset);
				long remaining = PREAMBLE + bodyLength;
				while (remaining > 0) {
					remaining -= channel.write(record);
				}
				// force(false) is fdatasync on Linux: it also flushes the file size, which reading the record back needs.
				channel.force(false);
			}
			catch (IOException ex) {
				abandon(channel, offset);
				throw new UncheckedIOException("Cannot store a fragment of stream " + streamId, ex);
			}
			segment.size = offset + PREAMBLE + bodyLength;
			index(new Entry(fragment, headerHash, segment, offset, PREAMBLE + bodyLength));
			return fragment;
		}
		finally {
			appendLock.unlock();
		}
	}

	/** Takes a failed write back, or, failing that, stops appending to that segment so the damage stays at its end. */
	private void abandon(FileChannel channel, long offset) {
		try {
			channel.truncate(offset);
			channel.force(true);
		}
		catch (IOException ex) {
			closeActive();
		}
	}

	/** Writes a header file once per distinct content: temp file, force, atomic rename, force the folder. */
	private @Nullable String storeHeader(byte[] header) {
		if (header.length == 0) {
			return null;
		}
		String hash = HexFormat.of().formatHex(sha256(header));
		if (headerHashes.contains(hash)) {
			return hash;
		}
		try {
			Files.createDirectories(dir);
			Path tmp = Files.createTempFile(dir, "header-", ".tmp");
			try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
				ByteBuffer buffer = ByteBuffer.wrap(header);
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
				channel.force(true);
			}
			Path target = dir.resolve("header-" + hash + ".mkv");
			try {
				Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
			}
			forceDirectory(dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot store a stream header of stream " + streamId, ex);
		}
		headerHashes.add(hash);
		headerCache.put(hash, header.clone());
		return hash;
	}

	/** The segment to append to, rolling to a new file once the current one reached the segment size. */
	private Segment activeSegment() {
		Segment last = segments.isEmpty() ? null : segments.getLast();
		if (last != null && activeChannel != null && last.size < segmentSize) {
			return last;
		}
		try {
			if (last != null && activeChannel == null && last.size < segmentSize && last.writable) {
				activeChannel = FileChannel.open(last.path, StandardOpenOption.WRITE);
				return last;
			}
			closeActive();
			if (last != null) {
				last.writable = false;
			}
			Files.createDirectories(dir);
			Segment segment = new Segment(nextSegmentIndex++, dir.resolve(segmentName(nextSegmentIndex - 1)));
			activeChannel = FileChannel.open(segment.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			forceDirectory(dir);
			segments.add(segment);
			return segment;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open a fragment segment of stream " + streamId, ex);
		}
	}

	static String segmentName(long index) {
		return "segment-%020d.log".formatted(index);
	}

	private void index(Entry entry) {
		indexLock.writeLock().lock();
		try {
			entries.add(entry);
			byNumber.put(entry.fragment().fragmentNumber(), entry);
			entry.segment().count++;
			Instant newest = entry.segment().newest;
			if (newest == null || entry.fragment().serverTimestamp().isAfter(newest)) {
				entry.segment().newest = entry.fragment().serverTimestamp();
			}
		}
		finally {
			indexLock.writeLock().unlock();
		}
	}

	/** The metadata of one fragment, from the index only (no disk read). */
	Optional<Fragment> find(String fragmentNumber) {
		indexLock.readLock().lock();
		try {
			Entry entry = byNumber.get(fragmentNumber);
			return (entry != null) ? Optional.of(entry.fragment()) : Optional.empty();
		}
		finally {
			indexLock.readLock().unlock();
		}
	}

	/** The fragment's metadata, payload and stream header, read from disk and checked against the record's CRC. */
	Optional<StoredFragment> read(String fragmentNumber) {
		Entry entry;
		indexLock.readLock().lock();
		try {
			entry = byNumber.get(fragmentNumber);
		}
		finally {
			indexLock.readLock().unlock();
		}
		if (entry == null) {
			return Optional.empty();
		}
		List<Tag> tags;
		byte[] payload;
		try (FileChannel channel = FileChannel.open(entry.segment().path, StandardOpenOption.READ)) {
			ByteBuffer preamble = readFully(channel, entry.offset(), PREAMBLE + 4);
			int bodyLength = entry.length() - PREAMBLE;
			int metaLength = (preamble.getInt() == MAGIC && preamble.getInt() == bodyLength) ? preamble.getInt(12) : -1;
			if (metaLength < 0 || metaLength > bodyLength - 4) {
				log.error("Stream {}: the record of fragment {} is damaged; not serving it", streamId, fragmentNumber);
				return Optional.empty();
			}
			int crc = preamble.getInt(8);
			ByteBuffer meta = readFully(channel, entry.offset() + PREAMBLE + 4, metaLength);
			// The payload is read straight into the array handed out, so a 50 MB fragment is not held twice.
			payload = new byte[bodyLength - 4 - metaLength];
			ByteBuffer payloadBuffer = ByteBuffer.wrap(payload);
			long position = entry.offset() + PREAMBLE + 4 + metaLength;
			while (payloadBuffer.hasRemaining()) {
				if (channel.read(payloadBuffer, position + payloadBuffer.position()) < 0) {
					throw new IOException("segment ends inside fragment " + fragmentNumber);
				}
			}
			CRC32C check = new CRC32C();
			check.update(preamble.position(12));
			check.update(meta.duplicate());
			check.update(payload);
			if ((int) check.getValue() != crc) {
				log.error("Stream {}: the record of fragment {} fails its CRC; not serving it", streamId,
						fragmentNumber);
				return Optional.empty();
			}
			tags = decodeTags(meta);
		}
		catch (NoSuchFileException ex) {
			// Removed by retention between the lookup and the read.
			return Optional.empty();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read fragment " + fragmentNumber + " of stream " + streamId, ex);
		}
		byte[] header = (entry.headerHash() != null) ? header(entry.headerHash()) : new byte[0];
		return Optional.of(new StoredFragment(entry.fragment(), payload, header, tags));
	}

	private byte[] header(String hash) {
		byte[] header = headerCache.computeIfAbsent(hash, h -> {
			try {
				return Files.readAllBytes(dir.resolve("header-" + h + ".mkv"));
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read a stream header of stream " + streamId, ex);
			}
		});
		return header.clone();
	}

	/** All fragments in fragment-number order. */
	List<Fragment> fragments() {
		return select(f -> true, null, Integer.MAX_VALUE);
	}

	/**
	 * Fragments matching a filter, in fragment-number order.
	 * @param after when set, only fragments with a greater fragment number
	 * @param limit the most to return
	 */
	List<Fragment> select(Predicate<Fragment> filter, @Nullable String after, int limit) {
		List<Fragment> selected = new ArrayList<>();
		indexLock.readLock().lock();
		try {
			for (Entry entry : entries) {
				if (selected.size() >= limit) {
					break;
				}
				Fragment fragment = entry.fragment();
				if ((after == null || LocalFragmentStore.compareNumbers(fragment.fragmentNumber(), after) > 0)
						&& filter.test(fragment)) {
					selected.add(fragment);
				}
			}
		}
		finally {
			indexLock.readLock().unlock();
		}
		return selected;
	}

	/** The newest {@code limit} fragments, oldest first, copying nothing else. */
	List<Fragment> newest(int limit) {
		indexLock.readLock().lock();
		try {
			int from = Math.max(0, entries.size() - limit);
			List<Fragment> newest = new ArrayList<>(entries.size() - from);
			for (Entry entry : entries.subList(from, entries.size())) {
				newest.add(entry.fragment());
			}
			return newest;
		}
		finally {
			indexLock.readLock().unlock();
		}
	}

	Optional<Fragment> newest() {
		indexLock.readLock().lock();
		try {
			return entries.isEmpty() ? Optional.empty() : Optional.of(entries.getLast().fragment());
		}
		finally {
			indexLock.readLock().unlock();
		}
	}

	/**
	 * Deletes every segment whose newest fragment (by server timestamp) is older than {@code cutoff}, and the stream
	 * headers no remaining fragment refers to.
	 * @return how many fragments were removed
	 */
	int expire(Instant cutoff) {
		appendLock.lock();
		try {
			if (closed) {
				return 0;
			}
			Set<Segment> expired = Collections.newSetFromMap(new IdentityHashMap<>());
			for (Segment segment : segments) {
				if (segment.count > 0 && segment.newest != null && segment.newest.isBefore(cutoff)) {
					expired.add(segment);
				}
			}
			if (expired.isEmpty()) {
				return 0;
			}
			int removed = 0;
			Set<String> referenced = new HashSet<>();
			indexLock.writeLock().lock();
			try {
				for (var it = entries.iterator(); it.hasNext();) {
					Entry entry = it.next();
					if (expired.contains(entry.segment())) {
						it.remove();
						byNumber.remove(entry.fragment().fragmentNumber());
						removed++;
					}
					else if (entry.headerHash() != null) {
						referenced.add(entry.headerHash());
					}
				}
			}
			finally {
				indexLock.writeLock().unlock();
			}
			if (!segments.isEmpty() && expired.contains(segments.getLast())) {
				closeActive();
			}
			for (Segment segment : expired) {
				segments.remove(segment);
				deleteQuietly(segment.path);
			}
			for (String hash : List.copyOf(headerHashes)) {
				if (!referenced.contains(hash)) {
					headerHashes.remove(hash);
					headerCache.remove(hash);
					deleteQuietly(dir.resolve("header-" + hash + ".mkv"));
				}
			}
			return removed;
		}
		finally {
			appendLock.unlock();
		}
	}

	/** Stops the log: later appends answer ResourceNotFoundException, reads find nothing. */
	void close() {
		appendLock.lock();
		try {
			closed = true;
			closeActive();
			indexLock.writeLock().lock();
			try {
				entries.clear();
				byNumber.clear();
			}
			finally {
				indexLock.writeLock().unlock();
			}
		}
		finally {
			appendLock.unlock();
		}
	}

	private void closeActive() {
		if (activeChannel != null) {
			try {
				activeChannel.close();
			}
			catch (IOException ex) {
				log.warn("Stream {}: could not close a segment: {}", streamId, ex.getMessage());
			}
			activeChannel = null;
			if (!segments.isEmpty()) {
				segments.getLast().writable = false;
			}
		}
	}

	private void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			log.warn("Stream {}: could not delete {}: {}", streamId, file, ex.getMessage());
		}
	}

	// Record codec

	private static byte[] encodeMeta(Fragment fragment, @Nullable String headerHash, List<Tag> tags) {
		var bytes = new ByteArrayOutputStream(128);
		try (var out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT_VERSION);
			writeString16(out, fragment.fragmentNumber());
			writeInstant(out, fragment.producerTimestamp());
			writeInstant(out, fragment.serverTimestamp());
			out.writeLong(fragment.duration().getSeconds());
			out.writeInt(fragment.duration().getNano());
			if (headerHash == null) {
				out.writeByte(0);
			}
			else {
				out.writeByte(HASH_LENGTH);
				out.write(HexFormat.of().parseHex(headerHash));
			}
			out.writeShort(tags.size());
			for (Tag tag : tags) {
				writeString16(out, tag.name());
				byte[] value = tag.value().getBytes(StandardCharsets.UTF_8);
				out.writeInt(value.length);
				out.write(value);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private static void writeString16(DataOutputStream out, String value) throws IOException {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > 0xFFFF) {
			throw new IllegalArgumentException("A fragment number or tag name is limited to 65535 bytes");
		}
		out.writeShort(bytes.length);
		out.write(bytes);
	}

	private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
		out.writeLong(instant.getEpochSecond());
		out.writeInt(instant.getNano());
	}

	private static Meta decodeMeta(ByteBuffer meta, long payloadLength) {
		if (meta.get() != FORMAT_VERSION) {
			throw new IllegalStateException("unknown record version");
		}
		String number = readString16(meta);
		Instant producer = Instant.ofEpochSecond(meta.getLong(), meta.getInt());
		Instant server = Instant.ofEpochSecond(meta.getLong(), meta.getInt());
		Duration duration = Duration.ofSeconds(meta.getLong(), meta.getInt());
		int hashLength = meta.get();
		String hash = null;
		if (hashLength == HASH_LENGTH) {
			byte[] raw = new byte[HASH_LENGTH];
			meta.get(raw);
			hash = HexFormat.of().formatHex(raw);
		}
		else if (hashLength != 0) {
			throw new IllegalStateException("bad header reference");
		}
		return new Meta(new Fragment(number, producer, server, duration, payloadLength), hash);
	}

	/** The tags follow the fixed-size part of the metadata; skip to them. */
	private static List<Tag> decodeTags(ByteBuffer meta) {
		meta.get();
		readString16(meta);
		meta.position(meta.position() + 12 + 12 + 12);
		int hashLength = meta.get();
		meta.position(meta.position() + hashLength);
		int count = Short.toUnsignedInt(meta.getShort());
		List<Tag> tags = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String name = readString16(meta);
			byte[] value = new byte[meta.getInt()];
			meta.get(value);
			tags.add(new Tag(name, new String(value, StandardCharsets.UTF_8)));
		}
		return List.copyOf(tags);
	}

	private static String readString16(ByteBuffer buffer) {
		byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
		buffer.get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(length);
		while (buffer.hasRemaining()) {
			if (channel.read(buffer, position + buffer.position()) < 0) {
				throw new BufferUnderflowException();
			}
		}
		return buffer.flip();
	}

	private static int crc32c(ByteBuffer buffer) {
		CRC32C crc = new CRC32C();
		crc.update(buffer);
		return (int) crc.getValue();
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A new or renamed file is durable only once its folder entry is. */
	private static void forceDirectory(Path dir) {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Not every platform can open a folder; the file itself is already forced.
		}
	}

	/** One segment file; its counters are guarded by the log's locks. */
	static final class Segment {

		private final long index;

		final Path path;

		long size;

		int count;

		@Nullable Instant newest;

		/** False once appending moved on to a later segment. */
		boolean writable = true;

		Segment(long index, Path path) {
			this.index = index;
			this.path = path;
		}

		long index() {
			return index;
		}

	}

	/** Index entry: metadata and where the record is; never the payload. */
	record Entry(Fragment fragment, @Nullable String headerHash, Segment segment, long offset, int length) {

	}

	private record Meta(Fragment fragment, @Nullable String headerHash) {

	}

	private record Scanned(@Nullable Meta meta, int length, @Nullable String problem) {

		static Scanned problem(String problem) {
			return new Scanned(null, 0, problem);
		}

	}

}
