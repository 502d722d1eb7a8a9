package io.checkstripe.restore;

import io.checkstripe.store.FileDamage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore reads the data cells of every stripe and the parity cells only of stripes that need them: those
 * with a data cell on a lost server from the start, and those whose data cell turns out bad, whose parity is
 * then fetched cell by cell. What it reads is counted by sources that wrap the real directory sources.
 */
class SelectiveReadTest {

    static final String APP = "lean";
    static final int SEGMENT = 12 * 1024;
    static final long SIZE = 10L * SEGMENT + 777;
    static final int SEGMENTS = 11;
    static final int SERVERS = 5;
    static final int K = 3;

    @TempDir
    Path tmp;
    Cluster cluster;
    Path out;

    /** A directory source that records which cells' data it read, in the stream and one by one. */
    static final class CountingSource implements CellSource {
        final DirectorySource inner;
        final NavigableSet<CellKey> streamed = new ConcurrentSkipListSet<>();
        final NavigableSet<CellKey> fetched = new ConcurrentSkipListSet<>();
        volatile boolean failSingleReads;

        CountingSource(Path dir) {
            inner = new DirectorySource(dir);
        }

        @Override
        public String location() {
            return inner.location();
        }

        @Override
        public int serverIndex() throws IOException {
            return inner.serverIndex();
        }

        @Override
        public List<Long> checkpoints(String app) throws IOException {
            return inner.checkpoints(app);
        }

        @Override
        public Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException {
            return inner.manifest(app, checkpointId);
        }

        @Override
        public NavigableSet<CellKey> cellKeys(StoredManifest manifest) throws IOException {
            return inner.cellKeys(manifest);
        }

        @Override
        public CellStream cells(String app, long checkpointId, int fromSegment, int toSegment) throws IOException {
            CellStream stream = inner.cells(app, checkpointId, fromSegment, toSegment);
            return new CellStream() {
                private CellKey current;

                @Override
                public Optional<CellKey> next() throws IOException {
                    Optional<CellKey> key = stream.next();
                    current = key.orElse(null);
                    return key;
                }

                @Override
                public Optional<CellReadResult> read() throws IOException {
                    streamed.add(current);
                    return stream.read();
                }

                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }

        @Override
        public Optional<CellReadResult> cell(String app, long checkpointId, int segment, int cell) throws IOException {
            fetched.add(new CellKey(segment, cell));
            if (failSingleReads) {
                throw new IOException("disk error reading segment " + segment + " cell " + cell);
            }
            return inner.cell(app, checkpointId, segment, cell);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    @BeforeEach
    void write() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", SERVERS);
        cluster.write(APP, 1, SIZE, SEGMENT, 5);
        out = tmp.resolve("out.bin");
    }

    private List<CountingSource> sources(Set<Integer> lost) {
        return IntStream.range(0, SERVERS).filter(i -> !lost.contains(i))
                .mapToObj(i -> new CountingSource(cluster.dir(i))).toList();
    }

    private RestoreReport restore(List<CountingSource> sources) throws IOException {
        RestoreReport report = new Restorer(RestoreOptions.defaults()).restore(APP, new ArrayList<>(sources), out,
                OptionalLong.empty());
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 5));
        return report;
    }

    /** Every cell of a stripe that lies on a server in {@code servers}. */
    private static Set<CellKey> cellsOn(int segment, Set<Integer> servers, int fromCell) {
        Set<CellKey> keys = new TreeSet<>();
        for (int j = fromCell; j < SERVERS; j++) {
            if (servers.contains(CellLayout.serverOf(segment, j, SERVERS))) {
                keys.add(new CellKey(segment, j));
            }
        }
        return keys;
    }

    private static Set<CellKey> allStreamed(List<CountingSource> sources) {
        Set<CellKey> all = new TreeSet<>();
        sources.forEach(s -> all.addAll(s.streamed));
        return all;
    }

    @Test
    void aHealthyRestoreReadsTheDataCellsOnly() throws IOException {
        List<CountingSource> sources = sources(Set.of());

        RestoreReport report = restore(sources);

        Set<CellKey> expected = new TreeSet<>();
        for (int s = 0; s < SEGMENTS; s++) {
            for (int j = 0; j < K; j++) {
                expected.add(new CellKey(s, j));
            }
        }
        assertThat(allStreamed(sources)).isEqualTo(expected);
        assertThat(sources).allSatisfy(s -> assertThat(s.fetched).isEmpty());
        assertThat(report.cellsRebuilt()).isZero();
        assertThat(report.badCells()).isEmpty();
    }

