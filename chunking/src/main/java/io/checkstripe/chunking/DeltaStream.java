package io.checkstripe.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

/**
 * A checkpoint's content encoded as a delta, read as a stream so the publisher cuts it into segments like any
 * checkpoint: the chunks that the base {@link ChunkIndex} does not hold, each once, zstd-compressed when that
 * saves at least {@link ChunkingConfig#minCompressionSaving()}; then the {@link Recipe}; then a
 * {@link DeltaTrailer} of 16 bytes (recipe offset, recipe length, magic {@code CSDT}) so a reader finds the
 * recipe from the delta's end.
 *
 * <p>A chunk the base holds is referenced where it is, unless its source delta is sparse: when the base
 * references less than {@link ChunkingConfig#rewriteBelowLiveShare()} of that delta's chunk bytes
 * ({@link ChunkIndex#liveShare}, decided once from the base index before the first chunk), its chunks are
 * stored again here, so that checkpoints stop depending on mostly-garbage deltas and retention can drop them.
 * A base index computed under another {@link ChunkIds#keyId()} is not used at all: the content is sent in full.
 *
 * <p>The content comes as parts (a directory checkpoint passes each file as one); each part starts a new chunk.
 * The stream closes each part when it has read it to its end, and the current one on {@link #close()}; parts
 * the iterator has not handed out yet are never opened. After the end of the stream, {@link #summary()} tells
 * what was written and gives the index for the next publish.
 *
 * <p>Memory: the chunker's buffer (twice {@code maxSize}), one compression buffer, the base index, and one
 * recipe entry and one index entry per chunk; nothing grows with the content's bytes. Not thread-safe.
 */
public final class DeltaStream extends InputStream {

    private final ChunkIds ids;
    private final ChunkIndex base;
    private final Set<Long> sparseSources = new HashSet<>();
    private final long checkpointId;
    private final double maxStoredShare;
    private final Iterator<? extends InputStream> parts;
    private final ContentDefinedChunker chunker;
    private final MessageDigest contentDigest = ChunkIds.sha256Digest();
    private final ZstdCompressCtx zstd;
    private final byte[] compressed;
    private final Map<ChunkId, ChunkLocation> locations = new HashMap<>();
    private final Map<Long, Long> deltaLengths = new HashMap<>();
    private final List<ChunkLocation> entries = new ArrayList<>();
    private InputStream part;
    private byte[] pending;
    private int pendingOffset;
    private int pendingLength;
    private long newChunks;
    private long newRawBytes;
    private long newStoredBytes;
    private long sharedChunks;
    private long sharedBytes;
    private DeltaSummary summary;
    private boolean ended;
    private boolean closed;

