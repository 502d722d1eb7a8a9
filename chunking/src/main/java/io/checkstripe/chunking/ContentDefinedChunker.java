package io.checkstripe.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Cuts content into chunks with FastCDC (Xia et al., USENIX ATC 2016 and IEEE TPDS 2020), so that an edit
 * moves only the boundaries near it: a boundary is where a rolling gear hash of the content matches a mask,
 * and each chunk's cut depends only on its own bytes from its first byte. After an insertion or deletion the
 * chunker falls back in step at the first boundary both versions share, and every later chunk is the same.
 *
 * <p>The algorithm, exactly (it is part of the delta format: a reader does not need it, but a change of any
 * detail changes every boundary, so the first checkpoint after it shares almost nothing with its base):
 * <ul>
 *   <li>The gear table is 256 longs from SplitMix64 seeded with {@link #GEAR_SEED}, in order.</li>
 *   <li>The hash {@code h = (h << 1) + gear[byte]} starts at 0 at the chunk's {@code minSize}-th byte; the
 *       bytes before it are skipped (FastCDC's cut-point skipping). Since the shift drops a byte's
 *       contribution after 64 steps, the hash covers at most the last 64 bytes.</li>
 *   <li>Normalized chunking, level 2: before {@code avgSize} bytes a cut needs the top {@code log2(avgSize) + 2}
 *       bits of {@code h} zero, from there on the top {@code log2(avgSize) - 2}; a cut falls after the byte
 *       that made them zero. A chunk reaching {@code maxSize} bytes is cut there.</li>
 * </ul>
 *
 * <p>Streaming with bounded memory: one buffer of twice {@code maxSize}, refilled from the current part;
 * nothing is allocated per chunk. A chunk's bytes are {@link #buffer()} from {@link #chunkOffset()} for
 * {@link #chunkLength()} bytes, valid until the next call to {@link #next()} or {@link #startPart}. Each part
 * starts a new chunk, so a part's first boundary does not depend on the part before it.
 *
 * <p>Not thread-safe: one instance per stream being cut.
 */
public final class ContentDefinedChunker {

    /** The SplitMix64 seed of the gear table ("chunking" in ASCII). Part of the format. */
    public static final long GEAR_SEED = 0x6368756E6B696E67L;

    private static final int NORMALIZATION = 2;
    private static final long[] GEAR = gearTable(GEAR_SEED);

    private final int minSize;
    private final int avgSize;
    private final int maxSize;
    private final long strictMask;
    private final long looseMask;
    private final byte[] buffer;
    private InputStream part;
    private boolean partEnded = true;
    private int start;
    private int limit;
    private int chunkOffset;
    private int chunkLength;

    public ContentDefinedChunker(ChunkingConfig config) {
        this.minSize = config.minSize();
        this.avgSize = config.avgSize();
        this.maxSize = config.maxSize();
        int bits = Integer.numberOfTrailingZeros(avgSize);
        this.strictMask = topBits(bits + NORMALIZATION);
        this.looseMask = topBits(bits - NORMALIZATION);
        this.buffer = new byte[2 * maxSize];
    }

    /**
     * Starts cutting {@code in}; its first byte starts a chunk. What was left unread of the previous part is
     * dropped. The caller keeps ownership of the stream and closes it.
     */
    public void startPart(InputStream in) {
        this.part = Objects.requireNonNull(in, "in");
        this.partEnded = false;
        this.start = 0;
        this.limit = 0;
        this.chunkLength = 0;
    }

    /**
     * Cuts the next chunk of the current part.
     *
     * @return true with the chunk in {@link #buffer()}, false when the part has no bytes left
     */
    public boolean next() throws IOException {
        if (limit - start < maxSize && !partEnded) {
            fill();
        }
        int available = limit - start;
        if (available == 0) {
            chunkLength = 0;
            return false;
        }
        chunkOffset = start;
        chunkLength = cut(buffer, start, available);
        start += chunkLength;
        return true;
    }

    /** The buffer holding the current chunk; the chunker's own, not a copy. */
    public byte[] buffer() {
        return buffer;
    }

    /** Where the current chunk starts in {@link #buffer()}. */
    public int chunkOffset() {
        return chunkOffset;
    }

    /** The current chunk's length, 0 before the first chunk of a part and after its end. */
    public int chunkLength() {
        return chunkLength;
    }

    /**
     * The length of the first chunk of {@code data[offset, offset + length)}, given that the content ends
     * there or goes on for at least {@code maxSize} bytes: the cut depends on these bytes only.
     */
    public int cut(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length <= minSize) {
            return length;
        }
        long[] gear = GEAR;
        int n = Math.min(length, maxSize);
        int i = offset + minSize;
        int normalEnd = offset + Math.min(n, avgSize);
        long h = 0;
        for (; i < normalEnd; i++) {
            h = (h << 1) + gear[data[i] & 0xff];
            if ((h & strictMask) == 0) {
                return i + 1 - offset;
            }
        }
        int end = offset + n;
        for (; i < end; i++) {
            h = (h << 1) + gear[data[i] & 0xff];
            if ((h & looseMask) == 0) {
                return i + 1 - offset;
            }
        }
        return n;
    }

    /** Reads until a whole maximal chunk is buffered or the part ends, moving the unread rest to the front first. */
    private void fill() throws IOException {
        if (buffer.length - start < maxSize) {
            System.arraycopy(buffer, start, buffer, 0, limit - start);
            limit -= start;
            start = 0;
        }
        while (limit - start < maxSize) {
            int n = part.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                partEnded = true;
                return;
            }
            limit += n;
        }
    }

    private static long topBits(int count) {
        return -1L << (Long.SIZE - count);
    }

    /** The gear table: {@code 256} successive outputs of SplitMix64 from {@code seed}. */
    static long[] gearTable(long seed) {
        long[] table = new long[256];
        long state = seed;
        for (int i = 0; i < table.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }
}
