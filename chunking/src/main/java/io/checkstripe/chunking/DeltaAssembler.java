package io.checkstripe.chunking;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Turns restored deltas back into a checkpoint's content: copies each chunk of the {@link Recipe} from the
 * delta that holds it, decompresses it when it was stored compressed, and streams the content out, checking
 * the SHA-256 at the end. The deltas are restored checkpoints, each already verified by its own SHA-256; what
 * is checked here is that the recipe and the deltas belong together (every chunk inside its delta's chunk
 * bytes, every chunk its raw length, the whole content its hash).
 *
 * <p>The caller owns the channels {@code deltaOf} gives (one per source, asked for once each) and closes them.
 * Reads are positional, so a chunk referenced twice is read twice; memory is two buffers of the recipe's largest
 * chunk. Stateless and thread-safe.
 */
public final class DeltaAssembler {

    private DeltaAssembler() {
    }

    /**
     * Writes the content {@code recipe} describes to {@code out}.
     *
     * @param recipe  the recipe of checkpoint {@code selfId}, e.g. from {@link Recipe#readFrom}
     * @param selfId  the checkpoint the recipe belongs to
     * @param deltaOf the delta of a checkpoint the recipe references (itself or a base)
     * @throws ContentMismatchException when a chunk or the content is not what the recipe says; {@code out} then
     *     holds garbage the caller must discard
     * @throws RecipeFormatException when an entry lies outside its delta's chunk bytes or a delta has no trailer
     */
    public static void assemble(Recipe recipe, long selfId, LongFunction<? extends SeekableByteChannel> deltaOf,
                                OutputStream out) throws IOException {
        assemble(recipe, selfId, deltaOf, out, null);
    }

    /**
     * Same as {@link #assemble(Recipe, long, LongFunction, OutputStream)}, and computes the ids of the chunks as
     * they pass: the returned index lets the restored application's next publish send only what changed.
     */
    public static ChunkIndex assembleAndIndex(Recipe recipe, long selfId, LongFunction<? extends SeekableByteChannel> deltaOf,
                                              OutputStream out, ChunkIds ids) throws IOException {
        return assemble(recipe, selfId, deltaOf, out, Objects.requireNonNull(ids, "ids"));
    }

    private static ChunkIndex assemble(Recipe recipe, long selfId, LongFunction<? extends SeekableByteChannel> deltaOf,
                                       OutputStream out, ChunkIds ids) throws IOException {
        int maxStored = 0;
        int maxRaw = 0;
        for (ChunkLocation e : recipe.entries()) {
            maxStored = Math.max(maxStored, e.storedLength());
            maxRaw = e.compressed() ? Math.max(maxRaw, e.rawLength()) : maxRaw;
        }
        byte[] stored = new byte[maxStored];
        byte[] raw = new byte[maxRaw];
        Map<Long, SeekableByteChannel> channels = new HashMap<>();
        Map<Long, Long> chunkBytes = new HashMap<>();
        Map<ChunkId, ChunkLocation> locations = new HashMap<>();
        MessageDigest sha256 = ChunkIds.sha256Digest();
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            int index = 0;
            for (ChunkLocation e : recipe.entries()) {
                SeekableByteChannel delta = channels.get(e.source());
                if (delta == null) {
                    delta = deltaOf.apply(e.source());
                    if (delta == null) {
                        throw new IllegalArgumentException("no delta given for checkpoint " + e.source()
                                + ", which the recipe of checkpoint " + selfId + " references");
                    }
                    channels.put(e.source(), delta);
                    chunkBytes.put(e.source(), DeltaTrailer.read(delta).recipeOffset());
                }
                long limit = chunkBytes.get(e.source());
                if (e.end() > limit) {
                    throw new RecipeFormatException("entry " + index + " of the recipe of checkpoint " + selfId
                            + " lies at " + e.offset() + ".." + e.end() + " of checkpoint " + e.source()
                            + "'s delta, which holds " + limit + " bytes of chunks");
                }
                DeltaTrailer.readFully(delta, e.offset(), ByteBuffer.wrap(stored, 0, e.storedLength()));
                byte[] chunk = e.compressed() ? decompress(zstd, e, index, stored, raw) : stored;
                sha256.update(chunk, 0, e.rawLength());
                out.write(chunk, 0, e.rawLength());
                if (ids != null) {
                    locations.putIfAbsent(ids.of(chunk, 0, e.rawLength()), e);
                }
                index++;
            }
        }
        byte[] actual = sha256.digest();
        if (!MessageDigest.isEqual(actual, recipe.contentSha256())) {
            throw new ContentMismatchException("SHA-256 of the " + recipe.contentLength() + " bytes of checkpoint "
                    + selfId, HexFormat.of().formatHex(recipe.contentSha256()), HexFormat.of().formatHex(actual));
        }
        if (ids == null) {
            return null;
        }
        Map<Long, Long> deltaLengths = new HashMap<>();
        for (ChunkLocation l : locations.values()) {
            deltaLengths.put(l.source(), chunkBytes.get(l.source()));
        }
        return new ChunkIndex(selfId, ids.keyId(), locations, deltaLengths);
    }

    private static byte[] decompress(ZstdDecompressCtx zstd, ChunkLocation e, int index, byte[] stored, byte[] raw) {
        int n;
        try {
            n = zstd.decompressByteArray(raw, 0, e.rawLength(), stored, 0, e.storedLength());
        } catch (ZstdException x) {
            throw rawLengthMismatch(e, index, "a frame that does not decompress into it (" + x.getMessage() + ")", x);
        }
        if (n != e.rawLength()) {
            throw rawLengthMismatch(e, index, Integer.toString(n), null);
        }
        return raw;
    }

    private static ContentMismatchException rawLengthMismatch(ChunkLocation e, int index, String actual, Throwable cause) {
        return new ContentMismatchException("raw length of entry " + index + " (checkpoint " + e.source() + ", offset "
                + e.offset() + ")", Integer.toString(e.rawLength()), actual, cause);
    }
}
