package io.checkstripe.codec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default kernel where the vector kernel may run: serves every call with the scalar kernel
 * until the vector kernel has been compiled by C2, then with the vector kernel. Until C2 has
 * compiled it, the Vector API runs as plain Java that allocates for every vector operation, so
 * the first stripes of a fresh JVM would take orders of magnitude longer than later ones. The
 * scalar kernel is plain array code that the JIT compiles within the first stripe. So a one-shot
 * process (a restore) or a freshly started striper codes at scalar speed from its first stripe,
 * and at vector speed once the warm-up is done, instead of crawling for its first seconds
 * (docs/PERFORMANCE.md, "Warm-up", has the figures).
 *
 * <p>The first codec made on this kernel ({@link #codecCreated()}) starts one daemon thread,
 * {@value #THREAD_NAME}, that loads the vector kernel, warms it up ({@link VectorWarmUp}) and then
 * switches by a volatile write. Loading the Vector API and the logging happen on that thread too,
 * off the first stripe's path. Both kernels write the same bytes from the same
 * {@link CodingRows} (made with the tables of both), so a switch between two calls, or while other
 * threads are inside a call, changes no output. If the warm-up gives up, this kernel stays scalar
 * and {@link #name()} says so.
 *
 * <p>Forcing a kernel ({@code -Dcheckstripe.codec.kernel=vector} or {@code scalar}) bypasses this
 * class. Thread-safe.
 */
final class WarmingGfKernel implements GfKernel {

    static final String THREAD_NAME = "checkstripe-codec-warmup";

    private final GfKernel scalar;
    private final Supplier<GfKernel> vector;
    private final Function<GfKernel, VectorWarmUp.Outcome> warmUp;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<VectorWarmUp.Outcome> outcome = new CompletableFuture<>();
    private volatile GfKernel current;
    private volatile boolean gaveUp;

    /**
     * @param scalar the kernel to serve with until the switch
     * @param vector loads the kernel to switch to, writing the same bytes; null where it cannot run
     * @param warmUp warms that kernel up and tells whether it may be used
     */
    WarmingGfKernel(GfKernel scalar, Supplier<GfKernel> vector, Function<GfKernel, VectorWarmUp.Outcome> warmUp) {
        this.scalar = scalar;
        this.vector = vector;
        this.warmUp = warmUp;
        this.current = scalar;
    }

    /**
     * The vector kernel's name, which this kernel runs after its warm-up; the scalar kernel's
     * where the vector kernel cannot run or the warm-up gave up. Loads the vector kernel.
     */
    @Override
    public String name() {
        GfKernel target = gaveUp ? null : vector.get();
        return target == null ? scalar.name() : target.name();
    }

    /** Rows with the tables of both kernels. */
    @Override
    public CodingRows rows(int[][] coefficients, int columns) {
        return new CodingRows(coefficients, columns, true);
    }

    @Override
    public void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length) {
        current.apply(rows, cells, inputs, outputs, offset, length);
    }

    /** Starts the warm-up thread, once. */
    @Override
    public void codecCreated() {
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(this::warmUp, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The warm-up's outcome, completed once this kernel switched or stays scalar; never before a codec is made. */
    CompletableFuture<VectorWarmUp.Outcome> warmUpOutcome() {
        return outcome;
    }

    /** Whether calls now go to the vector kernel. */
    boolean switched() {
        return current != scalar;
    }

    private void warmUp() {
        try {
            GfKernel target = vector.get();
            VectorWarmUp.Outcome result = target == null
                    ? new VectorWarmUp.Outcome(0, 0, 0, "the vector kernel cannot run in this JVM "
                            + "(-D" + GfKernels.PROPERTY + "=" + GfKernels.VECTOR + " says why)")
                    : warmUp.apply(target);
            if (result.succeeded()) {
                current = target;
                log().info("Reed-Solomon switched from the scalar kernel to {}: compiled after {} warm-up rounds, {} ms "
                        + "({} ms CPU)", target.name(), result.rounds(), result.wallNanos() / 1_000_000,
                        result.cpuNanos() / 1_000_000);
            } else {
                gaveUp = true;
                log().warn("Reed-Solomon keeps the scalar kernel: {}", result.failure());
            }
            outcome.complete(result);
        } catch (RuntimeException | LinkageError e) {
            gaveUp = true;
            log().warn("Reed-Solomon keeps the scalar kernel: the vector kernel's warm-up failed", e);
            outcome.completeExceptionally(e);
        }
    }

    /** Looked up on the warm-up thread only, so that a fresh JVM sets its logging up off the first stripe's path. */
    private static Logger log() {
        return LoggerFactory.getLogger(WarmingGfKernel.class);
    }
}
