package io.checkstripe.store;

import static io.checkstripe.store.TestCells.logOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.core.FileChannels;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API lists applications and checkpoints while the sink writes: a listing must neither write nor force
 * anything (cells, a commit-state slot), so that it can never cost the sink an fsync.
 */
class ListingWritesNothingTest {

    private static final String APP = "ledger";
    private static final long COMMITTED = 3;
    private static final long BUFFERED = 7;
    private static final String POLICY = "XOR-2-1";
    private static final int SERVERS = 3;
    private static final int SERVER = 1;
    private static final int SEGMENT = 4000;

    @TempDir
    Path dataDir;

    private static StoredCell cell(long cp, int segment) {
        return TestCells.cell(APP, cp, POLICY, SERVERS, SERVER, segment, SEGMENT, cp);
    }

    @Test
    void listingsNeitherWriteNorForce() throws IOException {
        SlowDisk disk = new SlowDisk(0);
        List<Path> openedForWriting = Collections.synchronizedList(new ArrayList<>());
        FileChannels watched = (path, options) -> {
            if (List.of(options).contains(StandardOpenOption.WRITE)) {
                openedForWriting.add(path);
            }
            return disk.open(path, options);
        };
        CellStore s = CellStore.open(dataDir, SERVER, watched);
        try {
            s.append(cell(COMMITTED, 0));
            s.commit("stripes-1", 1);
            s.append(cell(COMMITTED, 1)); // buffered in a log that is open
            s.append(cell(BUFFERED, 0)); // buffered in a log that has no file, nor a directory, yet
            openedForWriting.clear();
            disk.clear();

            assertThat(s.apps()).containsExactly(APP);
            assertThat(s.checkpoints(APP)).containsExactly(COMMITTED, BUFFERED);
            assertThat(s.checkpoints("other")).isEmpty();

            assertThat(openedForWriting).as("files opened for writing by listings").isEmpty();
            assertThat(disk.forces()).as("forces by listings").isEmpty();
            assertThat(logOf(dataDir, APP, BUFFERED).getParent()).doesNotExist();

            s.commit("stripes-1", 3);
            assertThat(logOf(dataDir, APP, BUFFERED)).exists();
            assertThat(s.checkpoints(APP)).containsExactly(COMMITTED, BUFFERED);
        } finally {
            s.abandon();
        }
    }
}
