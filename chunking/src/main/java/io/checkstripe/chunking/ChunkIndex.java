package io.checkstripe.chunking;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import io.checkstripe.core.DurableFiles;

/**
 * What a publisher knows of its application's previous checkpoint, so the next one sends only new chunks:
 * the id of that checkpoint (the base), the {@link ChunkIds#keyId()} its ids were computed under, where each
 * of its chunks is stored, and how many chunk bytes each source delta holds. The last lets
 * {@link DeltaStream} see which old deltas the base still uses only a little of ({@link #liveShare}) and send
 * their chunks again, so retention can drop them.
 *
 * <p>File format, version 1 (big-endian):
 * <pre>
 *   magic "CSCI" (4) | version 1 (1) | key id length (1) | key id (ASCII) | base checkpoint id (8)
 *   | source count (4) | per source: checkpoint id (8), chunk bytes of its delta (8)
 *   | chunk count (4) | per chunk: id (32), source (8), offset (8), stored length (4), raw length (4),
 *     compressed (1) | CRC32C of all bytes before it (4)
 * </pre>
 * Written streamed to a temp file that is forced and renamed over the target ({@link DurableFiles#moveDurably}),
 * so an index of millions of chunks is never a second copy in memory and a crash leaves the old or the new file.
 *
 * <p>Memory: a hash map of one entry per distinct chunk. Immutable and thread-safe.
 */
public final class ChunkIndex {

    /** The {@link #baseCheckpointId()} of an empty index. */
    public static final long NO_BASE = -1;

    static final int MAGIC = 0x43534349; // "CSCI"
    static final int VERSION = 1;
    private static final int MAX_KEY_ID_LENGTH = 64;
    private static final int SOURCE_BYTES = 16;
    private static final int CHUNK_BYTES = ChunkId.LENGTH + 25;

    private final long baseCheckpointId;
    private final String keyId;
    private final Map<ChunkId, ChunkLocation> locations;
    private final Map<Long, Long> deltaLengths;
    private final Map<Long, Long> liveBytes;

