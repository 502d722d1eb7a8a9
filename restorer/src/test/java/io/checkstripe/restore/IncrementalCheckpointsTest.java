package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.store.CellStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked checkpoints on real stores: a checkpoint is only as good as the checkpoints it reads from, in
 * {@code status} and in the restorer's choice of the newest checkpoint; a named delta restores whatever its bases.
 */
class IncrementalCheckpointsTest {

    private static final String APP = "inc";
    private static final int SEGMENT = 4096;
    private static final long SIZE = 5L * SEGMENT - 11;

    @TempDir
    Path tmp;
    private Cluster cluster;

    /** 1 and 2 full; 3 reads from 1; 4 reads from 1 and 3; RS-3-2 over 5 servers. */
    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        cluster.writeIncremental(APP, 3, SIZE, SEGMENT, 3, List.of(1L));
        cluster.writeIncremental(APP, 4, SIZE, SEGMENT, 4, List.of(1L, 3L));
    }

    @AfterEach
    void tearDown() throws IOException {
        cluster.close();
    }

    private void deleteFrom(long cp, int... servers) throws IOException {
        for (int server : servers) {
            try (CellStore store = CellStore.open(cluster.dir(server), server)) {
                assertThat(store.delete(APP, cp)).isTrue();
            }
        }
    }

    private StatusReport status() throws IOException {
        return new StatusScanner(RestoreOptions.defaults()).scan(APP, cluster.sources(), false);
    }

    @Test
    void statusShowsContentSharedBytesAndWhatReadsFromEachCheckpoint() throws IOException {
        StatusReport report = status();

        assertThat(report.checkpoints()).extracting(CheckpointStatus::health).containsOnly(Health.COMPLETE);
        CheckpointStatus four = report.checkpoint(4).orElseThrow();
        assertThat(four.content()).hasValueSatisfying(c -> {
            assertThat(c.bases()).containsExactly(1L, 3L);
            assertThat(c.bytes()).isEqualTo(4 * SIZE);
            assertThat(c.newBytes()).isEqualTo(SIZE);
            assertThat(c.sharedBytes()).isEqualTo(3 * SIZE);
        });
        assertThat(report.checkpoint(2).orElseThrow().content()).isEmpty();
        assertThat(report.checkpoints()).extracting(CheckpointStatus::baseOf)
                .containsExactly(List.of(), List.of(4L), List.of(), List.of(3L, 4L));
        assertThat(report.format())
                .contains("checkpoint  health    policy  content   new       shared    base of  server 0")
                .contains("4           COMPLETE  RS-3-2  80.0 KiB  20.0 KiB  60.0 KiB  -        5/5")
                .contains("2           COMPLETE  RS-3-2  -         -         -         -        5/5")
                .contains("1           COMPLETE  RS-3-2  -         -         -         2        5/5")
                .contains("checkpoint 1: base of checkpoints [3, 4]");
    }

    @Test
    void aCheckpointIsNoBetterThanItsWorstBase() throws IOException {
        deleteFrom(1, 0);
        StatusReport degraded = status();
        assertThat(degraded.checkpoints()).extracting(c -> c.checkpointId() + " " + c.health())
                .containsExactly("4 DEGRADED", "3 DEGRADED", "2 COMPLETE", "1 DEGRADED");
        assertThat(degraded.checkpoint(4).orElseThrow().reason())
                .isEqualTo("checkpoint 4 reads from checkpoint 1, which is degraded");

        deleteFrom(1, 1, 2);
        StatusReport unrecoverable = status();
        assertThat(unrecoverable.checkpoints()).extracting(c -> c.checkpointId() + " " + c.health())
                .containsExactly("4 UNRECOVERABLE", "3 UNRECOVERABLE", "2 COMPLETE", "1 UNRECOVERABLE");
        assertThat(unrecoverable.checkpoint(3).orElseThrow().reason())
                .startsWith("checkpoint 3 reads from checkpoint 1, which cannot be rebuilt: ");
        assertThat(unrecoverable.newest().orElseThrow().servers()).as("its own cells are all there")
                .allSatisfy(s -> assertThat(s.complete()).isTrue());
    }

    @Test
    void aBaseOnNoServerMakesItUnrecoverableAndBasesOfBasesCount() throws IOException {
        cluster.writeIncremental(APP, 6, SIZE, SEGMENT, 6, List.of(5L));
        cluster.writeIncremental(APP, 7, SIZE, SEGMENT, 7, List.of(4L));
        deleteFrom(3, 0, 1, 2);

        StatusReport report = status();
        assertThat(report.checkpoint(6).orElseThrow().reason())
                .isEqualTo("checkpoint 6 reads from checkpoint 5, which is on no reachable server");
        // 7 lists only 4, which reads from 3: closed over, 7 is unrecoverable too.
        assertThat(report.checkpoint(7).orElseThrow().health()).isEqualTo(Health.UNRECOVERABLE);
        assertThat(report.checkpoint(7).orElseThrow().reason()).contains("reads from checkpoint 3");
        assertThat(report.checkpoint(3).orElseThrow().baseOf()).containsExactly(4L, 7L);
    }

    @Test
    void theRestorerFallsBackFromACheckpointWhoseBaseCannotBeRebuiltNamingIt() throws IOException {
        deleteFrom(1, 0, 1, 2);
        Path out = tmp.resolve("restored");
        RestoreReport report = new Restorer(RestoreOptions.defaults()).restore(APP, cluster.sources(), out,
                OptionalLong.empty());

        assertThat(report.checkpointId()).isEqualTo(2);
        assertThat(report.skipped()).extracting(SkippedCheckpoint::checkpointId).containsExactly(4L, 3L);
        assertThat(report.skipped()).allSatisfy(s -> assertThat(s.reason()).contains("reads from checkpoint 1, "
                + "which cannot be rebuilt"));
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 2));

        // Asked for by id, it is not fallen back from: the base it cannot do without is named, nothing written.
        Path named = tmp.resolve("named");
        assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults()).restore(APP, cluster.sources(), named,
                OptionalLong.of(4))).isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("checkpoint 4 reads from checkpoint 1, which cannot be rebuilt");
        assertThat(named).doesNotExist();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("servers", "restored");
        }
    }
}
