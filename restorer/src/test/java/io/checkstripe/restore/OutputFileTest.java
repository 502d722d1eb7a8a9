package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The restored file's write-behind: forces in the background while writing, and leaves nothing when dropped. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutputFileTest {

    private static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFileLongerThanSeveralWriteBehindStepsIsWrittenWhole() throws IOException {
        long chunks = 3 * OutputFile.FLUSH_EVERY_BYTES / CHUNK + 5;
        Path target = dir.resolve("restored.bin");
        try (OutputFile out = OutputFile.create(target, pool)) {
            for (long i = 0; i < chunks; i++) {
                out.write(chunk(i), 0, CHUNK);
            }
            out.commit();
        }
        assertThat(Files.size(target)).isEqualTo(chunks * CHUNK);
        byte[] read = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(target)) {
            for (long i = 0; i < chunks; i++) {
                assertThat(in.readNBytes(read, 0, CHUNK)).isEqualTo(CHUNK);
                assertThat(Arrays.equals(read, chunk(i))).as("chunk %d", i).isTrue();
            }
        }
        assertThat(files()).containsExactly(target);
    }

    @Test
    void manySmallPiecesFromSharedArraysAreWrittenInOrder() throws IOException {
        // Pieces of a few bytes to a few KiB, cut from arrays the writer thread still holds while more come.
        SplittableRandom random = new SplittableRandom(9);
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        Path target = dir.resolve("pieces.bin");
        try (OutputFile out = OutputFile.create(target, pool)) {
            for (int i = 0; i < 20_000; i++) {
                byte[] array = new byte[random.nextInt(1, 4096)];
                random.nextBytes(array);
                int off = random.nextInt(array.length);
                int len = random.nextInt(array.length - off + 1);
                out.write(array, off, len);
                expected.write(array, off, len);
            }
            out.commit();
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(expected.toByteArray());
        assertThat(files()).containsExactly(target);
    }

    @Test
    void closingWithoutACommitLeavesNoFileEvenWithAForceUnderWay() throws IOException {
        Path target = dir.resolve("dropped.bin");
        try (OutputFile out = OutputFile.create(target, pool)) {
            for (long i = 0; i < OutputFile.FLUSH_EVERY_BYTES / CHUNK + 1; i++) {
                out.write(chunk(i), 0, CHUNK);
            }
        }
        assertThat(files()).isEmpty();
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static byte[] chunk(long i) {
        byte[] b = new byte[CHUNK];
        new SplittableRandom(i).nextBytes(b);
        return b;
    }
}