    /**
     * Takes ownership of the maps, which the caller no longer changes.
     *
     * @throws IllegalArgumentException when a chunk lies in a source without a delta length or beyond it
     */
    ChunkIndex(long baseCheckpointId, String keyId, Map<ChunkId, ChunkLocation> locations, Map<Long, Long> deltaLengths) {
        if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH || !StandardCharsets.US_ASCII.newEncoder().canEncode(keyId)) {
            throw new IllegalArgumentException("a key id is 1 to " + MAX_KEY_ID_LENGTH + " ASCII characters, got '" + keyId + "'");
        }
        this.baseCheckpointId = baseCheckpointId;
        this.keyId = keyId;
        this.locations = locations;
        this.deltaLengths = deltaLengths;
        this.liveBytes = new HashMap<>();
        for (ChunkLocation l : locations.values()) {
            Long length = deltaLengths.get(l.source());
            if (length == null || l.end() > length) {
                throw new IllegalArgumentException("a chunk at " + l.offset() + ".." + l.end() + " of source " + l.source()
                        + " lies outside that source's " + (length == null ? "unknown" : length + " bytes of") + " chunks");
            }
            liveBytes.merge(l.source(), (long) l.storedLength(), Long::sum);
        }
    }

    /** An index that knows no chunk, for a first checkpoint or after a lost or corrupt index. */
    public static ChunkIndex empty(String keyId) {
        return new ChunkIndex(NO_BASE, keyId, Map.of(), Map.of());
    }

    /** The checkpoint this index describes, or {@link #NO_BASE}. */
    public long baseCheckpointId() {
        return baseCheckpointId;
    }

    /** The {@link ChunkIds#keyId()} of the ids this index holds. */
    public String keyId() {
        return keyId;
    }

    /** The number of distinct chunks. */
    public int size() {
        return locations.size();
    }

    /** Where chunk {@code id} is stored, if the base checkpoint holds it. */
    public Optional<ChunkLocation> find(ChunkId id) {
        return Optional.ofNullable(locations.get(id));
    }

    ChunkLocation get(ChunkId id) {
        return locations.get(id);
    }

    /** Each source checkpoint the base references, with the chunk bytes its delta holds (read-only). */
    public Map<Long, Long> deltaLengths() {
        return Collections.unmodifiableMap(deltaLengths);
    }

    /**
     * The share of {@code source}'s chunk bytes that the base checkpoint references, 0 to 1; 0 for a source
     * it does not reference.
     */
    public double liveShare(long source) {
        Long length = deltaLengths.get(source);
        return length == null || length == 0 ? 0 : liveBytes.getOrDefault(source, 0L) / (double) length;
    }

    /** Writes the index to {@code target} durably: a crash leaves the old file or the new one. */
    public void write(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path temp = abs.resolveSibling(abs.getFileName() + ".tmp");
        byte[] key = keyId.getBytes(StandardCharsets.US_ASCII);
        long bytes = 4 + 1 + 1 + key.length + 8 + 4 + (long) SOURCE_BYTES * deltaLengths.size() + 4
                + (long) CHUNK_BYTES * locations.size() + 4;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            CheckedOutputStream checked = new CheckedOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), new CRC32C());
            DataOutputStream out = new DataOutputStream(checked);
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeByte(key.length);
            out.write(key);
            out.writeLong(baseCheckpointId);
            out.writeInt(deltaLengths.size());
            for (Map.Entry<Long, Long> e : deltaLengths.entrySet()) {
                out.writeLong(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(locations.size());
            byte[] idBytes = new byte[ChunkId.LENGTH];
            ByteBuffer idBuffer = ByteBuffer.wrap(idBytes);
            for (Map.Entry<ChunkId, ChunkLocation> e : locations.entrySet()) {
                idBuffer.clear();
                e.getKey().write(idBuffer);
                out.write(idBytes);
                ChunkLocation l = e.getValue();
                out.writeLong(l.source());
                out.writeLong(l.offset());
                out.writeInt(l.storedLength());
                out.writeInt(l.rawLength());
                out.writeBoolean(l.compressed());
            }
            out.writeInt((int) checked.getChecksum().getValue());
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw DurableFiles.writeFailure(target, bytes, e);
        }
        DurableFiles.moveDurably(temp, abs);
    }

    /**
     * Reads an index {@link #write} wrote.
     *
     * @throws CorruptChunkIndexException when the file is not a whole, valid index
     * @throws java.nio.file.NoSuchFileException when there is no such file
     */
    public static ChunkIndex read(Path file) throws IOException {
        long size = Files.size(file);
        CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                new CRC32C());
        try (DataInputStream in = new DataInputStream(checked)) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new CorruptChunkIndexException(file, String.format("bad magic 0x%08x, expected CSCI", magic));
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new CorruptChunkIndexException(file, "unsupported version " + version + ", this reader knows " + VERSION);
            }
            byte[] key = new byte[in.readUnsignedByte()];
            in.readFully(key);
            long base = in.readLong();
            // counts are bounded by the file's size before anything is allocated for them
            int sources = count(file, in.readInt(), SOURCE_BYTES, size, "source");
            Map<Long, Long> deltaLengths = new HashMap<>();
            for (int i = 0; i < sources; i++) {
                long source = in.readLong();
                if (deltaLengths.put(source, in.readLong()) != null) {
                    throw new CorruptChunkIndexException(file, "source " + source + " is listed twice");
                }
            }
            int chunks = count(file, in.readInt(), CHUNK_BYTES, size, "chunk");
            Map<ChunkId, ChunkLocation> locations = new HashMap<>(chunks * 4 / 3 + 1);
            byte[] idBytes = new byte[ChunkId.LENGTH];
            for (int i = 0; i < chunks; i++) {
                in.readFully(idBytes);
                ChunkLocation location = location(file, in, i);
                if (locations.put(ChunkId.of(idBytes), location) != null) {
                    throw new CorruptChunkIndexException(file, "chunk " + i + " repeats an earlier chunk's id");
                }
            }
            int computed = (int) checked.getChecksum().getValue();
            int stored = in.readInt();
            if (stored != computed) {
                throw new CorruptChunkIndexException(file, String.format("CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                        stored, computed));
            }
            if (in.read() >= 0) {
                throw new CorruptChunkIndexException(file, "bytes follow the CRC32C");
            }
            return new ChunkIndex(base, new String(key, StandardCharsets.US_ASCII), locations, deltaLengths);
        } catch (EOFException e) {
            throw new CorruptChunkIndexException(file, "truncated: " + size + " bytes end inside the index", e);
        } catch (IllegalArgumentException e) {
            throw new CorruptChunkIndexException(file, e.getMessage(), e);
        }
    }

    private static int count(Path file, int count, int bytesEach, long fileSize, String what) {
        if (count < 0 || (long) count * bytesEach > fileSize) {
            throw new CorruptChunkIndexException(file, "a " + what + " count of " + count + " does not fit in "
                    + fileSize + " bytes");
        }
        return count;
    }

    private static ChunkLocation location(Path file, DataInputStream in, int index) throws IOException {
        long source = in.readLong();
        long offset = in.readLong();
        int stored = in.readInt();
        int raw = in.readInt();
        int compressed = in.readUnsignedByte();
        if (compressed > 1) {
            throw new CorruptChunkIndexException(file, "chunk " + index + " has compressed flag " + compressed);
        }
        return new ChunkLocation(source, offset, stored, raw, compressed == 1);
    }
}
