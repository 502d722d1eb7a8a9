package io.checkstripe.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;

import io.checkstripe.core.DurableFiles;

/**
 * Recreates a directory from an archive stream ({@link DirectoryArchive}'s format) in two phases, so the
 * caller can check the stream's SHA-256 before the directory appears: {@link #stage} writes everything into a
 * fresh directory {@code .<name>.restoring-<random>} beside the target, and {@link StagedDirectory#commit()}
 * renames it into place atomically; closing without committing deletes it.
 *
 * <p>Nothing is written outside the staging directory, whatever the stream holds: the reader
 * refuses absolute paths, {@code .}, {@code ..} and empty names, NUL and backslash, duplicates, entries below
 * a file or a link, and links that could reach outside; files are created new ({@code O_EXCL}) and never
 * through a link, and links are created last, after every entry and the end record have been checked. A
 * refused stream throws {@link ArchiveFormatException} naming the entry, and the staging directory is gone.
 *
 * <p>Each file is forced to disk with its mode and mtime; directories get theirs at commit, after their
 * children, and are forced then. Stateless and thread-safe; a staged directory is not.
 */
public final class DirectoryExtractor {

    private DirectoryExtractor() {
    }

    /**
     * Reads {@code in} to its end into a staging directory beside {@code target}.
     *
     * @param in     the archive stream; read to its last byte, not closed
     * @param target where {@link StagedDirectory#commit()} puts the directory; must not exist or be an empty
     *               directory, and its parent must exist
     * @throws FileAlreadyExistsException when {@code target} exists and is not an empty directory
     * @throws ArchiveFormatException     when the stream is truncated, malformed or unsafe
     */
    public static StagedDirectory stage(InputStream in, Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot restore a directory onto the file system root " + target);
        }
        checkTargetFree(absolute);
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".restoring-");
        boolean posix = Files.getFileStore(staging).supportsFileAttributeView(PosixFileAttributeView.class);
        StagedDirectory staged = new StagedDirectory(staging, absolute, posix);
        try {
            extract(new ArchiveReader(in), staged);
            return staged;
        } catch (IOException | RuntimeException e) {
            try {
                staged.close();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Refuses a {@code target} that exists and is anything but an empty directory (a link to one included),
     * so a restore never destroys data.
     */
    static void checkTargetFree(Path target) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!a.isDirectory()) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "restore target exists and is not a directory; remove it or choose another");
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(target)) {
            if (children.iterator().hasNext()) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "restore target is a directory that is not empty; nothing was changed");
            }
        }
    }

    private static void extract(ArchiveReader reader, StagedDirectory staged) throws IOException {
        ArchiveReader.Header header = reader.readHeader();
        for (ArchiveEntry e = reader.next(); e != null; e = reader.next()) {
            Path path = ArchivePaths.resolve(staged.stagingDirectory(), e.path());
            switch (e.type()) {
                case DIRECTORY -> {
                    Files.createDirectory(path);
                    staged.addDirectory(e);
                }
                case FILE -> writeFile(reader, e, path, staged.posix());
                case SYMLINK -> staged.addLink(e);
            }
        }
        // Only now, with every entry and the end record checked, may links exist: no write can pass through one.
        for (ArchiveEntry link : staged.links()) {
            Path path = ArchivePaths.resolve(staged.stagingDirectory(), link.path());
            Files.createSymbolicLink(path, path.getFileSystem().getPath(link.target()));
            Attributes.set(path, link.modifiedMillis(), -1);
        }
        staged.staged(header.rootMode(), header.rootModifiedMillis(), reader.summary());
    }

    private static void writeFile(ArchiveReader reader, ArchiveEntry file, Path path, boolean posix)
            throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            reader.readContent(file, (b, off, len) -> {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
            });
            Attributes.set(path, file.modifiedMillis(), posix ? file.mode() : -1);
            // Forced after the mode and mtime, through the descriptor opened before them, so the file's inode
            // is durable whatever permissions it now has.
            ch.force(true);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(path, file.size(), e);
        }
    }
}
