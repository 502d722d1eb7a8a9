package io.checkstripe.chunking;

/**
 * How content is cut into chunks and how chunks are stored in a delta.
 *
 * <p>The chunk sizes trade deduplication against bookkeeping: smaller chunks find more unchanged content
 * after scattered edits, but every chunk costs a recipe entry and an index entry, whose memory grows with
 * the chunk count. {@code avgSize} is the size FastCDC aims at (a power of two, since its cut condition is a
 * bit mask); no chunk is longer than {@code maxSize}, and none but the last of a part is shorter than
 * {@code minSize}. Changing the sizes changes the boundaries, so the first checkpoint after a change shares
 * little with its base.
 *
 * @param minSize               shortest chunk (except a part's last), 64 B to {@code avgSize}
 * @param avgSize               the size the chunker aims at, a power of two from {@code minSize} to {@code maxSize}
 * @param maxSize               longest chunk, at most 64 MiB
 * @param compression           whether chunks are stored zstd-compressed when that pays
 * @param minCompressionSaving  the share of a chunk's size compression must save for the chunk to be
 *                              stored compressed, 0 to 1 (0.1: at least a tenth smaller)
 * @param compressionLevel      the zstd level, 1 to 22
 * @param rewriteBelowLiveShare a base delta of which the base checkpoint still references less than this
 *                              share of bytes has its chunks sent again, so retention can drop it; 0 to 1
 *                              (0 never rewrites, 1 rewrites every delta not wholly referenced)
 */
public record ChunkingConfig(int minSize, int avgSize, int maxSize, boolean compression, double minCompressionSaving,
                             int compressionLevel, double rewriteBelowLiveShare) {

    /** The smallest chunk size any bound may take. */
    public static final int MIN_CHUNK_SIZE = 64;

    /** The largest chunk size any bound may take, 64 MiB. */
    public static final int MAX_CHUNK_SIZE = 64 << 20;

    /** The default share compression must save, 0.1. */
    public static final double DEFAULT_MIN_COMPRESSION_SAVING = 0.1;

    /** The default zstd level, 3 (zstd's own default). */
    public static final int DEFAULT_COMPRESSION_LEVEL = 3;

    /** The default live share below which a base delta's chunks are sent again, 0.5. */
    public static final double DEFAULT_REWRITE_BELOW_LIVE_SHARE = 0.5;

    private static final int MAX_ZSTD_LEVEL = 22;

    /** @throws IllegalArgumentException naming the value out of range */
    public ChunkingConfig {
        if (minSize < MIN_CHUNK_SIZE || maxSize > MAX_CHUNK_SIZE || minSize > avgSize || avgSize > maxSize) {
            throw new IllegalArgumentException("chunk sizes must satisfy " + MIN_CHUNK_SIZE + " <= min <= avg <= max <= "
                    + MAX_CHUNK_SIZE + ", got min " + minSize + ", avg " + avgSize + ", max " + maxSize);
        }
        if (Integer.bitCount(avgSize) != 1) {
            throw new IllegalArgumentException("avgSize must be a power of two, got " + avgSize);
        }
        requireShare("minCompressionSaving", minCompressionSaving);
        requireShare("rewriteBelowLiveShare", rewriteBelowLiveShare);
        if (compressionLevel < 1 || compressionLevel > MAX_ZSTD_LEVEL) {
            throw new IllegalArgumentException("compressionLevel must be 1 to " + MAX_ZSTD_LEVEL + ", got " + compressionLevel);
        }
    }

    /** Chunks of 256 KiB to 4 MiB aiming at 1 MiB, compressed when that saves a tenth. */
    public static ChunkingConfig defaults() {
        return sized(256 << 10, 1 << 20, 4 << 20);
    }

    /** The given sizes with the default compression and rewrite settings. */
    public static ChunkingConfig sized(int minSize, int avgSize, int maxSize) {
        return new ChunkingConfig(minSize, avgSize, maxSize, true, DEFAULT_MIN_COMPRESSION_SAVING,
                DEFAULT_COMPRESSION_LEVEL, DEFAULT_REWRITE_BELOW_LIVE_SHARE);
    }

    /** This config with compression switched on or off. */
    public ChunkingConfig withCompression(boolean on) {
        return new ChunkingConfig(minSize, avgSize, maxSize, on, minCompressionSaving, compressionLevel,
                rewriteBelowLiveShare);
    }

    /** This config with another rewrite threshold. */
    public ChunkingConfig withRewriteBelowLiveShare(double share) {
        return new ChunkingConfig(minSize, avgSize, maxSize, compression, minCompressionSaving, compressionLevel, share);
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be from 0 to 1, got " + value);
        }
    }
}
