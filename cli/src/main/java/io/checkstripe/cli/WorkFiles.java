package io.checkstripe.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** The scratch files of {@code demo} and {@code bench}: generated checkpoints and work directories. Stateless. */
final class WorkFiles {

    private WorkFiles() {
    }

    /**
     * Writes {@code size} seeded pseudo-random bytes (incompressible, like real state); the same size
     * always gives the same bytes.
     */
    static Path generate(Path target, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
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

    /** Deletes {@code root} and everything under it; nothing when it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
