package io.checkstripe.sink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The store's durable file operations, in the order Kafka's {@code CheckpointFile} uses them: write a temp
 * file, force it, move it over the target atomically, then fsync the directory so the new name survives a
 * power loss too. Stateless and thread-safe; callers serialise writes to the same path.
 */
final class DurableFiles {

    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code content} so that a crash leaves either the old or the new file. */
    static void writeAtomically(FileChannels channels, Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            writeFile(channels, temp, content, true);
        } catch (IOException e) {
            throw writeFailure(target, content.length, e);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically on this file system", e);
        }
        fsyncDirectory(channels, target.getParent());
    }

    /**
     * Writes {@code content} to {@code file} (created, or truncated), forcing it when {@code force}; a failed
     * write deletes the file and rethrows, for the caller to report with {@link #writeFailure}.
     */
    static void writeFile(FileChannels channels, Path file, byte[] content, boolean force) throws IOException {
        try (FileChannel ch = channels.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (force) {
                ch.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Makes the entries of {@code dir} (names created, moved or deleted in it) durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        fsyncDirectory(FileChannels.DEFAULT, dir);
    }

    /** Same as {@link #fsyncDirectory(Path)}, through {@code channels} (which tests count or make fail). */
    static void fsyncDirectory(FileChannels channels, Path dir) throws IOException {
        try (FileChannel ch = channels.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes {@code path} and everything under it; a missing path is not an error. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Copies {@code length} bytes of {@code source} from {@code position} into a new file {@code target} and
     * makes the copy durable; an existing target is kept (the same region was quarantined before).
     */
    static void copyRegion(FileChannel source, long position, long length, Path target) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < length) {
                long n = source.transferTo(position + done, length - done, out);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw writeFailure(target, length, e);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(target.getParent());
    }

    /**
     * An exception for a failed write of {@code bytes} bytes to {@code path} that says whether the disk is
     * full, so an operator reading the sink's log knows what to do.
     */
    static IOException writeFailure(Path path, long bytes, IOException cause) {
        long usable = -1;
        try {
            Path existing = path;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                usable = Files.getFileStore(existing).getUsableSpace();
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        String reason = String.valueOf(cause.getMessage());
        boolean full = reason.contains("No space left") || reason.contains("Disk quota") || (usable >= 0 && usable < bytes);
        String message = (full ? "disk full: " : "write failed: ") + "cannot write " + bytes + " bytes to " + path
                + (usable >= 0 ? " (" + usable + " bytes usable on its file system)" : "") + ": " + reason;
        return new IOException(message, cause);
    }
}
