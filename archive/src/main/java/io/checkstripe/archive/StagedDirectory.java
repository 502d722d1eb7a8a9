package io.checkstripe.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.checkstripe.core.DurableFiles;

/**
 * A directory extracted by {@link DirectoryExtractor#stage} into its staging directory beside the target,
 * not yet visible there. The caller checks what it must (the stream's SHA-256) and then either
 * {@linkplain #commit() commits}, which renames the staging directory onto the target in one atomic step, or
 * {@linkplain #close() closes}, which deletes it: a crash before the rename leaves no target, after it a
 * whole one. A leftover {@code .<name>.restoring-*} directory after a crash is safe to delete.
 *
 * <p>Not thread-safe.
 */
public final class StagedDirectory implements AutoCloseable {

    private enum State { STAGING, STAGED, COMMITTED, DISCARDED }

    private final Path staging;
    private final Path target;
    private final boolean posix;
    private final List<ArchiveEntry> directories = new ArrayList<>();
    private final List<ArchiveEntry> links = new ArrayList<>();
    private int rootMode;
    private long rootModifiedMillis;
    private ArchiveSummary summary;
    private State state = State.STAGING;

    StagedDirectory(Path staging, Path target, boolean posix) {
        this.staging = staging;
        this.target = target;
        this.posix = posix;
    }

    /** Where {@link #commit()} puts the directory (absolute). */
    public Path target() {
        return target;
    }

    /** The directory holding the extracted tree until the commit. */
    public Path stagingDirectory() {
        return staging;
    }

    /** What the archive held. */
    public ArchiveSummary summary() {
        return summary;
    }

    /**
     * Gives every directory its mode and mtime (children before parents, so creating an entry no longer
     * touches them) and forces it, renames the staging directory onto the target atomically and forces the
     * parent directory, so the target survives a power loss once this returns.
     *
     * @throws FileAlreadyExistsException when something other than an empty directory appeared at the target
     *                                    since the stage; the staging directory is kept until {@link #close()}
     */
    public void commit() throws IOException {
        if (state != State.STAGED) {
            throw new IllegalStateException("cannot commit " + staging + ": it is " + state.name().toLowerCase());
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            ArchiveEntry d = directories.get(i);
            finishDirectory(ArchivePaths.resolve(staging, d.path()), d.mode(), d.modifiedMillis());
        }
        finishDirectory(staging, rootMode, rootModifiedMillis);
        DirectoryExtractor.checkTargetFree(target);
        try {
            DurableFiles.moveDurably(staging, target);
        } catch (IOException e) {
            if (!Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
                state = State.COMMITTED; // renamed; only forcing the parent failed
            } else {
                DirectoryExtractor.checkTargetFree(target); // names a target filled since the check above
            }
            throw e;
        }
        state = State.COMMITTED;
    }

    /** Deletes the staging directory unless it was committed; closing twice does nothing more. */
    @Override
    public void close() throws IOException {
        if (state == State.COMMITTED || state == State.DISCARDED) {
            return;
        }
        state = State.DISCARDED;
        if (posix) {
            // A failed commit may have made directories read-only; their entries could not be deleted.
            for (ArchiveEntry d : directories) {
                Path dir = ArchivePaths.resolve(staging, d.path());
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Attributes.setMode(dir, 0700);
                }
            }
            Attributes.setMode(staging, 0700);
        }
        DurableFiles.deleteRecursively(staging);
    }

    boolean posix() {
        return posix;
    }

    void addDirectory(ArchiveEntry directory) {
        directories.add(directory);
    }

    void addLink(ArchiveEntry link) {
        links.add(link);
    }

    List<ArchiveEntry> links() {
        return links;
    }

    /** Every entry is written: the root's attributes and the summary are known, and the commit may come. */
    void staged(int mode, long modifiedMillis, ArchiveSummary archived) {
        this.rootMode = mode;
        this.rootModifiedMillis = modifiedMillis;
        this.summary = archived;
        this.state = State.STAGED;
    }

    private void finishDirectory(Path dir, int mode, long modifiedMillis) throws IOException {
        // The descriptor is opened while the directory is still ours to read, so it can be forced whatever
        // mode it gets.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            Attributes.set(dir, modifiedMillis, posix ? mode : -1);
            ch.force(true);
        } catch (IOException e) {
            throw DurableFiles.recognizeDiskFull(dir, e);
        }
    }
}
