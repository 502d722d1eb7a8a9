package io.checkstripe.chunking;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one {@link DeltaStream} wrote, known once it reached its end: where its recipe is, what the content was,
 * how much of it was new, which earlier deltas it needs, and the {@link ChunkIndex} for the next checkpoint.
 * A chunk that occurs twice counts once as new (where it is stored) and then as shared.
 *
 * @param baseCheckpointId the base index's checkpoint that was used, {@link ChunkIndex#NO_BASE} when the index
 *                         was empty or had other keys' ids
 * @param recipeOffset     where the recipe starts in the delta; also the bytes of the delta's chunks
 * @param recipeLength     the recipe's length
 * @param contentBytes     the content's length
 * @param contentSha256    the content's SHA-256
 * @param newChunks        chunks stored in this delta
 * @param newRawBytes      their length before compression
 * @param newStoredBytes   their length as stored, equal to {@code recipeOffset}
 * @param sharedChunks     chunk occurrences stored elsewhere: in a base, or earlier in this delta
 * @param sharedBytes      their raw length; {@code newRawBytes + sharedBytes == contentBytes}
 * @param bases            the earlier checkpoints whose deltas the content needs, ascending
 * @param index            this checkpoint's chunks, the base of the next publish
 */
public record DeltaSummary(long baseCheckpointId, long recipeOffset, int recipeLength, long contentBytes,
                           byte[] contentSha256, long newChunks, long newRawBytes, long newStoredBytes, long sharedChunks,
                           long sharedBytes, SortedSet<Long> bases, ChunkIndex index) {

    public DeltaSummary {
        contentSha256 = contentSha256.clone();
        bases = new TreeSet<>(bases);
        Objects.requireNonNull(index, "index");
    }

    /** The delta's whole length: chunks, recipe and trailer. */
    public long deltaLength() {
        return recipeOffset + recipeLength + DeltaTrailer.LENGTH;
    }

    /** The content's SHA-256 (a copy). */
    @Override
    public byte[] contentSha256() {
        return contentSha256.clone();
    }

    /** The bases (read-only). */
    @Override
    public SortedSet<Long> bases() {
        return Collections.unmodifiableSortedSet(bases);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeltaSummary s && baseCheckpointId == s.baseCheckpointId && recipeOffset == s.recipeOffset
                && recipeLength == s.recipeLength && contentBytes == s.contentBytes
                && Arrays.equals(contentSha256, s.contentSha256) && newChunks == s.newChunks
                && newRawBytes == s.newRawBytes && newStoredBytes == s.newStoredBytes && sharedChunks == s.sharedChunks
                && sharedBytes == s.sharedBytes && bases.equals(s.bases) && index.equals(s.index);
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseCheckpointId, recipeOffset, contentBytes, Arrays.hashCode(contentSha256), newChunks,
                sharedChunks);
    }

    @Override
    public String toString() {
        return "DeltaSummary[base=" + baseCheckpointId + ", content=" + contentBytes + " bytes, sha256="
                + HexFormat.of().formatHex(contentSha256) + ", new=" + newChunks + " chunks/" + newRawBytes + " raw/"
                + newStoredBytes + " stored bytes, shared=" + sharedChunks + " chunks/" + sharedBytes + " bytes, recipe="
                + recipeLength + " bytes at " + recipeOffset + ", bases=" + bases + "]";
    }
}
