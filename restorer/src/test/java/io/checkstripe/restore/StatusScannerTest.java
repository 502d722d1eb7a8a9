package io.checkstripe.restore;

import io.checkstripe.store.FileDamage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.store.CellKey;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}: which servers hold each checkpoint, and whether it is complete, degraded or unrecoverable. */
class StatusScannerTest {

    static final String APP = "st";
    static final int SEGMENT = 4096;
    static final long SIZE = 9L * SEGMENT - 7;

    @TempDir
    Path tmp;
    Cluster cluster;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
    }

    @AfterEach
    void tearDown() throws IOException {
        cluster.close();
    }

    private StatusReport scan(List<CellSource> sources, boolean checkData) throws IOException {
        return new StatusScanner(RestoreOptions.defaults()).scan(APP, sources, checkData);
    }

    private static CheckpointStatus cp(StatusReport report, long id) {
        return report.checkpoint(id).orElseThrow();
    }

    private FileDamage.Record record(int server, long cp, int index) throws IOException {
        return new ArrayList<>(FileDamage.records(cluster.log(server, APP, cp)).values()).get(index);
    }

    @Test
    void everyServerWithEveryCellIsComplete() throws IOException {
        for (boolean checkData : new boolean[] {false, true}) {
            StatusReport report = scan(cluster.sources(), checkData);

            assertThat(report.checkpoints()).extracting(CheckpointStatus::checkpointId).containsExactly(2L, 1L);
            assertThat(report.checkpoints()).extracting(CheckpointStatus::health)
                    .containsOnly(Health.COMPLETE);
            assertThat(cp(report, 2).servers()).allSatisfy(s -> {
                assertThat(s.state()).isEqualTo(ServerStatus.State.READ);
                assertThat(s.cellsPresent()).isEqualTo(9);
                assertThat(s.cellsExpected()).isEqualTo(9);
                assertThat(s.complete()).isTrue();
            });
            String table = report.format();
            assertThat(table).contains("checkpoint  health    policy  server 0  server 1  server 2  server 3  server 4")
                    .contains("2           COMPLETE  RS-3-2  9/9       9/9       9/9       9/9       9/9")
                    .contains(checkData ? "every cell read and CRC-checked" : "data not checked");
        }
    }

    @Test
    void lostServerAndMissingCellAreDegraded() throws IOException {
        FileDamage.truncate(cluster.log(2, APP, 2), record(2, 2, 8).position());

        StatusReport report = scan(cluster.sourcesWithout(Set.of(4)), false);

        CheckpointStatus two = cp(report, 2);
        assertThat(two.health()).isEqualTo(Health.DEGRADED);
        assertThat(two.servers().get(4).state()).isEqualTo(ServerStatus.State.LOST);
        assertThat(two.servers().get(2).cellsPresent()).isEqualTo(8);
        assertThat(two.badCells()).containsExactly(BadCell.missing(2, 8, cellOn(8, 2)));
        assertThat(cp(report, 1).health()).isEqualTo(Health.DEGRADED);
        assertThat(report.format()).contains("2           DEGRADED  RS-3-2  9/9       9/9       8/9       9/9       lost")
                .contains("checkpoint 2: server 4: not among the sources given")
                .contains("checkpoint 2: server 2 segment 8 cell " + cellOn(8, 2) + ": missing");
    }

    private static int cellOn(int segment, int server) {
        return io.checkstripe.codec.CellLayout.cellOn(segment, server, 5, 5);
    }

    @Test
    void onlyAScrubFindsACorruptCell() throws IOException {
        FileDamage.Record r = record(3, 1, 4);
        FileDamage.flipBit(cluster.log(3, APP, 1), r.dataPosition() + 3, 2);

        assertThat(cp(scan(cluster.sources(), false), 1).health()).isEqualTo(Health.COMPLETE);

        StatusReport scrub = scan(cluster.sources(), true);
        CheckpointStatus one = cp(scrub, 1);
        assertThat(one.health()).isEqualTo(Health.DEGRADED);
        assertThat(one.servers().get(3).cellsCorrupt()).isEqualTo(1);
        assertThat(one.badCells()).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(BadCell.Kind.CORRUPT);
            assertThat(b.server()).isEqualTo(3);
            assertThat(b.segment()).isEqualTo(4);
        });
        assertThat(cp(scrub, 2).health()).isEqualTo(Health.COMPLETE);
        assertThat(scrub.format()).contains("9/9 1 corrupt");
    }

    @Test
    void tooManyLossesOrNoManifestAreUnrecoverable() throws IOException {
        for (int server = 0; server < 5; server++) {
            Files.delete(cluster.layout(server).manifest(APP, 2));
        }

        StatusReport report = scan(cluster.sourcesWithout(Set.of(0, 1, 2)), false);

        assertThat(cp(report, 2).health()).isEqualTo(Health.UNRECOVERABLE);
        assertThat(cp(report, 2).reason()).contains("has no manifest on any reachable server");
        CheckpointStatus one = cp(report, 1);
        assertThat(one.health()).isEqualTo(Health.UNRECOVERABLE);
        assertThat(one.unrecoverableStripes().size()).isEqualTo(9);
        assertThat(one.reason()).contains("stripes 0-8 (9 of 9)");
        assertThat(report.format()).contains("2           UNRECOVERABLE  -")
                .contains("1           UNRECOVERABLE  RS-3-2  lost      lost      lost      9/9       9/9");
    }

    @Test
    void disagreeingManifestIsShown() throws IOException {
        StoredManifest m = CellSource.open(cluster.dir(0).toString(), RestoreOptions.defaults())
                .manifest(APP, 2).orElseThrow();
        StoredManifest other = new StoredManifest(m.appId(), m.checkpointId(), m.policy(), m.servers(),
                m.segmentCount(), m.segmentSize(), m.totalBytes(), new byte[32], m.createdAt(), Map.of());
        Files.write(cluster.layout(1).manifest(APP, 2), ManifestFormat.encode(other));

        CheckpointStatus two = cp(scan(cluster.sources(), false), 2);

        assertThat(two.health()).isEqualTo(Health.DEGRADED);
        assertThat(two.servers().get(1).state()).isEqualTo(ServerStatus.State.DISAGREES);
        assertThat(two.servers().get(1).manifestAgrees()).isFalse();
        assertThat(two.servers().get(1).problem()).contains("its manifest disagrees");
    }

    @Test
    void overHttpCompleteSinksAreTakenAtTheirWordAndIncompleteOnesListed() throws IOException {
        FileDamage.truncate(cluster.log(2, APP, 2), record(2, 2, 5).position());
        FileDamage.Record misplaced = FileDamage.records(cluster.log(4, APP, 1)).get(new CellKey(0, 4));
        FileDamage.Record target = FileDamage.records(cluster.log(3, APP, 1)).get(new CellKey(0, 3));
        FileDamage.write(cluster.log(3, APP, 1), target.position(),
                FileDamage.read(cluster.log(4, APP, 1), misplaced.position(), (int) misplaced.length()));
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(cluster.serve(i));
        }

        StatusReport quick = scan(Cluster.sources(locations), false);

        CheckpointStatus two = cp(quick, 2);
        assertThat(two.health()).isEqualTo(Health.DEGRADED);
        assertThat(two.servers()).extracting(ServerStatus::cellsPresent).containsExactly(9, 9, 5, 9, 9);
        CheckpointStatus one = cp(quick, 1);
        assertThat(one.servers().get(3).cellsForeign()).isEqualTo(1);
        assertThat(one.servers().get(3).cellsPresent()).isEqualTo(8);
        assertThat(one.health()).isEqualTo(Health.DEGRADED);

        StatusReport scrub = scan(Cluster.sources(locations), true);
        assertThat(cp(scrub, 2).servers()).extracting(ServerStatus::cellsPresent).containsExactly(9, 9, 5, 9, 9);
        assertThat(cp(scrub, 1).badCells()).extracting(BadCell::kind)
                .containsExactlyInAnyOrder(BadCell.Kind.FOREIGN, BadCell.Kind.MISSING);
    }

    @Test
    void usageMistakes() {
        StatusScanner scanner = new StatusScanner(RestoreOptions.defaults());
        assertThatThrownBy(() -> scanner.scan("a b", cluster.sources(), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scanner.scan(APP, List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    }
}
