package io.checkstripe.codec;

/**
 * The inner loop of Reed-Solomon: multiply a coefficient matrix by a set of input cells over
 * GF(2^8). Behind this interface {@link VectorGfKernel} sits beside {@link ScalarGfKernel}, the
 * reference, tested against it; {@link WarmingGfKernel} serves with the scalar one until the
 * vector one is compiled; {@link GfKernels} picks one per JVM. Implementations are thread-safe
 * and, once warmed up, allocate nothing per call.
 */
interface GfKernel {

    /** A short name for logs and benchmarks, e.g. {@code scalar} or {@code vector-512}. */
    String name();

    /** The coefficient matrix with the tables this kernel reads. */
    CodingRows rows(int[][] coefficients, int columns);

    /**
     * For every row r: {@code cells[outputs[r]] = sum over c of rows.coefficient(r, c) * cells[inputs[c]]}
     * on bytes {@code [offset, offset + length)}, with {@code rows} made by {@link #rows(int[][], int)}.
     * Outputs are overwritten, inputs only read; no output array may also be an input.
     */
    void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length);

    /**
     * Called for every codec made on this kernel, before its first call, so that a kernel can
     * prepare in the background (see {@link WarmingGfKernel}). Does nothing by default.
     */
    default void codecCreated() {
    }
}
