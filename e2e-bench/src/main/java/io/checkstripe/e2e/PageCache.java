package io.checkstripe.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drops files from the operating system's page cache, so that a benchmark's timed read starts cold, as a restore
 * after a failover reads data written long before. Java has no {@code posix_fadvise}; GNU {@code dd} does it for a
 * whole file with {@code iflag=nocache count=0} (clean pages only, which is all a store holds once forced).
 */
final class PageCache {

    private PageCache() {
    }

    /**
     * Drops {@code files} from the page cache.
     *
     * @throws IOException naming the file and dd's complaint when dd is missing or refuses (not GNU dd, say)
     */
    static void evict(List<Path> files) throws IOException {
        for (Path file : files) {
            Process dd = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none")
                    .redirectErrorStream(true).start();
            try {
                String output = new String(dd.getInputStream().readAllBytes()).strip();
                if (!dd.waitFor(30, TimeUnit.SECONDS) || dd.exitValue() != 0) {
                    dd.destroyForcibly();
                    throw new IOException("dd could not drop " + file + " from the page cache: " + output);
                }
            } catch (InterruptedException e) {
                dd.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while dropping " + file + " from the page cache", e);
            }
        }
    }
}
