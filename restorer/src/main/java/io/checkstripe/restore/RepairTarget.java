package io.checkstripe.restore;

import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.Closeable;
import java.io.IOException;

/**
 * The server a repair rebuilds cells onto: a store opened in this process ({@link StoreTarget}, what
 * {@code checkstripe repair} fills), or a running backup server reached through its HTTP API
 * ({@link HttpTarget}, what the healer fills). The {@link Repairer} decides what a stripe's cells are and checks
 * them; the target decides which of them it lacks, and when they become durable. A target never gives up a
 * cell it holds intact for one offered: offering a cell it already has is a no-op.
 */
public interface RepairTarget {

    /** The index of the server this target is. */
    int serverIndex() throws IOException;

    /** Where it is, for reports: a data directory or a URL. */
    String location();

    /**
     * Whether the target already holds this manifest and every cell of the checkpoint intact, so that
     * nothing needs rebuilding.
     */
    boolean holdsComplete(StoredManifest manifest) throws IOException;

    /** Starts writing one checkpoint's rebuilt cells. */
    Writer begin(StoredManifest manifest) throws IOException;

    /**
     * The rebuilt cells of one checkpoint, offered stripe by stripe. Exactly one of {@link #commit} and
     * {@link #abort} ends it.
     */
    interface Writer extends Closeable {

        /** Offers a rebuilt cell that its stripe's surviving parity has confirmed. */
        void offer(StoredCell cell) throws IOException;

        /**
         * Makes the offered cells the target lacked, and the manifest, durable on the target; called only after
         * the whole checkpoint verified against its SHA-256.
         *
         * @return what the target did not hold before
         */
        Written commit() throws IOException;

        /** The checkpoint did not verify: leaves none of the offered cells on the target. */
        void abort() throws IOException;

        /**
         * Frees what the writer holds (a spool file, say); what was committed stays, and cells offered without
         * a commit may or may not have reached the target, so a repair that stopped midway resumes.
         */
        @Override
        void close() throws IOException;
    }

    /**
     * Cells a repair added to a target.
     *
     * @param cells cells the target did not hold intact before
     * @param bytes their data bytes
     */
    record Written(long cells, long bytes) {
        public Written {
            if (cells < 0 || bytes < 0) {
                throw new IllegalArgumentException("negative count: " + cells + " cells, " + bytes + " bytes");
            }
        }
    }
}
