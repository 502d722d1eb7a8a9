package io.checkstripe.chunking;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The 32-byte id of a chunk's raw bytes (see {@link ChunkIds}), held as four big-endian longs so that an
 * index of millions of chunks costs one small object each and compares without a loop.
 *
 * @param w0 bytes 0 to 7
 * @param w1 bytes 8 to 15
 * @param w2 bytes 16 to 23
 * @param w3 bytes 24 to 31
 */
public record ChunkId(long w0, long w1, long w2, long w3) {

    /** Length of an id in bytes. */
    public static final int LENGTH = 32;

    /** @throws IllegalArgumentException unless {@code bytes} holds exactly 32 bytes */
    public static ChunkId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a chunk id has " + LENGTH + " bytes, got " + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes));
    }

    /** The id at the buffer's position, which advances by 32. */
    static ChunkId read(ByteBuffer in) {
        return new ChunkId(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    /** Puts the id's 32 bytes at the buffer's position. */
    void write(ByteBuffer out) {
        out.putLong(w0).putLong(w1).putLong(w2).putLong(w3);
    }

    /** The id's 32 bytes (a new array). */
    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        write(b);
        return b.array();
    }

    /** The id's lower-case hex, 64 characters. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes());
    }
}
