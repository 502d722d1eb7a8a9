package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's data directory as a whole, as Kafka's {@code LogManager} handles a log directory: creating it,
 * locking it against a second writer, {@code store.properties} (format version and owning server), the
 * upgrade of format-1 stores, {@code trash/} (emptied at open) and the durable deletion of checkpoints.
 *
 * <p>{@code store.properties} is a Java properties file in US-ASCII, written once, durably, when the store is
 * created (and again when a format-1 store is upgraded):
 * <pre>
 * format.version=2
 * server.index=I
 * </pre>
 * Format 1 differs only in keeping the commit state in one file; {@link CommitStateSlots} moves it into a slot
 * before the properties say format 2, so a crash during the upgrade leaves a store that still opens.
 *
 * <p>Not thread-safe: {@link CellStore} calls it under its lock.
 */
final class StoreDirectory implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(StoreDirectory.class);

    static final int FORMAT_VERSION = 2;
    /** Format 1 kept the commit state in one file; such stores are read, and upgraded when opened for writing. */
    static final int LEGACY_FORMAT_VERSION = 1;

    private final StoreLayout layout;
    private final int serverIndex;
    /** Holds the writer's lock; null when read-only. */
    private final FileChannel lockChannel;
    private final CommitStateSlots slots;

    private StoreDirectory(StoreLayout layout, int serverIndex, FileChannel lockChannel, CommitStateSlots slots) {
        this.layout = layout;
        this.serverIndex = serverIndex;
        this.lockChannel = lockChannel;
        this.slots = slots;
    }

    /**
     * Creates the store if the directory is missing or empty, locks it, checks that it belongs to
     * {@code serverIndex}, finishes deletions a crash interrupted and upgrades a format-1 store.
     */
    static StoreDirectory openForWriting(StoreLayout layout, int serverIndex, FileChannels channels)
            throws IOException {
        Path dir = layout.root();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            DurableFiles.fsyncDirectory(dir.getParent());
        }
        FileChannel lockChannel = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            lock(lockChannel, dir);
            int formatVersion = FORMAT_VERSION;
            if (Files.exists(layout.properties())) {
                StoreProperties p = readProperties(layout);
                formatVersion = p.formatVersion();
                if (p.serverIndex() != serverIndex) {
                    throw new IllegalArgumentException("data directory " + dir + " belongs to server "
                            + p.serverIndex() + ", not to server " + serverIndex);
                }
            } else {
                createStore(layout, serverIndex, channels);
            }
            for (Path sub : List.of(layout.appsDir(), layout.quarantineDir(), layout.trashDir())) {
                if (!Files.isDirectory(sub)) {
                    Files.createDirectory(sub);
                    DurableFiles.fsyncDirectory(dir);
                }
            }
            emptyTrash(layout.trashDir());
            CommitStateSlots slots = CommitStateSlots.open(layout, channels);
            if (formatVersion != FORMAT_VERSION) {
                writeProperties(layout, serverIndex, channels); // only once the state is in its slot
                log.info("upgraded cell store {} from format {} to {}", dir, formatVersion, FORMAT_VERSION);
            }
            return new StoreDirectory(layout, serverIndex, lockChannel, slots);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    /** Opens an existing store without the lock and without writing anything. */
    static StoreDirectory openReadOnly(StoreLayout layout) throws IOException {
        if (!Files.exists(layout.properties())) {
            throw new NoSuchFileException(layout.properties().toString(), null, "not a cell store");
        }
        return new StoreDirectory(layout, readProperties(layout).serverIndex(), null, null);
    }

    StoreLayout layout() {
        return layout;
    }

    int serverIndex() {
        return serverIndex;
    }

    /** Where a writable store's commit state is written; null when read-only. */
    CommitStateSlots slots() {
        return slots;
    }

    /**
     * Deletes a checkpoint's directory: it is renamed into {@code trash/} (and the rename made durable) before
     * its files are deleted, so a crash never leaves half a checkpoint under {@code apps/}. An application
     * directory left empty is deleted too.
     *
     * @return whether the checkpoint had a directory
     */
    boolean deleteCheckpoint(String app, long checkpointId) throws IOException {
        Path dir = layout.checkpointDir(app, checkpointId);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        Path trash = layout.trashFor(app, checkpointId, System.nanoTime());
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(dir.getParent());
        DurableFiles.fsyncDirectory(trash.getParent());
        DurableFiles.deleteRecursively(trash);
        Path appDir = dir.getParent();
        try (DirectoryStream<Path> rest = Files.newDirectoryStream(appDir)) {
            if (!rest.iterator().hasNext()) {
                Files.delete(appDir);
                DurableFiles.fsyncDirectory(layout.appsDir());
            }
        }
        return true;
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        if (lockChannel != null) {
            lockChannel.close();
        }
    }

    private static void lock(FileChannel lockChannel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IOException("data directory " + dir + " is in use by another cell store");
        }
    }

    private static void createStore(StoreLayout layout, int serverIndex, FileChannels channels) throws IOException {
        Path dir = layout.root();
        Files.deleteIfExists(layout.propertiesTemp()); // a creation interrupted by a crash
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> !p.getFileName().toString().equals(StoreLayout.LOCK))) {
            if (entries.iterator().hasNext()) {
                throw new IOException("data directory " + dir + " is not empty and holds no cell store ("
                        + StoreLayout.PROPERTIES + " is missing)");
            }
        }
        writeProperties(layout, serverIndex, channels);
        log.info("created cell store {} for server {}", dir, serverIndex);
    }

    private static void writeProperties(StoreLayout layout, int serverIndex, FileChannels channels)
            throws IOException {
        String text = "# checkstripe backup-sink cell store; do not edit\nformat.version=" + FORMAT_VERSION
                + "\nserver.index=" + serverIndex + "\n";
        DurableFiles.writeAtomically(channels, layout.properties(), text.getBytes(StandardCharsets.US_ASCII));
    }

    /** What {@code store.properties} says. */
    private record StoreProperties(int formatVersion, int serverIndex) {
    }

    private static StoreProperties readProperties(StoreLayout layout) throws IOException {
        Path file = layout.properties();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            p.load(r);
        }
        String version = p.getProperty("format.version");
        int formatVersion;
        if (String.valueOf(FORMAT_VERSION).equals(version)) {
            formatVersion = FORMAT_VERSION;
        } else if (String.valueOf(LEGACY_FORMAT_VERSION).equals(version)) {
            formatVersion = LEGACY_FORMAT_VERSION;
        } else {
            throw new IOException(file + " has format.version " + version + ", this store reads "
                    + LEGACY_FORMAT_VERSION + " and " + FORMAT_VERSION);
        }
        try {
            int index = Integer.parseInt(String.valueOf(p.getProperty("server.index")).trim());
            if (index >= 0) {
                return new StoreProperties(formatVersion, index);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(file + " has no valid server.index (" + p.getProperty("server.index") + ")");
    }

    private static void emptyTrash(Path trash) throws IOException {
        try (DirectoryStream<Path> left = Files.newDirectoryStream(trash)) {
            for (Path p : left) {
                log.info("finishing the deletion of {}", p);
                DurableFiles.deleteRecursively(p);
            }
        }
    }
}
