package io.checkstripe.codec;

import java.util.Arrays;

/**
 * How to rebuild one erasure pattern: which K present cells to read, which cells to write and
 * the matrix from the first to the second. Keyed by the {@code present} and {@code wanted}
 * flags it was made for (copies). Immutable.
 */
final class DecodePlan {

    private final boolean[] present;
    private final boolean[] wanted;
    final int[] inputs;
    final int[] outputs;
    final CodingRows rows;

    DecodePlan(boolean[] present, boolean[] wanted, int[] inputs, int[] outputs, CodingRows rows) {
        this.present = present.clone();
        this.wanted = wanted == null ? null : wanted.clone();
        this.inputs = inputs;
        this.outputs = outputs;
        this.rows = rows;
    }

    boolean matches(boolean[] present, boolean[] wanted) {
        return Arrays.equals(this.present, present) && Arrays.equals(this.wanted, wanted);
    }

    boolean matches(DecodePlan other) {
        return matches(other.present, other.wanted);
    }

    /** Hash of a pattern, consistent with {@link #matches}; allocates nothing. */
    static int hash(boolean[] present, boolean[] wanted) {
        int h = 1;
        for (int i = 0; i < present.length; i++) {
            if (!present[i]) {
                h = h * 31 + i;
            }
            if (wanted != null && wanted[i]) {
                h = h * 17 + i + 1000;
            }
        }
        // spread the bits: patterns differ mostly in low bits
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    int hash() {
        return hash(present, wanted);
    }
}
