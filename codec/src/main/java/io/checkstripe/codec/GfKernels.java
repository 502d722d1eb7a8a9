package io.checkstripe.codec;

import java.util.Locale;

/**
 * Chooses the {@link GfKernel} of this JVM, once. The vector kernel is used when the incubator
 * module {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and the platform has vectors of at least 128 bits,
 * behind a {@link WarmingGfKernel} that serves with the scalar kernel until C2 has compiled it;
 * otherwise the scalar kernel. The system property {@value #PROPERTY} ({@code auto}, the default,
 * {@code scalar} or {@code vector}) chooses otherwise: {@code scalar} and {@code vector} force that
 * kernel from the first call, without switching, so that tests and benchmarks measure each
 * alone. Forcing {@code vector} where it cannot load is an error rather than a silent fallback.
 * {@link VectorGfKernel} is loaded by name, so this class runs on a JVM without the module.
 * Thread-safe.
 */
final class GfKernels {

    static final String PROPERTY = "checkstripe.codec.kernel";
    static final String SCALAR = "scalar";
    static final String VECTOR = "vector";
    static final String AUTO = "auto";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private GfKernels() {
    }

    /** The kernel named {@code scalar} or {@code vector}. */
    static GfKernel named(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(SCALAR)) {
            return ScalarGfKernel.INSTANCE;
        }
        if (!n.equals(VECTOR)) {
            throw new IllegalArgumentException("unknown Reed-Solomon kernel '" + name + "': expected " + SCALAR
                    + " or " + VECTOR);
        }
        if (Vector.KERNEL == null) {
            throw new IllegalArgumentException("the vector kernel needs the JVM option --add-modules " + VECTOR_MODULE
                    + " and vectors of at least 128 bits: " + Vector.WHY_NOT);
        }
        return Vector.KERNEL;
    }

    /**
     * The kernel a value of {@value #PROPERTY} selects: {@code auto} this JVM's one
     * {@link WarmingGfKernel} where the vector module is present (it loads the vector kernel on
     * its own thread and stays scalar where that cannot run), else the scalar kernel;
     * {@code scalar} or {@code vector} that kernel.
     *
     * @throws IllegalArgumentException as {@link #named(String)}
     */
    static GfKernel select(String value) {
        if (value.trim().equalsIgnoreCase(AUTO)) {
            return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent() ? Warming.KERNEL : ScalarGfKernel.INSTANCE;
        }
        return named(value);
    }

    /** The vector kernel, or null where it cannot run. */
    static GfKernel vector() {
        return Vector.KERNEL;
    }

    /**
     * The kernel {@link ReedSolomon#create(int, int)} uses.
     *
     * @throws IllegalStateException if {@value #PROPERTY} names no kernel, or the vector kernel
     *     where it cannot run
     */
    static GfKernel selected() {
        if (Selected.KERNEL == null) {
            throw new IllegalStateException("system property " + PROPERTY + ": " + Selected.PROBLEM);
        }
        return Selected.KERNEL;
    }

    /** Lazy holder: loads the vector kernel on first use. */
    private static final class Vector {
        static final String WHY_NOT;
        static final GfKernel KERNEL;
        static final int BYTES;

        static {
            String whyNot = null;
            GfKernel kernel = null;
            int bytes = 0;
            if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
                whyNot = "module " + VECTOR_MODULE + " is not in the boot layer";
            } else {
                try {
                    Class<?> type = Class.forName(GfKernels.class.getPackageName() + ".VectorGfKernel");
                    kernel = (GfKernel) type.getDeclaredField("INSTANCE").get(null);
                    bytes = (Integer) type.getDeclaredMethod("vectorBytes").invoke(null);
                    if (bytes < 16) {
                        whyNot = "the preferred vector has only " + bytes + " bytes";
                        kernel = null;
                    }
                } catch (ReflectiveOperationException | LinkageError e) {
                    whyNot = "loading VectorGfKernel failed: " + e;
                }
            }
            WHY_NOT = whyNot;
            KERNEL = kernel;
            BYTES = bytes;
        }
    }

    /** Lazy holder: the switching kernel, made only where the vector module is present. */
    private static final class Warming {
        static final WarmingGfKernel KERNEL = new WarmingGfKernel(ScalarGfKernel.INSTANCE, GfKernels::vector,
                vector -> new VectorWarmUp((VectorWarmUp.Passes) vector, ScalarGfKernel.INSTANCE, Vector.BYTES).run());
    }

    /** Lazy holder: reads the system property on first use. */
    private static final class Selected {
        static final String PROBLEM;
        static final GfKernel KERNEL;

        static {
            GfKernel kernel = null;
            String problem = null;
            try {
                kernel = select(System.getProperty(PROPERTY, AUTO));
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            KERNEL = kernel;
            PROBLEM = problem;
        }
    }
}
