package io.checkstripe.codec;

/**
 * The inner loop of Reed-Solomon: multiply a coefficient matrix by a set of input cells over
 * GF(2^8). Kept behind this interface so a vectorized kernel can be added beside
 * {@link ScalarGfKernel}, the reference, and tested against it. Implementations are stateless
 * and allocate nothing.
 */
interface GfKernel {

    /**
     * For every row r: {@code cells[outputs[r]] = sum over c of rows.coefficient(r, c) * cells[inputs[c]]}
     * on bytes {@code [offset, offset + length)}. Outputs are overwritten, inputs only read; no
     * output array may also be an input.
     */
    void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length);
}
