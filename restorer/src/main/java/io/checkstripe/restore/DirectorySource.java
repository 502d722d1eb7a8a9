package io.checkstripe.restore;

import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A backup server's data directory, read in place with {@link CellStore#openReadOnly}: no lock, no writes,
 * so it works on a copy, on a directory whose sink is down, and beside a running sink.
 *
 * <p>The store is opened on first use; a missing directory or one that holds no store fails then, with an
 * {@link IOException}, and the restorer counts the server as lost. The keys of each checkpoint are listed
 * once and kept, so streaming a checkpoint range by range costs one listing. Thread-safe.
 */
public final class DirectorySource implements CellSource {

    private final Path dir;
    private CellStore store;
    private final Map<String, NavigableSet<CellKey>> keys = new HashMap<>();

    /** A source for the store in {@code dir}; nothing is read yet. */
    public DirectorySource(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public int serverIndex() throws IOException {
        return store().serverIndex();
    }

    @Override
    public List<Long> checkpoints(String app) throws IOException {
        return store().checkpoints(app);
    }

    @Override
    public Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException {
        return store().manifest(app, checkpointId);
    }

    @Override
    public NavigableSet<CellKey> cellKeys(StoredManifest manifest) throws IOException {
        return keysOf(manifest.appId(), manifest.checkpointId());
    }

    @Override
    public CellStream cells(String app, long checkpointId, int fromSegment, int toSegment) throws IOException {
        if (fromSegment < 0 || toSegment < fromSegment) {
            throw new IllegalArgumentException("bad segment range [" + fromSegment + ", " + toSegment + ")");
        }
        CellStore s = store();
        Iterator<CellKey> range = keysOf(app, checkpointId)
                .subSet(new CellKey(fromSegment, 0), true, new CellKey(toSegment, 0), false).iterator();
        return new CellStream() {
            private CellKey current;

            @Override
            public Optional<CellKey> next() {
                current = range.hasNext() ? range.next() : null;
                return Optional.ofNullable(current);
            }

            @Override
            public Optional<CellReadResult> read() throws IOException {
                if (current == null) {
                    throw new IllegalStateException("no cell to read: call next() first");
                }
                CellKey k = current;
                current = null;
                return s.readCell(app, checkpointId, k.segmentIndex(), k.cellIndex());
            }

            @Override
            public void close() {
                // positional reads: nothing stays open between cells
            }
        };
    }

    @Override
    public Optional<CellReadResult> cell(String app, long checkpointId, int segment, int cell) throws IOException {
        return store().readCell(app, checkpointId, segment, cell);
    }

    @Override
    public synchronized void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    @Override
    public String toString() {
        return "directory " + dir;
    }

    private synchronized NavigableSet<CellKey> keysOf(String app, long checkpointId) throws IOException {
        String id = app + "/" + checkpointId;
        NavigableSet<CellKey> k = keys.get(id);
        if (k == null) {
            k = Collections.unmodifiableNavigableSet(new TreeSet<>(store().cells(app, checkpointId)));
            keys.put(id, k);
        }
        return k;
    }

    private synchronized CellStore store() throws IOException {
        if (store == null) {
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(dir.toString(), null, "no such data directory");
            }
            store = CellStore.openReadOnly(dir);
        }
        return store;
    }
}
