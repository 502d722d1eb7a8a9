package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code repair}: a replaced server's cells rebuilt from the others, then used by a restore. */
class RepairerTest {

    static final String APP = "rep";
    static final int SEGMENT = 8192;
    static final long SIZE = 13L * SEGMENT + 77;

    @TempDir
    Path tmp;
    Cluster cluster;

    @AfterEach
    void tearDown() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Repairer repairer() {
        return new Repairer(RestoreOptions.defaults());
    }

    /** Moves the server's directory aside, as the disk that died; returns where it went. */
    private Path lose(int server) throws IOException {
        Path aside = tmp.resolve("dead-" + server);
        Files.move(cluster.dir(server), aside);
        return aside;
    }

    /** Every cell and the manifest of each checkpoint in {@code expected} are in {@code actual}, byte for byte. */
    private static void assertSameCells(Path expected, Path actual, long... checkpoints) throws IOException {
        try (CellStore e = CellStore.openReadOnly(expected); CellStore a = CellStore.openReadOnly(actual)) {
            assertThat(a.serverIndex()).isEqualTo(e.serverIndex());
            for (long cp : checkpoints) {
                assertThat(a.manifest(APP, cp)).isEqualTo(e.manifest(APP, cp));
                List<CellKey> keys = e.cells(APP, cp);
                assertThat(a.cells(APP, cp)).isEqualTo(keys);
                for (CellKey k : keys) {
                    assertThat(a.readCell(APP, cp, k.segmentIndex(), k.cellIndex()).orElseThrow().cell())
                            .isEqualTo(e.readCell(APP, cp, k.segmentIndex(), k.cellIndex()).orElseThrow().cell());
                }
                assertThat(a.isComplete(APP, cp)).isTrue();
            }
        }
    }

    @Test
    void rebuildsADeletedServerAndARestoreThatNeedsItSucceeds() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        Path dead = lose(2);

        RepairReport report = repairer().repair(APP, cluster.sourcesWithout(Set.of(2)), 2, cluster.dir(2));

        assertThat(report.repaired()).extracting(RepairReport.Repaired::checkpointId).containsExactly(2L, 1L);
        assertThat(report.repaired()).allSatisfy(r -> assertThat(r.cellsWritten()).isEqualTo(14));
        assertThat(report.unrecoverable()).isEmpty();
        assertSameCells(dead, cluster.dir(2), 1, 2);
        assertThat(report.format()).contains("repaired server 2 of rep onto " + cluster.dir(2))
                .contains("checkpoint 2: 14 cells written");

        // Two other servers die: the restore needs the repaired one.
        Path out = tmp.resolve("out");
        RestoreReport restored = new Restorer(RestoreOptions.defaults())
                .restore(APP, cluster.sourcesWithout(Set.of(0, 4)), out, OptionalLong.empty());
        assertThat(restored.serversUsed()).containsExactly(1, 2, 3);
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 2));
        assertThat(new StatusScanner(RestoreOptions.defaults()).scan(APP, cluster.sources(), true).checkpoints())
                .extracting(CheckpointStatus::health).containsOnly(Health.COMPLETE);
    }

    @Test
    void repairsFromSinksOverHttpAndSkipsTheServerItself() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-6-3", 11);
        cluster.write(APP, 5, SIZE, SEGMENT, 5);
        Path dead = lose(7);
        Path copy = tmp.resolve("copy-of-7");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.walk(dead)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(dead.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            if (i != 7) {
                locations.add(i % 3 == 0 ? cluster.serve(i) : cluster.dir(i).toString());
            }
        }
        locations.add(copy.toString()); // the old disk of server 7 is given too: it is not read

        RepairReport report = repairer().repair(APP, Cluster.sources(locations), 7, cluster.dir(7));

        assertThat(report.repaired()).singleElement().satisfies(r -> assertThat(r.checkpointId()).isEqualTo(5));
        assertSameCells(dead, cluster.dir(7), 5);
    }

    @Test
    void repairIsResumableAndLeavesACompleteCheckpointAlone() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "XOR-4-1", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        Path dead = lose(0);
        repairer().repair(APP, cluster.sourcesWithout(Set.of(0)), 0, cluster.dir(0));

        RepairReport again = repairer().repair(APP, cluster.sourcesWithout(Set.of(0)), 0, cluster.dir(0));

        assertThat(again.repaired()).singleElement().satisfies(r -> assertThat(r.cellsWritten()).isZero());
        assertSameCells(dead, cluster.dir(0), 1);
    }

    @Test
    void checkpointThatTheOthersCannotRebuildIsReportedAndNotKept() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        lose(2);
        for (int server : new int[] {0, 1}) {
            Path dir = cluster.log(server, APP, 2).getParent();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }

        RepairReport report = repairer().repair(APP, cluster.sourcesWithout(Set.of(2)), 2, cluster.dir(2));

        assertThat(report.repaired()).extracting(RepairReport.Repaired::checkpointId).containsExactly(1L);
        assertThat(report.unrecoverable()).singleElement().satisfies(s -> {
            assertThat(s.checkpointId()).isEqualTo(2);
            assertThat(s.reason()).contains("stripes 0-13 (14 of 14)");
        });
        try (CellStore repaired = CellStore.openReadOnly(cluster.dir(2))) {
            assertThat(repaired.checkpoints(APP)).containsExactly(1L);
        }
    }

    @Test
    void usageMistakes() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        List<CellSource> others = cluster.sourcesWithout(Set.of(2));

        assertThatThrownBy(() -> repairer().repair(APP, others, -1, tmp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> repairer().repair(APP, List.of(), 2, tmp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no sources");
        assertThatThrownBy(() -> repairer().repair("", others, 2, tmp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repairer().repair(APP, others, 2, cluster.dir(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to server 3");
    }
}
