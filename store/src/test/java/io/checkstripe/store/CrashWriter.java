package io.checkstripe.store;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link CrashRecoveryTest}: a stand-in sink that resumes from the committed offset and
 * then appends and commits deterministic cells until it is killed, printing {@code committed N} after every
 * commit returns.
 */
final class CrashWriter {

    static final String SOURCE = "stripes-0";
    static final int CELLS_PER_CHECKPOINT = 37;
    static final String POLICY = "RS-2-1";
    static final int SERVERS = 3;

    private CrashWriter() {
    }

    static String app(long seq) {
        return "app-" + (seq / CELLS_PER_CHECKPOINT % 3);
    }

    static long checkpoint(long seq) {
        return seq / CELLS_PER_CHECKPOINT;
    }

    /** The cell of record {@code seq}: mostly a few KiB, every 29th a MiB so that batches fill and flush. */
    static StoredCell cell(long seq) {
        int segment = (int) (seq % CELLS_PER_CHECKPOINT);
        int length = seq % 29 == 28 ? 2 << 20 : 1 + (int) (seq * 7919 % 20_000);
        return TestCells.cell(app(seq), checkpoint(seq), POLICY, SERVERS, 0, segment, length, seq);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        PrintStream out = System.out;
        try (CellStore store = CellStore.open(dataDir, 0)) {
            for (long seq = store.committedOffset(SOURCE).orElse(0); ; seq++) {
                store.append(cell(seq));
                if (seq % CELLS_PER_CHECKPOINT == CELLS_PER_CHECKPOINT - 1) {
                    store.putManifest(TestCells.manifest(app(seq), checkpoint(seq), POLICY, SERVERS,
                            CELLS_PER_CHECKPOINT, 2 << 20));
                }
                if (random.nextInt(6) == 0) {
                    store.commit(SOURCE, seq + 1);
                    out.println("committed " + (seq + 1));
                    out.flush();
                }
            }
        }
    }
}