    /**
     * @param config       chunk sizes, compression and rewrite threshold
     * @param ids          how chunk ids are computed
     * @param base         the previous checkpoint's index, or {@link ChunkIndex#empty}
     * @param checkpointId the id this delta is published under, newer than the base
     * @param parts        the content's parts, in order
     * @throws IllegalArgumentException when the checkpoint id is negative or not newer than the base
     */
    public DeltaStream(ChunkingConfig config, ChunkIds ids, ChunkIndex base, long checkpointId,
                       Iterator<? extends InputStream> parts) {
        Objects.requireNonNull(config, "config");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.parts = Objects.requireNonNull(parts, "parts");
        if (checkpointId < 0 || checkpointId <= base.baseCheckpointId() || base.deltaLengths().containsKey(checkpointId)) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " must be 0 or more and newer than "
                    + "the base checkpoint " + base.baseCheckpointId() + " and every delta it references");
        }
        this.base = base.keyId().equals(ids.keyId()) ? base : ChunkIndex.empty(ids.keyId());
        for (long source : this.base.deltaLengths().keySet()) {
            if (this.base.liveShare(source) < config.rewriteBelowLiveShare()) {
                sparseSources.add(source);
            }
        }
        this.checkpointId = checkpointId;
        this.maxStoredShare = 1 - config.minCompressionSaving();
        this.chunker = new ContentDefinedChunker(config);
        if (config.compression()) {
            this.zstd = new ZstdCompressCtx().setLevel(config.compressionLevel());
            this.compressed = new byte[(int) Zstd.compressBound(config.maxSize())];
        } else {
            this.zstd = null;
            this.compressed = null;
        }
    }

    /** The delta of content read from one stream. */
    public DeltaStream(ChunkingConfig config, ChunkIds ids, ChunkIndex base, long checkpointId, InputStream content) {
        this(config, ids, base, checkpointId, List.of(content).iterator());
    }

    @Override
    public int read() throws IOException {
        if (!fillPending()) {
            return -1;
        }
        pendingLength--;
        return pending[pendingOffset++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fillPending()) {
            return -1;
        }
        int n = Math.min(len, pendingLength);
        System.arraycopy(pending, pendingOffset, b, off, n);
        pendingOffset += n;
        pendingLength -= n;
        return n;
    }

    /** The bytes readable without cutting or compressing another chunk. */
    @Override
    public int available() {
        return pendingLength;
    }

    /**
     * What the stream wrote, once it returned end of stream.
     *
     * @throws IllegalStateException before then
     */
    public DeltaSummary summary() {
        if (!ended) {
            throw new IllegalStateException("the delta stream of checkpoint " + checkpointId + " was not read to its end");
        }
        return summary;
    }

    /** Closes the part being read and frees the compressor; parts not yet handed out stay untouched. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        pendingLength = 0;
        if (zstd != null) {
            zstd.close();
        }
        if (part != null) {
            part.close();
            part = null;
        }
    }

    /** Makes bytes pending, cutting chunks until one must be stored or the recipe is due; false at the end. */
    private boolean fillPending() throws IOException {
        if (closed) {
            throw new IOException("the delta stream of checkpoint " + checkpointId + " is closed");
        }
        while (pendingLength == 0) {
            if (summary != null) {
                ended = true;
                return false;
            }
            if (nextChunk()) {
                encodeChunk();
            } else {
                finish();
            }
        }
        return true;
    }

    private boolean nextChunk() throws IOException {
        while (true) {
            if (part == null) {
                if (!parts.hasNext()) {
                    return false;
                }
                part = Objects.requireNonNull(parts.next(), "a part");
                chunker.startPart(part);
            }
            if (chunker.next()) {
                return true;
            }
            part.close();
            part = null;
        }
    }

    private void encodeChunk() {
        byte[] data = chunker.buffer();
        int offset = chunker.chunkOffset();
        int length = chunker.chunkLength();
        contentDigest.update(data, offset, length);
        ChunkId id = ids.of(data, offset, length);
        ChunkLocation location = locations.get(id);
        if (location == null) {
            ChunkLocation known = base.get(id);
            if (known != null && !sparseSources.contains(known.source())) {
                location = known;
                locations.put(id, known);
                deltaLengths.putIfAbsent(known.source(), base.deltaLengths().get(known.source()));
            }
        }
        if (location != null) {
            entries.add(location);
            sharedChunks++;
            sharedBytes += length;
            return;
        }
        pending = data;
        pendingOffset = offset;
        pendingLength = length;
        if (zstd != null) {
            int n = zstd.compressByteArray(compressed, 0, compressed.length, data, offset, length);
            if (n < length && n <= length * maxStoredShare) {
                pending = compressed;
                pendingOffset = 0;
                pendingLength = n;
            }
        }
        location = new ChunkLocation(checkpointId, newStoredBytes, pendingLength, length, pending == compressed);
        locations.put(id, location);
        entries.add(location);
        newChunks++;
        newRawBytes += length;
        newStoredBytes += pendingLength;
    }

    private void finish() {
        byte[] sha256 = contentDigest.digest();
        Recipe recipe = new Recipe(newRawBytes + sharedBytes, sha256, entries);
        entries.clear();
        byte[] recipeBytes = recipe.toBytes();
        byte[] trailer = new DeltaTrailer(newStoredBytes, recipeBytes.length).toBytes();
        pending = new byte[recipeBytes.length + trailer.length];
        System.arraycopy(recipeBytes, 0, pending, 0, recipeBytes.length);
        System.arraycopy(trailer, 0, pending, recipeBytes.length, trailer.length);
        pendingOffset = 0;
        pendingLength = pending.length;
        if (newStoredBytes > 0) {
            deltaLengths.put(checkpointId, newStoredBytes);
        }
        ChunkIndex next = new ChunkIndex(checkpointId, ids.keyId(), locations, deltaLengths);
        summary = new DeltaSummary(base.baseCheckpointId(), newStoredBytes, recipeBytes.length, recipe.contentLength(),
                sha256, newChunks, newRawBytes, newStoredBytes, sharedChunks, sharedBytes,
                new TreeSet<>(recipe.bases(checkpointId)), next);
    }
}
