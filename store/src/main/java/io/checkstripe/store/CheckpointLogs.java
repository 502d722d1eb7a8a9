package io.checkstripe.store;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints a store has in use, one {@link CellLog} each, created on first use and loaded lazily: a
 * log's index is built by {@link CellLogRecovery} the first time a call needs it, and its manifest is read
 * the first time one is asked for. Logs a crash may have torn are loaded at open, from their recovery points.
 * It also lists the store's applications and checkpoints and checks what is appended against what is held.
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
     * The applications with a directory under {@code apps/} or with cells still buffered (whose directory may
     * not exist yet), sorted. Reads directories only: a listing never writes.
     */
    List<String> apps() throws IOException {
        Set<String> apps = new TreeSet<>();
        logs.values().stream().filter(CellLog::hasPending).forEach(l -> apps.add(l.ref.appId()));
        listDirectories(layout.appsDir(), AppId::isValid, "not a valid application id", apps::add);
        return List.copyOf(apps);
    }

    /** The checkpoints of {@code app} with a directory or with cells still buffered, ascending; never writes. */
    List<Long> checkpoints(String app) throws IOException {
        Path appDir = layout.appDir(app);
        Set<Long> ids = new TreeSet<>();
        logs.values().stream().filter(l -> l.hasPending() && l.ref.appId().equals(app))
                .forEach(l -> ids.add(l.ref.checkpointId()));
        listDirectories(appDir, StoreLayout::isCheckpointName, "not a checkpoint directory",
                name -> ids.add(Long.parseLong(name)));
        return List.copyOf(ids);
    }

    /** Passes the names of the subdirectories of {@code dir} that {@code valid} accepts; warns of the others. */
    private static void listDirectories(Path dir, Predicate<String> valid, String otherwise, Consumer<String> names)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (valid.test(name)) {
                    names.accept(name);
                } else {
                    log.warn("ignoring {}: {}", d, otherwise);
                }
            }
        }
    }

    /**
     * Whether the log already holds an intact copy of the cell {@code h} describes, so that appending it again
     * would duplicate it. A copy stored corrupt does not count: the cell is appended again and supersedes it.
     *
     * @throws CheckpointConflictException when the cell contradicts the checkpoint's other cells or manifest, or
     *                                      the same key is stored with other lengths or another CRC
     */
    boolean holdsIntact(CellLog l, CellHeader h) throws IOException {
        checkConsistent(l, h.policy(), h.servers(), "cell " + h.key());
        CellLog.Entry existing = l.index().get(h.key());
        if (existing == null) {
            return false;
        }
        if (existing.segmentOffset() != h.segmentOffset() || existing.segmentLength() != h.segmentLength()
                || existing.cellLength() != h.cellLength() || existing.crc32c() != h.crc32c()) {
            throw new CheckpointConflictException(h.appId(), h.checkpointId(), "cell " + h + " differs from the stored "
                    + l.header(h.key(), existing));
        }
        if (CellReads.dataIntact(l, existing)) {
            return true;
        }
        log.warn("{}: {} is stored corrupt at position {} of {}; appending the copy offered", l.ref, h.key(),
                existing.position(), l.file);
        return false;
    }

    /**
     * Whether the checkpoint already has this manifest (stored or pending).
     *
     * @throws CheckpointConflictException when it has another one, or its cells have another policy or servers
     */
    boolean holdsManifest(CellLog l, StoredManifest manifest) throws IOException {
        checkConsistent(l, manifest.policy(), manifest.servers(), "manifest");
        StoredManifest existing = manifest(l);
        if (existing != null && !existing.equals(manifest)) {
            throw new CheckpointConflictException(manifest.appId(), manifest.checkpointId(), "manifest " + manifest
                    + " differs from the stored " + existing);
        }
        return existing != null;
    }

    /**
     * Checks (indexing the log first) that a cell or manifest with {@code policy} over {@code servers} servers
     * agrees with the checkpoint's cells and manifest.
     */
    void checkConsistent(CellLog l, String policy, int servers, String what) throws IOException {
        index(l);
        String problem = null;
        if (l.policy() != null && (!l.policy().equals(policy) || l.servers() != servers)) {
            problem = "the checkpoint's cells " + l.policy() + " over " + l.servers();
        }
        StoredManifest m = problem == null ? manifest(l) : null;
        if (m != null && (!m.policy().equals(policy) || m.servers() != servers)) {
            problem = "the manifest " + m.policy() + " over " + m.servers();
        }
        if (problem != null) {
            throw new CheckpointConflictException(l.ref.appId(), l.ref.checkpointId(), what + " has policy " + policy
                    + " over " + servers + " servers, " + problem);
        }
    }

    /** The keys of the cells {@code server} should hold: cell j of stripe s is on server (s + j) mod N. */
    static List<CellKey> cellsOnServer(StoredManifest m, int server) {
        int cellsPerStripe = RedundancyPolicy.parse(m.policy()).totalCells();
        List<CellKey> keys = new ArrayList<>();
        for (int s = 0; s < m.segmentCount() && server < m.servers(); s++) {
            int cell = CellLayout.cellOn(s, server, m.servers(), cellsPerStripe);
            if (cell >= 0) {
                keys.add(new CellKey(s, cell));
            }
        }
        return keys;
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
