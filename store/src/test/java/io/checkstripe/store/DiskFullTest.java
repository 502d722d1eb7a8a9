package io.checkstripe.store;

import static io.checkstripe.store.TestCells.logOf;
import static io.checkstripe.store.TestCells.recordCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.core.DiskFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk during append or commit leaves the store consistent and the offsets where they were. */
class DiskFullTest {

    private static final String APP = "ledger";
    private static final int SERVER = 1;

    @TempDir
    Path dataDir;

    private static StoredCell cell(long cp, int segment) {
        return TestCells.cell(APP, cp, "XOR-2-1", 3, SERVER, segment, 4000, cp);
    }

    @Test
    void aBatchThatDoesNotFitIsCutOffAndKeptForTheNextCommit() throws IOException {
        LimitedDisk disk = new LimitedDisk(Long.MAX_VALUE);
        Path log = logOf(dataDir, APP, 1);
        try (CellStore s = CellStore.open(dataDir, SERVER, disk)) {
            for (int i = 0; i < 3; i++) {
                s.append(cell(1, i));
            }
            s.commit("stripes-1", 3);
            long durable = Files.size(log);

            for (int i = 3; i < 6; i++) {
                s.append(cell(1, i));
            }
            disk.budget(2500);
            assertThatThrownBy(() -> s.commit("stripes-1", 6)).isInstanceOf(IOException.class)
                    .hasMessageContaining("disk full").hasMessageContaining(log.toString());
            assertThat(s.committedOffset("stripes-1")).hasValue(3);
            assertThat(Files.size(log)).as("the partly written batch is cut off").isEqualTo(durable);

            disk.budget(Long.MAX_VALUE);
            s.commit("stripes-1", 6);
            assertThat(s.committedOffset("stripes-1")).hasValue(6);
        }
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            assertThat(s.committedOffset("stripes-1")).hasValue(6);
            for (int i = 0; i < 6; i++) {
                StoredCell c = cell(1, i);
                assertThat(s.readCell(APP, 1, i, c.header().cellIndex()).orElseThrow().verified()).isEqualTo(c);
            }
        }
        assertThat(recordCounts(log)).hasSize(6).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    @Test
    void aFullDiskThatFsyncReportsIsADiskFullAndMovesNoOffset() throws IOException {
        SlowDisk disk = new SlowDisk(0);
        Path log = logOf(dataDir, APP, 1);
        CellStore s = CellStore.open(dataDir, SERVER, disk);
        s.append(cell(1, 0));
        s.commit("stripes-1", 1);
        s.append(cell(1, 1));
        disk.failForcesOf(p -> p.equals(log), "No space left on device");

        assertThatThrownBy(() -> s.commit("stripes-1", 2)).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(DiskFullException.isCauseOf(e)).as("a DiskFullException in %s", e).isTrue())
                .hasStackTraceContaining("disk full: cannot write " + log);
        assertThat(s.committedOffset("stripes-1")).hasValue(1);
        s.abandon();
    }

    @Test
    void aCommitStateThatCannotBeWrittenLeavesTheOffsetsAlone() throws IOException {
        LimitedDisk disk = new LimitedDisk(Long.MAX_VALUE);
        try (CellStore s = CellStore.open(dataDir, SERVER, disk)) {
            s.append(cell(1, 0));
            s.commit("stripes-1", 1);
            s.append(cell(1, 1));
            s.writeBuffered();
            disk.budget(0);
            assertThatThrownBy(() -> s.commit("stripes-1", 2)).isInstanceOf(IOException.class)
                    .hasMessageContaining("disk full").hasMessageContaining("commit-state");
            assertThat(s.committedOffset("stripes-1")).hasValue(1);
            assertThat(StoreLayout.of(dataDir).legacyCommitStateTemp()).doesNotExist();
            disk.budget(Long.MAX_VALUE);
            s.commit("stripes-1", 2);
        }
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            assertThat(s.committedOffset("stripes-1")).hasValue(2);
            assertThat(s.cells(APP, 1)).hasSize(2);
        }
    }

    @Test
    void aNewCheckpointThatCannotBeOpenedWritesNothing() throws IOException {
        LimitedDisk disk = new LimitedDisk(Long.MAX_VALUE);
        try (CellStore s = CellStore.open(dataDir, SERVER, disk)) {
            s.append(cell(1, 0));
            s.commit("stripes-1", 1);
            disk.budget(0);
            s.append(cell(2, 0));
            assertThatThrownBy(() -> s.commit("stripes-1", 2)).isInstanceOf(IOException.class)
                    .hasMessageContaining("disk full");
            assertThat(logOf(dataDir, APP, 2)).doesNotExist();
            assertThat(s.committedOffset("stripes-1")).hasValue(1);
            s.abandon();
        }
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            assertThat(s.committedOffset("stripes-1")).hasValue(1);
            assertThat(s.cells(APP, 2)).isEmpty();
            assertThat(s.append(cell(2, 0))).as("the replay stores it").isTrue();
        }
    }
}
