package io.checkstripe.chunking;

/**
 * Where one chunk's bytes are stored: in the delta of checkpoint {@code source}, {@code storedLength} bytes
 * from {@code offset}, zstd-compressed or not; {@code rawLength} is the chunk's length once decompressed.
 * Both a {@link Recipe}'s entries and a {@link ChunkIndex}'s values.
 *
 * @param source       the checkpoint whose delta holds the chunk, 0 or more
 * @param offset       the chunk's first byte in that delta, from 0
 * @param storedLength the bytes the delta holds for it: {@code rawLength} when not compressed, fewer
 *                     when compressed (a chunk is stored compressed only when that saves bytes)
 * @param rawLength    the chunk's own length, 1 to {@link ChunkingConfig#MAX_CHUNK_SIZE}
 * @param compressed   whether the stored bytes are one zstd frame
 */
public record ChunkLocation(long source, long offset, int storedLength, int rawLength, boolean compressed) {

    /** @throws IllegalArgumentException naming the value out of range */
    public ChunkLocation {
        if (source < 0 || offset < 0 || storedLength <= 0 || rawLength <= 0 || rawLength > ChunkingConfig.MAX_CHUNK_SIZE
                || (compressed ? storedLength >= rawLength : storedLength != rawLength)) {
            throw new IllegalArgumentException("invalid chunk location: source " + source + ", offset " + offset + ", stored " + storedLength
                    + ", raw " + rawLength + (compressed ? ", compressed" : ", not compressed"));
        }
    }

    /** The first byte after the chunk in its source's delta. */
    public long end() {
        return offset + storedLength;
    }
}
