package io.checkstripe.core;

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
 * The one place where checkstripe makes a file survive a crash, in the order Kafka's
 * {@code CheckpointFile} uses: write a temp file beside the target, force it, move it over the target
 * atomically, then fsync the directory so the new name survives a power loss too. A crash at any instant
 * leaves the old content or the new, never a torn mix. The store's files, the restored checkpoint, the
 * broker's configuration and the bench's results all go through here.
 *
 * <p>A failed write that ran out of space is reported as a {@link DiskFullException} (see
 * {@link #writeFailure}), so no caller has to read the operating system's message text.
 *
 * <p>Stateless and thread-safe; callers serialise writes to the same path.
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /**
     * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new file,
     * creating the target's directory when it is missing.
     */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        writeAtomically(FileChannels.DEFAULT, abs, content);
    }

    /** Replaces {@code target} with {@code content} so that a crash leaves either the old or the new file. */
    public static void writeAtomically(FileChannels channels, Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            writeFile(channels, temp, content, true);
        } catch (IOException e) {
            throw writeFailure(target, content.length, e);
        }
        moveDurably(channels, temp, target);
    }

    /**
     * Renames {@code forcedTemp} (whose content the caller has forced) over {@code target} atomically and
     * fsyncs the directory, so the new name survives a power loss. Both must be in the same directory.
     */
    public static void moveDurably(Path forcedTemp, Path target) throws IOException {
        moveDurably(FileChannels.DEFAULT, forcedTemp, target);
    }

    private static void moveDurably(FileChannels channels, Path forcedTemp, Path target) throws IOException {
        try {
            Files.move(forcedTemp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically on this file system", e);
        }
        fsyncDirectory(channels, target.toAbsolutePath().getParent());
    }

    /**
     * Writes {@code content} to {@code file} (created, or truncated), forcing it when {@code force}; a failed
     * write deletes the file and rethrows, for the caller to report with {@link #writeFailure}.
     */
    public static void writeFile(FileChannels channels, Path file, byte[] content, boolean force) throws IOException {
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
    public static void fsyncDirectory(Path dir) throws IOException {
        fsyncDirectory(FileChannels.DEFAULT, dir);
    }

    /** Same as {@link #fsyncDirectory(Path)}, through {@code channels} (which tests count or make fail). */
    public static void fsyncDirectory(FileChannels channels, Path dir) throws IOException {
        try (FileChannel ch = channels.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes {@code path} and everything under it; a missing path is not an error. */
    public static void deleteRecursively(Path path) throws IOException {
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
    public static void copyRegion(FileChannel source, long position, long length, Path target) throws IOException {
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
        moveDurably(temp, target);
    }

    /**
     * The exception to throw for a failed write of {@code bytes} bytes to {@code path}: a
     * {@link DiskFullException} when the file system has no room left (by the error the operating system
     * gave, or by the usable space being below what the write needed), else an {@code IOException} naming
     * the file, so an operator reading the log knows what to do.
     */
    public static IOException writeFailure(Path path, long bytes, IOException cause) {
        if (cause instanceof DiskFullException) {
            return cause;
        }
        long usable = -1;
        try {
            Path existing = path.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                usable = Files.getFileStore(existing).getUsableSpace();
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        if (isOutOfSpace(cause) || (usable >= 0 && usable < bytes)) {
            return new DiskFullException(path, bytes, usable, cause);
        }
        return new IOException("write failed: cannot write " + bytes + " bytes to " + path
                + (usable >= 0 ? " (" + usable + " bytes usable on its file system)" : "") + ": " + cause.getMessage(),
                cause);
    }

    /**
     * {@code cause} as a {@link DiskFullException} when the operating system reported it as no space left or
     * quota exceeded (a failed fsync or mkdir, where no byte count applies), else {@code cause} itself.
     */
    public static IOException recognizeDiskFull(Path path, IOException cause) {
        if (cause instanceof DiskFullException || !isOutOfSpace(cause)) {
            return cause;
        }
        return new DiskFullException(path, 0, -1, cause);
    }

    /**
     * Whether the JDK reported ENOSPC or EDQUOT. Java gives no error code for a failed write, only the
     * text of {@code strerror}, so this is the one place that reads it.
     */
    private static boolean isOutOfSpace(IOException e) {
        String reason = String.valueOf(e.getMessage());
        return reason.contains("No space left") || reason.contains("Disk quota");
    }
}
