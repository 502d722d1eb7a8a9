package io.checkstripe.store;

import io.checkstripe.core.AppId;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every path of a backup server's data directory, so that the store, its tools and its tests name each file
 * the same way and no one rebuilds a path by hand.
 *
 * <h2>On-disk layout (format version 2)</h2>
 * <pre>
 * dataDir/
 *   store.properties       format.version=2, server.index=I (written once, durably, at creation)
 *   commit-state.0         committed offsets and the logs open for appending, in two slots written in
 *   commit-state.1           turn ({@code CommitStateSlots}; format 1 had one {@code commit-state} file)
 *   .lock                  held by the one writer
 *   apps/APP/CHECKPOINT/   CHECKPOINT = the checkpoint id in 20 zero-padded digits
 *     cells.log            the cells of that checkpoint on this server, appended in arrival order
 *     manifest             the checkpoint's manifest ({@link ManifestFormat})
 *     manifest.tmp         a manifest received since the last commit, renamed to {@code manifest} by it
 *   quarantine/            bytes the store could not understand, kept for inspection, never read
 *   trash/                 checkpoints being deleted
 * </pre>
 *
 * <p>Immutable and thread-safe. Application ids are validated, and an id that would resolve outside
 * {@code apps/} is refused.
 */
public final class StoreLayout {

    /** The name of every checkpoint's cell log. */
    public static final String CELL_LOG = "cells.log";
    /** The name of every checkpoint's manifest. */
    public static final String MANIFEST = "manifest";
    /** The name of a checkpoint's manifest before the commit that renames it. */
    public static final String MANIFEST_TEMP = MANIFEST + ".tmp";
    static final String PROPERTIES = "store.properties";
    static final String LOCK = ".lock";
    static final String APPS = "apps";
    static final String QUARANTINE = "quarantine";
    static final String TRASH = "trash";
    /** The single commit-state file of format 1, and the prefix of the two slots of format 2. */
    static final String COMMIT_STATE = "commit-state";

    private static final Pattern CHECKPOINT_NAME = Pattern.compile("\\d{20}");

    private final Path root;
    private final Path apps;

    private StoreLayout(Path root) {
        this.root = root;
        this.apps = root.resolve(APPS);
    }

    /** The layout of the store in {@code dataDir} (made absolute and normalised); nothing is read. */
    public static StoreLayout of(Path dataDir) {
        return new StoreLayout(Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize());
    }

    /** The data directory, absolute. */
    public Path root() {
        return root;
    }

    public Path properties() {
        return root.resolve(PROPERTIES);
    }

    /** Where {@code store.properties} is written before it is moved into place. */
    Path propertiesTemp() {
        return root.resolve(PROPERTIES + ".tmp");
    }

    Path lockFile() {
        return root.resolve(LOCK);
    }

    /** Commit-state slot {@code index} (0 or 1). */
    public Path commitStateSlot(int index) {
        if (index != 0 && index != 1) {
            throw new IllegalArgumentException("commit-state slot " + index + " is not 0 or 1");
        }
        return root.resolve(COMMIT_STATE + "." + index);
    }

    /** The single commit-state file of a format-1 store. */
    public Path legacyCommitState() {
        return root.resolve(COMMIT_STATE);
    }

    /** Where a format-1 store wrote its commit state before replacing the file with it. */
    public Path legacyCommitStateTemp() {
        return root.resolve(COMMIT_STATE + ".tmp");
    }

    public Path appsDir() {
        return apps;
    }

    public Path quarantineDir() {
        return root.resolve(QUARANTINE);
    }

    public Path trashDir() {
        return root.resolve(TRASH);
    }

    /** The application's directory, refusing any id that would resolve outside {@code apps/}. */
    public Path appDir(String app) {
        AppId.validate(app);
        Path dir = apps.resolve(app).normalize();
        if (!dir.startsWith(apps) || !apps.equals(dir.getParent())) {
            throw new IllegalArgumentException("application id " + AppId.describe(app) + " escapes " + apps);
        }
        return dir;
    }

    public Path checkpointDir(String app, long checkpointId) {
        return appDir(app).resolve(checkpointName(checkpointId));
    }

    public Path cellLog(String app, long checkpointId) {
        return checkpointDir(app, checkpointId).resolve(CELL_LOG);
    }

    public Path manifest(String app, long checkpointId) {
        return checkpointDir(app, checkpointId).resolve(MANIFEST);
    }

    public Path manifestTemp(String app, long checkpointId) {
        return checkpointDir(app, checkpointId).resolve(MANIFEST_TEMP);
    }

    /** Where a deleted checkpoint's directory is moved before its files are deleted. */
    Path trashFor(String app, long checkpointId, long uniquifier) {
        return trashDir().resolve(app + "-" + checkpointName(checkpointId) + "-" + uniquifier);
    }

    /** Where unreadable bytes of a checkpoint's file {@code fileName} are kept; {@code suffix} makes it unique. */
    Path quarantined(CheckpointRef ref, String fileName, String suffix) {
        String name = ref.appId() + "-" + checkpointName(ref.checkpointId()) + "-" + fileName + suffix;
        return quarantineDir().resolve(name);
    }

    /** The name of a checkpoint's directory: its id in 20 zero-padded digits, so names sort as ids do. */
    public static String checkpointName(long checkpointId) {
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " is negative");
        }
        return String.format(Locale.ROOT, "%020d", checkpointId);
    }

    /** Whether a directory name under an application's directory is a checkpoint's. */
    public static boolean isCheckpointName(String name) {
        return CHECKPOINT_NAME.matcher(name).matches();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreLayout other && root.equals(other.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
