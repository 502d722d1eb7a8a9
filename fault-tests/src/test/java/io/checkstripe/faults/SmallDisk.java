package io.checkstripe.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, size-limited file system of the test's own, mounted on a directory: a tmpfs, or, where tmpfs cannot be
 * mounted, an ext4 image on a loop device. Space is taken away with a filler file written to the disk and given
 * back by deleting it, as an operator frees space. Mounting needs root in a mount-capable container; when neither
 * kind can be mounted, {@link #mount} fails with both reasons, so the scenario fails loudly instead of skipping.
 */
final class SmallDisk implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmallDisk.class);

    private final Path mountPoint;
    private final Path filler;
    private final String kind;

    private SmallDisk(Path mountPoint, String kind) {
        this.mountPoint = mountPoint;
        this.filler = mountPoint.resolve("filler");
        this.kind = kind;
    }

    /** Mounts a file system of {@code mib} MiB on {@code mountPoint} (created if missing). */
    static SmallDisk mount(Path mountPoint, int mib) {
        try {
            Files.createDirectories(mountPoint);
            String tmpfs = run("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", mountPoint.toString());
            if (tmpfs.isEmpty()) {
                return new SmallDisk(mountPoint, "tmpfs of " + mib + " MiB");
            }
            Path image = mountPoint.resolveSibling(mountPoint.getFileName() + ".ext4");
            String loop = run("truncate", "-s", mib + "M", image.toString());
            if (loop.isEmpty()) {
                loop = run("mkfs.ext4", "-q", "-F", image.toString());
            }
            if (loop.isEmpty()) {
                loop = run("mount", "-o", "loop", image.toString(), mountPoint.toString());
            }
            if (loop.isEmpty()) {
                return new SmallDisk(mountPoint, "ext4 loop device of " + mib + " MiB");
            }
            throw new AssertionError("scenario 9 needs a size-limited file system of its own and could mount none on "
                    + mountPoint + ": tmpfs: " + tmpfs + "; ext4 on a loop device: " + loop
                    + " (run the suite as root in a container that may mount, e.g. docker run --privileged)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return mountPoint;
    }

    /** Fills the disk with a filler file until only {@code freeBytes} are left (roughly: to the block). */
    void leaveFree(long freeBytes) {
        try {
            long usable = Files.getFileStore(mountPoint).getUsableSpace();
            long fill = usable - freeBytes;
            ByteBuffer block = ByteBuffer.allocate(1 << 20);
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                for (long left = fill; left > 0; ) {
                    block.clear().limit((int) Math.min(block.capacity(), left));
                    left -= ch.write(block);
                }
                ch.force(true);
            }
            log.info("{} on {}: {} bytes free after filling", kind, mountPoint, Files.getFileStore(mountPoint)
                    .getUsableSpace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fill " + mountPoint, e);
        }
    }

    /** Deletes the filler: the space it took is free again. */
    void free() {
        try {
            Files.deleteIfExists(filler);
            log.info("{} on {}: filler deleted, {} bytes free", kind, mountPoint,
                    Files.getFileStore(mountPoint).getUsableSpace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + filler, e);
        }
    }

    long usableSpace() {
        try {
            return Files.getFileStore(mountPoint).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String kind() {
        return kind;
    }

    /** Unmounts (lazily, in case a killed process still held a file). */
    @Override
    public void close() {
        try {
            String failed = run("umount", "-l", mountPoint.toString());
            if (!failed.isEmpty()) {
                log.warn("cannot unmount {}: {}", mountPoint, failed);
            }
        } catch (IOException e) {
            log.warn("cannot unmount {}: {}", mountPoint, e.toString());
        }
    }

    /** Runs a command; returns "" on exit code 0, otherwise its exit code and output. */
    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within 60 s";
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? "" : String.join(" ", List.of(command)) + " exited " + p.exitValue() + ": "
                    + output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
    }
}
