package io.checkstripe.store;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints a store has in use, one {@link CellLog} each, created on first use and loaded lazily: a
 * log's index is built by {@link CellLogRecovery} the first time a call needs it, and its manifest is read
 * the first time one is asked for. Logs a crash may have torn are loaded at open, from their recovery points.
 *
 * <p>Not thread-safe: {@link CellStore} guards it with its lock.
 */
final class CheckpointLogs {

    private static final Logger log = LoggerFactory.getLogger(CheckpointLogs.class);

    private final StoreLayout layout;
    private final boolean writable;
    private final Map<CheckpointRef, CellLog> logs = new HashMap<>();

    CheckpointLogs(StoreLayout layout, boolean writable) {
        this.layout = layout;
        this.writable = writable;
    }

    /** The checkpoint's log, created (in memory only) when it is not in use yet. */
    CellLog getOrCreate(CheckpointRef ref) {
        return logs.computeIfAbsent(ref, r -> new CellLog(r, layout));
    }

    /** The checkpoint's log if it is in use or has a directory, else null. */
    CellLog find(CheckpointRef ref) {
        CellLog l = logs.get(ref);
        if (l == null && Files.isDirectory(layout.checkpointDir(ref.appId(), ref.checkpointId()))) {
            l = getOrCreate(ref);
        }
        return l;
    }

    /** The checkpoint's log if it is in use, else null; never looks at the disk. */
    CellLog loaded(CheckpointRef ref) {
        return logs.get(ref);
    }

    CellLog remove(CheckpointRef ref) {
        return logs.remove(ref);
    }

    Collection<CellLog> all() {
        return logs.values();
    }

    /** The log's index, built on first use: with recovery and quarantine when writable, read-only otherwise. */
    NavigableMap<CellKey, CellLog.Entry> index(CellLog l) throws IOException {
        if (!l.loaded()) {
            if (writable) {
                CellLogRecovery.load(l, Long.MAX_VALUE, layout);
            } else {
                CellLogRecovery.loadReadOnly(l);
            }
        }
        return l.index();
    }

    /** The checkpoint's manifest (pending or stored), or null when it has none. */
    StoredManifest manifest(CellLog l) throws IOException {
        if (!l.manifestKnown()) {
            l.manifest(CellLogRecovery.readManifest(l, writable ? layout : null));
        }
        return l.manifest();
    }

    /** Checks, from each listed log's recovery point on, what a crash may have torn. */
    void recover(Map<CheckpointRef, Long> recoveryPoints) throws IOException {
        for (Map.Entry<CheckpointRef, Long> e : recoveryPoints.entrySet()) {
            CellLog l = find(e.getKey());
            if (l == null) {
                if (e.getValue() > 0) {
                    log.error("{}: checkpoint directory is missing although {} bytes of its cells were committed",
                            e.getKey(), e.getValue());
                }
                continue;
            }
            CellLogRecovery.load(l, e.getValue(), layout);
        }
    }

    /**
     * The applications, or with {@code app} the checkpoints of that application, that hold cells not written
     * yet: their directories may not exist, and listings show them all the same.
     */
    Set<String> appsWithBufferedCells() {
        Set<String> apps = new TreeSet<>();
        logs.values().stream().filter(CellLog::hasPending).forEach(l -> apps.add(l.ref.appId()));
        return apps;
    }

    Set<Long> checkpointsWithBufferedCells(String app) {
        Set<Long> ids = new TreeSet<>();
        logs.values().stream().filter(l -> l.hasPending() && l.ref.appId().equals(app))
                .forEach(l -> ids.add(l.ref.checkpointId()));
        return ids;
    }

    /** Closes every writer and forgets every log; returns the first failure, after trying them all. */
    IOException closeAll() {
        IOException first = null;
        for (CellLog l : logs.values()) {
            try {
                l.closeWriter();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        logs.clear();
        return first;
    }
}
