package io.checkstripe.chunking;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * The ordered chunk list of one checkpoint's content: where each chunk lives (this checkpoint's delta or an
 * earlier one's, a base), so the restorer can assemble the content from the deltas. It holds no chunk ids, so
 * the servers that store it learn nothing of which chunks are equal to which.
 *
 * <p>Binary format, version 1 (big-endian fixed-width fields, LEB128 varints):
 * <pre>
 *   magic "CSRC" (4) | version 1 (1) | flags (1; bit 0: body is one zstd frame)
 *   | body length before compression (4) | stored body length (4) | stored body | CRC32C (4)
 *
 *   body: content length (varint) | content SHA-256 (32) | entry count (varint) | runs, until that many entries
 *   run:  source delta from the previous run's source, zigzag (varint; the first from 0) | offset (varint)
 *         | entries in the run (varint) | per entry: stored length &lt;&lt; 1 | compressed (varint),
 *         and for a compressed entry its raw length (varint)
 * </pre>
 * A run is a sequence of entries from one source at contiguous offsets, so a run of unchanged or of new chunks
 * costs a few bytes per chunk. The CRC32C covers every byte before it. Lengths are bounded before anything is
 * allocated ({@link #MAX_BODY_LENGTH}), and a reader checks that the entries add up to the content length.
 *
 * <p>Immutable and thread-safe.
 *
 * @param contentLength the content's length in bytes, the sum of the entries' raw lengths
 * @param contentSha256 the SHA-256 of the content
 * @param entries       the content's chunks in order
 */
public record Recipe(long contentLength, byte[] contentSha256, List<ChunkLocation> entries) {

    /** The largest recipe body, before or after compression, a reader accepts: 256 MiB. */
    public static final int MAX_BODY_LENGTH = 256 << 20;

    static final int MAGIC = 0x43535243; // "CSRC"
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 14;
    static final int CRC_LENGTH = 4;
    private static final int FLAG_ZSTD = 1;
    private static final int BODY_ZSTD_LEVEL = 3;
    private static final long MAX_OFFSET = 1L << 62;

    /** @throws IllegalArgumentException when the hash is not 32 bytes or the entries do not add up to the length */
    public Recipe {
        contentSha256 = contentSha256.clone();
        entries = List.copyOf(entries);
        if (contentSha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes, got " + contentSha256.length);
        }
        long sum = 0;
        for (ChunkLocation e : entries) {
            sum += e.rawLength();
        }
        if (sum != contentLength) {
            throw new IllegalArgumentException("the entries hold " + sum + " bytes, not the content length " + contentLength);
        }
    }

    /** The content's SHA-256 (a copy). */
    @Override
    public byte[] contentSha256() {
        return contentSha256.clone();
    }

    /** The checkpoints other than {@code selfId} whose deltas this content needs, ascending. */
    public SortedSet<Long> bases(long selfId) {
        SortedSet<Long> bases = new TreeSet<>();
        for (ChunkLocation e : entries) {
            if (e.source() != selfId) {
                bases.add(e.source());
            }
        }
        return bases;
    }

    /** The recipe in its binary format. */
    public byte[] toBytes() {
        byte[] body = body();
        byte[] compressed = Zstd.compress(body, BODY_ZSTD_LEVEL);
        boolean zstd = compressed.length < body.length;
        byte[] stored = zstd ? compressed : body;
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + stored.length + CRC_LENGTH);
        out.putInt(MAGIC).put((byte) VERSION).put((byte) (zstd ? FLAG_ZSTD : 0)).putInt(body.length).putInt(stored.length)
                .put(stored);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 4 * entries.size());
        Varints.write(out, contentLength);
        out.writeBytes(contentSha256);
        Varints.write(out, entries.size());
        long previousSource = 0;
        int i = 0;
        while (i < entries.size()) {
            ChunkLocation first = entries.get(i);
            int end = i + 1;
            while (end < entries.size() && entries.get(end).source() == first.source()
                    && entries.get(end).offset() == entries.get(end - 1).end()) {
                end++;
            }
            Varints.write(out, Varints.zigzag(first.source() - previousSource));
            Varints.write(out, first.offset());
            Varints.write(out, end - i);
            for (; i < end; i++) {
                ChunkLocation e = entries.get(i);
                Varints.write(out, ((long) e.storedLength() << 1) | (e.compressed() ? 1 : 0));
                if (e.compressed()) {
                    Varints.write(out, e.rawLength());
                }
            }
            previousSource = first.source();
        }
        return out.toByteArray();
    }

    /**
     * Reads the recipe at the end of a delta, found through the delta's trailer.
     *
     * @throws RecipeFormatException when the delta has no valid trailer or recipe
     */
    public static Recipe readFrom(SeekableByteChannel delta) throws IOException {
        DeltaTrailer trailer = DeltaTrailer.read(delta);
        if (trailer.recipeLength() > HEADER_LENGTH + MAX_BODY_LENGTH + CRC_LENGTH) {
            throw new RecipeFormatException("the delta's trailer gives a recipe of " + trailer.recipeLength()
                    + " bytes, more than a recipe may hold");
        }
        ByteBuffer bytes = ByteBuffer.allocate(trailer.recipeLength());
        DeltaTrailer.readFully(delta, trailer.recipeOffset(), bytes);
        return parse(bytes.array());
    }

    /**
     * Parses a recipe in its binary format.
     *
     * @throws RecipeFormatException naming what is wrong
     */
    public static Recipe parse(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH + CRC_LENGTH) {
            throw new RecipeFormatException("a recipe of " + bytes.length + " bytes is shorter than its header and CRC");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new RecipeFormatException(String.format("bad recipe magic 0x%08x, expected CSRC", magic));
        }
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new RecipeFormatException("unsupported recipe version " + version + ", this reader knows " + VERSION);
        }
        int flags = in.get() & 0xff;
        int bodyLength = in.getInt();
        int storedLength = in.getInt();
        if (bodyLength < 0 || bodyLength > MAX_BODY_LENGTH || storedLength != bytes.length - HEADER_LENGTH - CRC_LENGTH) {
            throw new RecipeFormatException("the recipe header gives a body of " + bodyLength + " bytes stored in "
                    + storedLength + ", but the recipe has " + bytes.length + " bytes (body at most " + MAX_BODY_LENGTH + ")");
        }
        if ((flags & ~FLAG_ZSTD) != 0) {
            throw new RecipeFormatException(String.format("unknown recipe flags 0x%02x", flags));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_LENGTH);
        int storedCrc = ByteBuffer.wrap(bytes, bytes.length - CRC_LENGTH, CRC_LENGTH).getInt();
        if (storedCrc != (int) crc.getValue()) {
            throw new RecipeFormatException(String.format("recipe CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    storedCrc, (int) crc.getValue()));
        }
        byte[] body = Arrays.copyOfRange(bytes, HEADER_LENGTH, HEADER_LENGTH + storedLength);
        if ((flags & FLAG_ZSTD) != 0) {
            body = decompressBody(body, bodyLength);
        } else if (bodyLength != storedLength) {
            throw new RecipeFormatException("an uncompressed recipe body of " + storedLength + " bytes claims "
                    + bodyLength);
        }
        return parseBody(ByteBuffer.wrap(body));
    }

    private static byte[] decompressBody(byte[] stored, int bodyLength) {
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            byte[] body = new byte[bodyLength];
            int n = zstd.decompressByteArray(body, 0, bodyLength, stored, 0, stored.length);
            if (n != bodyLength) {
                throw new RecipeFormatException("the recipe body decompresses to " + n + " bytes, not " + bodyLength);
            }
            return body;
        } catch (ZstdException e) {
            throw new RecipeFormatException("the recipe body is not a valid zstd frame of " + bodyLength + " bytes: "
                    + e.getMessage(), e);
        }
    }

    private static Recipe parseBody(ByteBuffer in) {
        long contentLength = Varints.readBounded(in, "the content length", Long.MAX_VALUE);
        if (in.remaining() < 32) {
            throw new RecipeFormatException("the recipe ends inside the content SHA-256");
        }
        byte[] sha256 = new byte[32];
        in.get(sha256);
        // every entry takes at least one byte, which bounds the list before it is allocated
        int count = (int) Varints.readBounded(in, "the entry count", in.remaining());
        List<ChunkLocation> entries = new ArrayList<>(count);
        long source = 0;
        long sum = 0;
        while (entries.size() < count) {
            source += Varints.unzigzag(Varints.read(in, "a run's source"));
            long offset = Varints.readBounded(in, "a run's offset", MAX_OFFSET);
            long runLength = Varints.readBounded(in, "a run's entry count", count - entries.size());
            if (runLength == 0) {
                throw new RecipeFormatException("a run of entry " + entries.size() + " has no entries");
            }
            for (long r = 0; r < runLength; r++) {
                long lengthAndFlag = Varints.readBounded(in, "the stored length of entry " + entries.size(),
                        ((long) ChunkingConfig.MAX_CHUNK_SIZE << 1) | 1);
                boolean compressed = (lengthAndFlag & 1) != 0;
                int stored = (int) (lengthAndFlag >>> 1);
                int raw = compressed
                        ? (int) Varints.readBounded(in, "the raw length of entry " + entries.size(), ChunkingConfig.MAX_CHUNK_SIZE)
                        : stored;
                ChunkLocation e = entry(source, offset, stored, raw, compressed, entries.size());
                entries.add(e);
                sum += raw;
                offset = e.end();
            }
        }
        if (in.hasRemaining()) {
            throw new RecipeFormatException("the recipe body has " + in.remaining() + " bytes after its " + count + " entries");
        }
        if (sum != contentLength) {
            throw new RecipeFormatException("the recipe's entries hold " + sum + " bytes, but its content length is "
                    + contentLength);
        }
        return new Recipe(contentLength, sha256, entries);
    }

    private static ChunkLocation entry(long source, long offset, int stored, int raw, boolean compressed, int index) {
        try {
            return new ChunkLocation(source, offset, stored, raw, compressed);
        } catch (IllegalArgumentException e) {
            throw new RecipeFormatException("entry " + index + " of the recipe: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Recipe r && contentLength == r.contentLength && Arrays.equals(contentSha256, r.contentSha256)
                && entries.equals(r.entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(contentLength, Arrays.hashCode(contentSha256), entries);
    }

    @Override
    public String toString() {
        return "Recipe[contentLength=" + contentLength + ", contentSha256=" + HexFormat.of().formatHex(contentSha256)
                + ", entries=" + entries.size() + "]";
    }
}
