package io.checkstripe.codec;

/**
 * Shape validation and the decode preamble shared by every codec, so each implementation
 * only supplies the arithmetic.
 */
abstract class AbstractErasureCodec implements ErasureCodec {

    final int k;
    final int m;

    AbstractErasureCodec(int k, int m) {
        this.k = k;
        this.m = m;
    }

    @Override
    public final int dataCells() {
        return k;
    }

    @Override
    public final int parityCells() {
        return m;
    }

    @Override
    public final int totalCells() {
        return k + m;
    }

    @Override
    public final void encode(byte[][] cells, int offset, int length) {
        checkCells(cells, offset, length);
        if (m > 0 && length > 0) {
            encodeChecked(cells, offset, length);
        }
    }

    @Override
    public final void decode(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        checkCells(cells, offset, length);
        checkFlags(present, "present");
        if (wanted != null) {
            checkFlags(wanted, "wanted");
        }
        int presentCount = 0;
        boolean work = false;
        for (int i = 0; i < present.length; i++) {
            if (present[i]) {
                presentCount++;
            } else if (wanted == null || wanted[i]) {
                work = true;
            }
        }
        if (!work) {
            return;
        }
        if (presentCount < k) {
            throw new TooFewCellsException(k + m, k, missing(present, presentCount));
        }
        if (length > 0) {
            decodeChecked(cells, present, wanted, offset, length);
        }
    }

    /** Shapes are valid and M > 0. */
    abstract void encodeChecked(byte[][] cells, int offset, int length);

    /** Shapes are valid, at least K cells are present and at least one wanted cell is missing. */
    abstract void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length);

    static boolean isWanted(boolean[] present, boolean[] wanted, int i) {
        return !present[i] && (wanted == null || wanted[i]);
    }

    private void checkCells(byte[][] cells, int offset, int length) {
        if (cells == null) {
            throw new IllegalArgumentException("cells must not be null");
        }
        if (cells.length != k + m) {
            throw new IllegalArgumentException("expected " + (k + m) + " cells (K=" + k + ", M=" + m
                    + "), got " + cells.length);
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0, got offset=" + offset
                    + ", length=" + length);
        }
        for (int i = 0; i < cells.length; i++) {
            byte[] cell = cells[i];
            if (cell == null) {
                throw new IllegalArgumentException("cell " + i + " is null");
            }
            if (cell.length - offset < length) {
                throw new IllegalArgumentException("cell " + i + " has " + cell.length + " bytes, needs offset "
                        + offset + " + length " + length);
            }
        }
    }

    private void checkFlags(boolean[] flags, String name) {
        if (flags == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (flags.length != k + m) {
            throw new IllegalArgumentException("expected " + (k + m) + " " + name + " flags, got " + flags.length);
        }
    }

    private static int[] missing(boolean[] present, int presentCount) {
        int[] missing = new int[present.length - presentCount];
        int n = 0;
        for (int i = 0; i < present.length; i++) {
            if (!present[i]) {
                missing[n++] = i;
            }
        }
        return missing;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[K=" + k + ", M=" + m + "]";
    }
}
