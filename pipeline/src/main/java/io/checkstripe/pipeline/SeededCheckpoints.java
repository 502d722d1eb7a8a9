package io.checkstripe.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Checkpoint files of seeded pseudo-random bytes, for whatever runs a pipeline without an application of its
 * own (the demo, the benchmark, tests): incompressible like real state, so neither Kafka nor a disk gets an
 * easy ride, and the same size and seed always give the same bytes, so a run can be repeated. Stateless.
 */
public final class SeededCheckpoints {

    /** The seed of {@link #generate(Path, long)}. */
    public static final long DEFAULT_SEED = 42;

    private SeededCheckpoints() {
    }

    /** Writes {@code size} bytes of seed {@value #DEFAULT_SEED} to {@code target}; returns {@code target}. */
    public static Path generate(Path target, long size) throws IOException {
        return generate(target, size, DEFAULT_SEED);
    }

    /** Writes {@code size} bytes of {@code seed} to {@code target}; returns {@code target}. */
    public static Path generate(Path target, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream os = Files.newOutputStream(target)) {
            for (long left = size; left > 0; ) {
                random.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                os.write(buf, 0, n);
                left -= n;
            }
        }
        return target;
    }
}
