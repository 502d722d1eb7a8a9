package io.checkstripe.restore;

import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A repair onto a store this process has open: cells go straight into the store as they are rebuilt, and a
 * checkpoint that then fails its SHA-256 is deleted from the store again. The store's {@code append} skips
 * cells it holds intact and supersedes corrupt ones. The commit records no consumer offsets: a sink started
 * on the store replays what its partition still holds. The store stays the caller's to close.
 */
public final class StoreTarget implements RepairTarget {

    private final CellStore store;

    public StoreTarget(CellStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public int serverIndex() {
        return store.serverIndex();
    }

    @Override
    public String location() {
        return store.dataDir().toString();
    }

    @Override
    public boolean holdsComplete(StoredManifest manifest) throws IOException {
        Optional<StoredManifest> held = store.manifest(manifest.appId(), manifest.checkpointId());
        return held.isPresent() && held.get().equals(manifest)
                && store.isComplete(manifest.appId(), manifest.checkpointId());
    }

    @Override
    public Writer begin(StoredManifest manifest) {
        return new Writer() {
            private long cells;
            private long bytes;

            @Override
            public void offer(StoredCell cell) throws IOException {
                if (store.append(cell)) {
                    cells++;
                    bytes += cell.data().length;
                }
            }

            @Override
            public Written commit() throws IOException {
                store.putManifest(manifest);
                store.commit(Map.of());
                return new Written(cells, bytes);
            }

            @Override
            public void abort() throws IOException {
                if (cells > 0) {
                    store.delete(manifest.appId(), manifest.checkpointId());
                }
            }

            @Override
            public void close() {
                // cells went straight into the store: nothing to free
            }
        };
    }
}