    @Test
    void withAServerLostOnlyTheStripesMissingADataCellReadTheirParity() throws IOException {
        int lost = 1;
        List<CountingSource> sources = sources(Set.of(lost));

        RestoreReport report = restore(sources);

        Set<Integer> survivors = Set.of(0, 2, 3, 4);
        Set<CellKey> expected = new TreeSet<>();
        int rebuilt = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            int segment = s;
            boolean dataLost = IntStream.range(0, K).anyMatch(j -> CellLayout.serverOf(segment, j, SERVERS) == lost);
            rebuilt += dataLost ? 1 : 0;
            expected.addAll(cellsOn(s, survivors, 0).stream().filter(k -> dataLost || k.cellIndex() < K).toList());
        }
        assertThat(rebuilt).as("stripes with a data cell on server 1").isEqualTo(7);
        assertThat(allStreamed(sources)).isEqualTo(expected);
        assertThat(sources).allSatisfy(s -> assertThat(s.fetched).isEmpty());
        assertThat(report.cellsRebuilt()).isEqualTo(rebuilt);
    }

    @Test
    void aCorruptDataCellFetchesThatStripesParityCellByCell() throws IOException {
        int segment = 4;
        int server = CellLayout.serverOf(segment, 1, SERVERS);
        Path log = cluster.log(server, APP, 1);
        FileDamage.Record r = FileDamage.records(log).get(new CellKey(segment, 1));
        FileDamage.flipBit(log, r.dataPosition() + 3, 2);
        List<CountingSource> sources = sources(Set.of());

        RestoreReport report = restore(sources);

        Set<CellKey> fetched = new TreeSet<>();
        sources.forEach(s -> fetched.addAll(s.fetched));
        assertThat(fetched).containsExactly(new CellKey(segment, 3), new CellKey(segment, 4));
        assertThat(report.cellsRebuilt()).isEqualTo(1);
        assertThat(report.badCells()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(BadCell.Kind.CORRUPT);
            assertThat(c.server()).isEqualTo(server);
            assertThat(c.segment()).isEqualTo(segment);
            assertThat(c.cell()).isEqualTo(1);
        });
    }

    @Test
    void parityFetchedOnDemandMustAgreeWithTheRebuild() throws IOException {
        // Stripe 6: data cell 0 fails its CRC, and parity cell 4 holds other bytes under a matching CRC. The
        // stripe is rebuilt from cells 1, 2 and 3; computing cell 4 again exposes the contradiction.
        cluster.write(APP, 2, SIZE, SEGMENT, 5, (server, segment, cell, data) -> {
            if (segment == 6 && cell == 4) {
                byte[] other = data.clone();
                other[100] ^= 0x11;
                return other;
            }
            return data;
        }, null);
        int server = CellLayout.serverOf(6, 0, SERVERS);
        Path log = cluster.log(server, APP, 2);
        FileDamage.flipBit(log, FileDamage.records(log).get(new CellKey(6, 0)).dataPosition(), 0);

        assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults()).restore(APP,
                new ArrayList<>(sources(Set.of())), out, OptionalLong.of(2)))
                .isInstanceOfSatisfying(VerificationFailedException.class, e -> assertThat(e.getMessage())
                        .contains("stripe 6 was reconstructed").contains("does not reproduce its parity cell 4"));
        assertThat(out).doesNotExist();
    }

    @Test
    void aServerThatFailsAnOnDemandReadIsLostAndTheOtherParityRebuilds() throws IOException {
        int segment = 2;
        int corruptServer = CellLayout.serverOf(segment, 0, SERVERS);
        Path log = cluster.log(corruptServer, APP, 1);
        FileDamage.flipBit(log, FileDamage.records(log).get(new CellKey(segment, 0)).dataPosition() + 9, 5);
        int failing = CellLayout.serverOf(segment, 3, SERVERS);
        List<CountingSource> sources = sources(Set.of());
        sources.get(failing).failSingleReads = true;

        RestoreReport report = restore(sources);

        assertThat(sources.get(failing).fetched).containsExactly(new CellKey(segment, 3));
        assertThat(report.serversLost()).singleElement().satisfies(l -> {
            assertThat(l.serverIndex()).isEqualTo(failing);
            assertThat(l.reason()).contains("failed during the transfer").contains("disk error reading segment 2");
        });
        assertThat(report.serversUsed()).doesNotContain(failing).hasSize(SERVERS - 1);
        assertThat(report.badCells()).extracting(BadCell::kind).containsExactly(BadCell.Kind.CORRUPT);
        // Stripe 2 at least was rebuilt, from parity cell 4; later stripes keep the cells the failed server sent
        // before it failed (the read-ahead may hold them all).
        assertThat(report.cellsRebuilt()).isGreaterThanOrEqualTo(1);
    }
}
