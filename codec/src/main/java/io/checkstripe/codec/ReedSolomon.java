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
 * plain XOR of the data cells (so RS-K-1 writes the same bytes as XOR-K-1), so a single lost
 * cell is rebuilt by XOR alone, at memory speed, whenever that parity cell is among the K cells
 * read: the common single-loss restore. Changing this matrix changes the stored format;
 * known-answer tests pin it.
 *
 * <p><b>Limits.</b> K &gt;= 1, M &gt;= 1, K + M &lt;= 255.
 *
 * <p><b>Decoding</b> reads the first K present cells, inverts their K x K submatrix and
 * multiplies the rows of the wanted missing cells by it. That matrix is cached per erasure
 * pattern (see {@link DecodePlanCache} for its bound), so repeated patterns allocate nothing.
 * Immutable and thread-safe; {@link #create(int, int)} returns one shared instance per (K, M)
 * so the cache is shared too.
 *
 * <p><b>Kernels.</b> The arithmetic runs on one of two kernels that write identical bytes: a
 * vector kernel (split-nibble tables applied with byte shuffles of the incubating Vector API) when
 * the JVM was started with {@code --add-modules jdk.incubator.vector}, else a scalar table kernel.
 * Until C2 has compiled it the vector kernel runs far slower than the scalar one, allocating. So by
 * default the codecs of {@link #create(int, int)} code with the scalar kernel while a daemon
 * thread, started by the first such codec, warms the vector kernel up on small cells, and switch
 * to it once it is compiled (see {@link WarmingGfKernel}; docs/PERFORMANCE.md, "Codec" and
 * "Warm-up", has the speeds and the warm-up times). The system property
 * {@code checkstripe.codec.kernel} ({@code auto}, {@code scalar} or {@code vector}) forces one
 * kernel from the first call; {@link #defaultKernel()} says which one this JVM uses, for callers
 * to log.
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
        this.parityRows = kernel.rows(parity, k);
        this.dataIndexes = range(0, k);
        this.parityIndexes = range(k, k + m);
        kernel.codecCreated();
    }

    /**
     * The RS-K-M codec on this JVM's {@linkplain #defaultKernel() default kernel}.
     *
     * @throws IllegalArgumentException unless K &gt;= 1, M &gt;= 1 and K + M &lt;= 255
     * @throws IllegalStateException if the system property {@code checkstripe.codec.kernel} names
     *     no kernel, or names {@code vector} where the vector kernel cannot run
     */
    public static ReedSolomon create(int k, int m) {
        checkShape(k, m);
        GfKernel kernel = GfKernels.selected();
        return INSTANCES.computeIfAbsent(k * 256 + m, key -> new ReedSolomon(k, m, kernel));
    }

    /**
     * A new, unshared RS-K-M codec on the kernel named {@code scalar} or {@code vector}, for
     * benchmarks and diagnostics; it writes the same bytes as {@link #create(int, int)}.
     *
     * @throws IllegalArgumentException if the shape is invalid, the kernel unknown, or
     *     {@code vector} cannot run in this JVM (the message says why)
     */
    public static ReedSolomon create(int k, int m, String kernel) {
        return create(k, m, GfKernels.named(kernel));
    }

    /**
     * The name of the kernel {@link #create(int, int)} uses in this JVM: {@code scalar}, or
     * {@code vector-} and the vector width in bits (e.g. {@code vector-512}), also while the
     * codecs still code with the scalar kernel during the vector kernel's warm-up; {@code scalar}
     * if that warm-up gave up.
     *
     * @throws IllegalStateException as {@link #create(int, int)}
     */
    public static String defaultKernel() {
        return GfKernels.selected().name();
    }

    /** The name of this instance's kernel, as {@link #defaultKernel()} spells it. */
    public String kernel() {
        return kernel.name();
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

    /** The cached plan of a pattern, or null. */
    DecodePlan cachedPlan(boolean[] present, boolean[] wanted) {
        return plans.get(present, wanted);
    }

    int cachedPlans() {
        return plans.size();
    }

    long cachedTableBytes() {
        return plans.tableBytes();
    }

    @Override
    void encodeChecked(byte[][] cells, int offset, int length) {
        apply(parityRows, cells, dataIndexes, parityIndexes, offset, length);
    }

    @Override
    void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        DecodePlan plan = plans.get(present, wanted);
        if (plan == null) {
            plan = plan(present, wanted);
            plans.put(plan);
        }
        apply(plan.rows, cells, plan.inputs, plan.outputs, offset, length);
    }

    /** The kernel, or for one row of 1s (a lost cell rebuilt through the XOR parity) a plain XOR. */
    private void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length) {
        if (rows.isPlainXor()) {
            XorLoops.sum(cells, inputs, outputs[0], offset, length);
        } else {
            kernel.apply(rows, cells, inputs, outputs, offset, length);
        }
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
        return new DecodePlan(present, wanted, inputs, outputs, kernel.rows(outputRows, k));
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
