package io.checkstripe.restore;

import io.checkstripe.store.FileDamage;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rot in the stores: each bad cell is an erasure, reported, and the restore is still byte-exact. */
class CorruptionTest {

    static final String APP = "rot";
    static final int SEGMENT = 16 * 1024;
    static final long SIZE = 8L * SEGMENT + 999;
    static final int SERVERS = 5;

    @TempDir
    Path tmp;
    Cluster cluster;

    @BeforeEach
    void write() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", SERVERS);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
    }

    private RestoreReport restoreExact() throws IOException {
        return restoreExact(cluster.sources());
    }

    private RestoreReport restoreExact(List<CellSource> sources) throws IOException {
        Path out = tmp.resolve("out.bin");
        RestoreReport report = new Restorer(RestoreOptions.defaults()).restore(APP, sources, out,
                OptionalLong.empty());
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 2));
        assertThat(report.checkpointId()).isEqualTo(2);
        return report;
    }

    private int storedCrc(int server, int segment, int cell) throws IOException {
        try (CellStore store = CellStore.openReadOnly(cluster.dir(server))) {
            return store.readCell(APP, 2, segment, cell).orElseThrow().cell().header().crc32c();
        }
    }

    private static int cellOn(int segment, int server) {
        return CellLayout.cellOn(segment, server, SERVERS, 5);
    }

    @Test
    void flippedBitIsACorruptCellWithBothCrcs() throws IOException {
        int server = 1;
        int segment = 1;
        int cell = cellOn(segment, server);
        assertThat(cell).isZero(); // a data cell, so the restore must rebuild it
        Path log = cluster.log(server, APP, 2);
        FileDamage.Record r = FileDamage.records(log).get(new CellKey(segment, cell));
        int stored = storedCrc(server, segment, cell);
        FileDamage.flipBit(log, r.dataPosition() + 10, 3);
        int computed = Crc32c.of(FileDamage.read(log, r.dataPosition(), r.cellLength()), 0, r.cellLength());

        RestoreReport report = restoreExact();

        assertThat(report.badCells()).containsExactly(BadCell.corrupt(server, segment, cell, stored, computed));
        assertThat(report.corruptCells()).hasSize(1);
        assertThat(report.cellsRebuilt()).isEqualTo(1);
        assertThat(report.format()).contains("server 1 segment 1 cell 0: corrupt (stored crc32c " + Crc32c.hex(stored)
                + ", computed " + Crc32c.hex(computed) + ")");
    }

    @Test
    void truncatedLogLosesItsLastCell() throws IOException {
        int server = 2;
        Path log = cluster.log(server, APP, 2);
        List<Map.Entry<CellKey, FileDamage.Record>> records = new ArrayList<>(FileDamage.records(log).entrySet());
        Map.Entry<CellKey, FileDamage.Record> last = records.get(records.size() - 1);
        FileDamage.truncate(log, last.getValue().position() + last.getValue().length() / 2);

        RestoreReport report = restoreExact();

        CellKey k = last.getKey();
        assertThat(report.badCells()).containsExactly(BadCell.missing(server, k.segmentIndex(), k.cellIndex()));
    }

    @Test
    void zeroedRegionSpoilsOneCellsDataAndTheNextOnesHeader() throws IOException {
        int server = 3;
        Path log = cluster.log(server, APP, 2);
        List<Map.Entry<CellKey, FileDamage.Record>> records = new ArrayList<>(FileDamage.records(log).entrySet());
        Map.Entry<CellKey, FileDamage.Record> first = records.get(2);
        Map.Entry<CellKey, FileDamage.Record> second = records.get(3);
        long from = first.getValue().dataPosition() + first.getValue().cellLength() - 100;
        FileDamage.zero(log, from, 100 + 30);
        CellKey a = first.getKey();
        CellKey b = second.getKey();
        int storedA = storedCrc(server, a.segmentIndex(), a.cellIndex());
        byte[] damaged = FileDamage.read(log, first.getValue().dataPosition(), first.getValue().cellLength());

        RestoreReport report = restoreExact();

        assertThat(report.badCells()).containsExactlyInAnyOrder(
                BadCell.corrupt(server, a.segmentIndex(), a.cellIndex(), storedA, Crc32c.of(damaged, 0, damaged.length)),
                BadCell.missing(server, b.segmentIndex(), b.cellIndex()));
    }

    @Test
    void swappedCellsAreForeignAndTheirPlacesMissing() throws IOException {
        // Stripe 0: server 0 holds cell 0, server 4 holds cell 4; swap the two records between the logs.
        Path log0 = cluster.log(0, APP, 2);
        Path log4 = cluster.log(4, APP, 2);
        FileDamage.Record r0 = FileDamage.records(log0).get(new CellKey(0, 0));
        FileDamage.Record r4 = FileDamage.records(log4).get(new CellKey(0, 4));
        assertThat(r0.length()).isEqualTo(r4.length());
        byte[] bytes0 = FileDamage.read(log0, r0.position(), (int) r0.length());
        byte[] bytes4 = FileDamage.read(log4, r4.position(), (int) r4.length());
        FileDamage.write(log0, r0.position(), bytes4);
        FileDamage.write(log4, r4.position(), bytes0);

        RestoreReport report = restoreExact();

        assertThat(report.badCells()).containsExactlyInAnyOrder(
                BadCell.missing(0, 0, 0), BadCell.missing(4, 0, 4),
                BadCell.foreign(0, 0, 4, "the cell belongs on server 4, not on server 0 (swapped or misplaced)"),
                BadCell.foreign(4, 0, 0, "the cell belongs on server 0, not on server 4 (swapped or misplaced)"));
        assertThat(report.cellsRebuilt()).isEqualTo(1);
    }

    @Test
    void staleCellFromAnOlderCheckpointIsNotUsed() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1); // an older checkpoint, same shape, other bytes
        int server = 1;
        CellKey key = new CellKey(2, cellOn(2, server));
        FileDamage.Record old = FileDamage.records(cluster.log(server, APP, 1)).get(key);
        FileDamage.Record current = FileDamage.records(cluster.log(server, APP, 2)).get(key);
        assertThat(old.length()).isEqualTo(current.length());
        FileDamage.write(cluster.log(server, APP, 2), current.position(),
                FileDamage.read(cluster.log(server, APP, 1), old.position(), (int) old.length()));

        RestoreReport report = restoreExact();

        assertThat(report.badCells()).containsExactly(BadCell.missing(server, key.segmentIndex(), key.cellIndex()));
    }

    @Test
    void corruptCellServedOverHttpIsFoundByTheClient() throws IOException {
        int server = 2;
        int segment = 0;
        int cell = cellOn(segment, server);
        Path log = cluster.log(server, APP, 2);
        FileDamage.Record r = FileDamage.records(log).get(new CellKey(segment, cell));
        int stored = storedCrc(server, segment, cell);
        FileDamage.flipBit(log, r.dataPosition(), 0);
        int computed = Crc32c.of(FileDamage.read(log, r.dataPosition(), r.cellLength()), 0, r.cellLength());
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            locations.add(cluster.serve(i));
        }
        try {
            RestoreReport report = restoreExact(Cluster.sources(locations));

            assertThat(report.badCells()).containsExactly(BadCell.corrupt(server, segment, cell, stored, computed));
            assertThat(report.serversUsed()).containsExactly(0, 1, 2, 3, 4);
        } finally {
            cluster.close();
        }
    }

    @Test
    void corruptionOnMoreServersThanParityOfOneStripeIsUnrecoverable() throws IOException {
        int segment = 5;
        for (int server : new int[] {0, 2, 4}) {
            Path log = cluster.log(server, APP, 2);
            FileDamage.Record r = FileDamage.records(log).get(new CellKey(segment, cellOn(segment, server)));
            FileDamage.flipBit(log, r.dataPosition() + 1, 7);
        }
        Path out = tmp.resolve("out.bin");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults())
                .restore(APP, cluster.sources(), out, OptionalLong.empty()))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.stripes().toList()).containsExactly(segment);
                    assertThat(e.failures().get(0).corruptServers().toList()).containsExactly(0, 2, 4);
                    assertThat(e.getMessage()).contains("stripes 5 (1 of 9)")
                            .contains("corrupt or foreign cells on servers 0, 2, 4");
                });
        assertThat(out).doesNotExist();
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("servers");
        }
    }
}
