package io.checkstripe.codec;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Systematic Reed-Solomon code over GF(2^8) (polynomial 0x11D): K data cells, M parity cells,
 * any K of the K + M cells rebuild all the others. This is the {@code RS-K-M} policy.
 *
 * <p><b>Matrix.</b> The encoding matrix is the K x K identity stacked on an M x K Cauchy
 * matrix {@code C[i][j] = 1 / ((K + i) xor j)}, whose columns and then rows are scaled so
 * that its first row and first column are all 1. Every square submatrix of a Cauchy matrix is
 * invertible and scaling rows or columns by non-zero factors keeps that true, so every K x K
 * submatrix of the whole matrix is invertible: the code is MDS. The first parity cell is the
 * plain XOR of the data cells (so RS-K-1 writes the same bytes as XOR-K-1). Changing this
 * matrix changes the stored format; known-answer tests pin it.
 *
 * <p><b>Limits.</b> K &gt;= 1, M &gt;= 1, K + M &lt;= 255.
 *
 * <p><b>Decoding</b> reads the first K present cells, inverts their K x K submatrix and
 * multiplies the rows of the wanted missing cells by it. That matrix is cached per erasure
 * pattern (see {@link DecodePlanCache} for its bound), so repeated patterns allocate nothing.
 * Immutable and thread-safe; {@link #create(int, int)} returns one shared instance per (K, M)
 * so the cache is shared too.
 */
public final class ReedSolomon extends AbstractErasureCodec {

    private static final ConcurrentMap<Integer, ReedSolomon> INSTANCES = new ConcurrentHashMap<>();

    private final int[][] encodingMatrix;
    private final CodingRows parityRows;
    private final int[] dataIndexes;
    private final int[] parityIndexes;
    private final GfKernel kernel;
    private final DecodePlanCache plans = new DecodePlanCache();

    private ReedSolomon(int k, int m, GfKernel kernel) {
        super(k, m);
        this.kernel = kernel;
        this.encodingMatrix = encodingMatrix(k, m);
        int[][] parity = new int[m][];
        System.arraycopy(encodingMatrix, k, parity, 0, m);
        this.parityRows = new CodingRows(parity, k);
        this.dataIndexes = range(0, k);
        this.parityIndexes = range(k, k + m);
    }

    /**
     * The RS-K-M codec.
     *
     * @throws IllegalArgumentException unless K &gt;= 1, M &gt;= 1 and K + M &lt;= 255
     */
    public static ReedSolomon create(int k, int m) {
        checkShape(k, m);
        return INSTANCES.computeIfAbsent(k * 256 + m, key -> new ReedSolomon(k, m, ScalarGfKernel.INSTANCE));
    }

    /** A private instance on another kernel, for testing kernels against the reference. */
    static ReedSolomon create(int k, int m, GfKernel kernel) {
        checkShape(k, m);
        return new ReedSolomon(k, m, kernel);
    }

    private static void checkShape(int k, int m) {
        if (k < 1 || m < 1 || k + m > 255) {
            throw new IllegalArgumentException("Reed-Solomon needs K >= 1, M >= 1 and K + M <= 255, got K=" + k
                    + ", M=" + m);
        }
    }

    /** Entry (row, column) of the (K + M) x K encoding matrix. */
    int coefficient(int row, int column) {
        return encodingMatrix[row][column];
    }

    int cachedPlans() {
        return plans.size();
    }

    long cachedTableBytes() {
        return plans.tableBytes();
    }

    @Override
    void encodeChecked(byte[][] cells, int offset, int length) {
        kernel.apply(parityRows, cells, dataIndexes, parityIndexes, offset, length);
    }

    @Override
    void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        DecodePlan plan = plans.get(present, wanted);
        if (plan == null) {
            plan = plan(present, wanted);
            plans.put(plan);
        }
        kernel.apply(plan.rows, cells, plan.inputs, plan.outputs, offset, length);
    }

    private DecodePlan plan(boolean[] present, boolean[] wanted) {
        int n = k + m;
        int[] inputs = new int[k];
        int found = 0;
        for (int i = 0; i < n && found < k; i++) {
            if (present[i]) {
                inputs[found++] = i;
            }
        }
        int outputCount = 0;
        for (int i = 0; i < n; i++) {
            if (isWanted(present, wanted, i)) {
                outputCount++;
            }
        }
        int[] outputs = new int[outputCount];
        int[][] outputRows = new int[outputCount][];
        int[][] sub = new int[k][];
        for (int r = 0; r < k; r++) {
            sub[r] = encodingMatrix[inputs[r]];
        }
        // data = inverse(sub) * inputs, so cell i = encodingMatrix[i] * inverse(sub) * inputs
        int[][] inverse = Gf256.invert(sub);
        outputCount = 0;
        for (int i = 0; i < n; i++) {
            if (isWanted(present, wanted, i)) {
                outputs[outputCount] = i;
                outputRows[outputCount++] = i < k ? inverse[i] : Gf256.multiply(new int[][] {encodingMatrix[i]}, inverse)[0];
            }
        }
        return new DecodePlan(present, wanted, inputs, outputs, new CodingRows(outputRows, k));
    }

    private static int[][] encodingMatrix(int k, int m) {
        int[][] cauchy = new int[m][k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                cauchy[i][j] = Gf256.inv((k + i) ^ j);
            }
        }
        for (int j = 0; j < k; j++) {
            int f = Gf256.inv(cauchy[0][j]);
            for (int i = 0; i < m; i++) {
                cauchy[i][j] = Gf256.mul(cauchy[i][j], f);
            }
        }
        for (int i = 1; i < m; i++) {
            int f = Gf256.inv(cauchy[i][0]);
            for (int j = 0; j < k; j++) {
                cauchy[i][j] = Gf256.mul(cauchy[i][j], f);
            }
        }
        int[][] matrix = new int[k + m][];
        for (int r = 0; r < k; r++) {
            matrix[r] = new int[k];
            matrix[r][r] = 1;
        }
        System.arraycopy(cauchy, 0, matrix, k, m);
        return matrix;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
