package io.checkstripe.chunking;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints (7 bits a byte, low group first, as protobuf and Kafka's record format write them)
 * and zigzag for signed deltas.
 */
final class Varints {

    private Varints() {
    }

    static void write(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /**
     * Reads a varint of at most ten bytes.
     *
     * @throws RecipeFormatException when the buffer ends inside it or it runs past ten bytes
     */
    static long read(ByteBuffer in, String what) {
        long value = 0;
        for (int shift = 0; shift < Long.SIZE; shift += 7) {
            if (!in.hasRemaining()) {
                throw new RecipeFormatException("the recipe ends inside " + what);
            }
            int b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new RecipeFormatException(what + " is a varint longer than ten bytes");
    }

    /** Reads a varint that must lie in {@code [0, max]}. */
    static long readBounded(ByteBuffer in, String what, long max) {
        long value = read(in, what);
        if (value < 0 || value > max) {
            throw new RecipeFormatException(what + " is " + Long.toUnsignedString(value) + ", more than " + max);
        }
        return value;
    }

    static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    static long unzigzag(long value) {
        return (value >>> 1) ^ -(value & 1);
    }
}
