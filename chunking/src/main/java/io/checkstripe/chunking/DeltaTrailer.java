package io.checkstripe.chunking;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The fixed-size end of a delta, so a reader finds the recipe from the delta's size alone: recipe offset
 * (8 bytes), recipe length (4), magic {@code CSDT} (4), big-endian. The recipe ends where the trailer starts,
 * and the recipe offset is also the length of the delta's chunk bytes.
 */
record DeltaTrailer(long recipeOffset, int recipeLength) {

    static final int LENGTH = 16;
    static final int MAGIC = 0x43534454; // "CSDT"

    byte[] toBytes() {
        return ByteBuffer.allocate(LENGTH).putLong(recipeOffset).putInt(recipeLength).putInt(MAGIC).array();
    }

    /**
     * Reads the trailer at the end of {@code delta} and checks that it accounts for the delta's whole size.
     *
     * @throws RecipeFormatException when the delta is too short, has no trailer magic, or its trailer does not
     *     add up to its size
     */
    static DeltaTrailer read(SeekableByteChannel delta) throws IOException {
        long size = delta.size();
        if (size < LENGTH) {
            throw new RecipeFormatException("a delta of " + size + " bytes is shorter than its " + LENGTH + "-byte trailer");
        }
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        readFully(delta, size - LENGTH, b);
        b.flip();
        long recipeOffset = b.getLong();
        int recipeLength = b.getInt();
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new RecipeFormatException(String.format("the delta's trailer has magic 0x%08x, not CSDT", magic));
        }
        if (recipeOffset < 0 || recipeLength < 0 || recipeOffset + recipeLength + LENGTH != size) {
            throw new RecipeFormatException("the delta's trailer puts a recipe of " + recipeLength + " bytes at offset "
                    + recipeOffset + ", which does not end at the trailer of a " + size + "-byte delta");
        }
        return new DeltaTrailer(recipeOffset, recipeLength);
    }

    /** Fills {@code into} from {@code position} of {@code channel}. */
    static void readFully(SeekableByteChannel channel, long position, ByteBuffer into) throws IOException {
        long end = position + into.remaining();
        channel.position(position);
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new RecipeFormatException("the delta ends at " + channel.position() + " bytes, before " + end);
            }
        }
    }
}
