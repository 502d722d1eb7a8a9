package io.checkstripe.store;

import static io.checkstripe.store.FileDamage.flipBit;
import static io.checkstripe.store.TestCells.logOf;
import static io.checkstripe.store.TestCells.recordCounts;
import static io.checkstripe.store.TestCells.recordPositions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.CorruptCellException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CellStoreTest {

    private static final String APP = "orders-db";
    private static final long CP = 1_000;
    private static final long CP2 = 1_001;
    private static final String POLICY = "RS-3-2";
    private static final int SERVERS = 5;
    private static final int SERVER = 2;
    private static final int SEGMENT = 3000;
    private static final int CELLS = 10;

    @TempDir
    Path tmp;

    private Path dataDir;
    private final List<CellStore> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dataDir = tmp.resolve("data");
    }

    @AfterEach
    void closeStores() throws IOException {
        for (CellStore s : opened) {
            s.close();
        }
    }

    private CellStore open() throws IOException {
        CellStore s = CellStore.open(dataDir, SERVER);
        opened.add(s);
        return s;
    }

    private static StoredCell cell(long cp, int segment) {
        return TestCells.cell(APP, cp, POLICY, SERVERS, SERVER, segment, SEGMENT, cp);
    }

    private static StoredCell cell(int segment) {
        return cell(CP, segment);
    }

    private static List<CellKey> keys(int from, int to) {
        return IntStream.range(from, to).mapToObj(s -> cell(s).header().key()).toList();
    }

    /** A store holding {@value #CELLS} committed cells of {@link #CP} and its manifest, closed. */
    private void storeTenCells() throws IOException {
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            for (int i = 0; i < CELLS; i++) {
                s.append(cell(i));
            }
            s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT));
            s.commit("stripes-2", CELLS);
        }
    }

    private List<Path> quarantined() throws IOException {
        try (Stream<Path> files = Files.list(StoreLayout.of(dataDir).quarantineDir())) {
            return files.toList();
        }
    }

    private static void assertIntact(CellStore s, int segment) throws IOException {
        StoredCell expected = cell(segment);
        CellReadResult r = s.readCell(APP, CP, segment, expected.header().cellIndex()).orElseThrow();
        assertThat(r.intact()).as("segment %d intact", segment).isTrue();
        assertThat(r.verified()).isEqualTo(expected);
    }

    // ------------------------------------------------------------ round trips

    @Test
    void storesAndReadsBackCellsManifestsAndOffsets() throws IOException {
        CellStore s = open();
        for (int i = 0; i < CELLS; i++) {
            assertThat(s.append(cell(i))).isTrue();
        }
        StoredManifest m = TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT);
        assertThat(s.putManifest(m)).isTrue();
        assertThat(s.committedOffset("stripes-2")).isEmpty();
        s.commit("stripes-2", 10);
        s.commit(Map.of("stripes-7", 3L));

        assertThat(s.committedOffset("stripes-2")).hasValue(10);
        assertThat(s.committedOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of("stripes-2", 10L, "stripes-7", 3L));
        for (int i = 0; i < CELLS; i++) {
            assertIntact(s, i);
        }
        assertThat(s.readCell(APP, CP, CELLS, 0)).isEmpty();
        assertThat(s.readCell(APP, CP2, 0, 0)).isEmpty();
        assertThat(s.cells(APP, CP)).isEqualTo(keys(0, CELLS));
        assertThat(s.apps()).containsExactly(APP);
        assertThat(s.checkpoints(APP)).containsExactly(CP);
        assertThat(s.manifest(APP, CP)).contains(m);
        assertThat(s.serverIndex()).isEqualTo(SERVER);
        assertThat(s.dataDir()).isEqualTo(dataDir.toAbsolutePath());
        assertThat(Files.exists(logOf(dataDir, APP, CP))).isTrue();
    }

    @Test
    void bufferedCellsAreReadableAndWrittenInBatches() throws IOException {
        CellStore s = open();
        s.append(cell(0));
        Path log = logOf(dataDir, APP, CP);
        assertThat(log).as("one small cell stays buffered").doesNotExist();
        assertThat(s.cells(APP, CP)).containsExactly(cell(0).header().key());
        assertIntact(s, 0);
        assertThat(Files.size(log)).isEqualTo(CellRecordFormat.recordLength(cell(0).header()));

        int big = 3 << 20;
        int appended = 0;
        while (!Files.exists(logOf(dataDir, APP, CP2))) {
            s.append(TestCells.cell(APP, CP2, POLICY, SERVERS, SERVER, appended, big, 3));
            appended++;
        }
        assertThat(appended).as("cells of 1 MiB until %d bytes are buffered", CellStore.WRITE_THRESHOLD_BYTES).isEqualTo(4);
        assertThat(Files.size(logOf(dataDir, APP, CP2))).isGreaterThanOrEqualTo(CellStore.WRITE_THRESHOLD_BYTES);
    }

    @Test
    void aCellDamagedBeforeItArrivesIsRefused() throws IOException {
        CellStore s = open();
        StoredCell good = cell(0);
        byte[] data = good.data().clone();
        data[10] ^= 1;
        assertThatThrownBy(() -> s.append(new StoredCell(good.header(), data)))
                .isInstanceOf(CorruptCellException.class);
        assertThat(s.cells(APP, CP)).isEmpty();
    }

    @Test
    void replaysAreSkippedBeforeAndAfterARestart() throws IOException {
        CellStore s = open();
        for (int i = 0; i < CELLS; i++) {
            s.append(cell(i));
        }
        for (int i = 0; i < CELLS; i++) {
            assertThat(s.append(cell(i))).isFalse();
        }
        assertThat(s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT))).isTrue();
        assertThat(s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT))).isFalse();
        s.commit("stripes-2", CELLS);
        long size = Files.size(logOf(dataDir, APP, CP));
        s.close();

        CellStore again = open();
        for (int i = 0; i < CELLS; i++) {
            assertThat(again.append(cell(i))).isFalse();
        }
        assertThat(again.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT))).isFalse();
        again.commit("stripes-2", CELLS);
        assertThat(Files.size(logOf(dataDir, APP, CP))).isEqualTo(size);
        assertThat(recordCounts(logOf(dataDir, APP, CP))).hasSize(CELLS).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    @Test
    void aManifestFileThatRottedAfterItWasReadIsWrittenAgainFromTheCopyOffered() throws IOException {
        storeTenCells();
        StoredManifest manifest = TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT);
        CellStore s = open();
        assertThat(s.manifest(APP, CP)).contains(manifest);
        Path file = StoreLayout.of(dataDir).manifest(APP, CP);
        FileDamage.flipBit(file, Files.size(file) / 2, 3);
        assertThatThrownBy(() -> s.rereadManifest(APP, CP)).isInstanceOf(CorruptRecordException.class);

        assertThat(s.putManifest(manifest)).as("the rotten file is replaced").isTrue();
        s.commit(Map.of());
        assertThat(s.rereadManifest(APP, CP)).contains(manifest);
        assertThat(s.putManifest(manifest)).as("an intact file is left alone").isFalse();

        Files.delete(file);
        assertThat(s.putManifest(manifest)).as("a vanished file is written again").isTrue();
        s.commit(Map.of());
        assertThat(s.rereadManifest(APP, CP)).contains(manifest);
    }

    @Test
    void reopensWhatWasClosed() throws IOException {
        storeTenCells();
        CellStore s = open();
        assertThat(s.committedOffset("stripes-2")).hasValue(CELLS);
        assertThat(s.manifest(APP, CP)).contains(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT));
        for (int i = 0; i < CELLS; i++) {
            assertIntact(s, i);
        }
        assertThat(quarantined()).isEmpty();
    }

    @Test
    void aReadOnlyStoreReadsButNeverWrites() throws IOException {
        storeTenCells();
        try (CellStore ro = CellStore.openReadOnly(dataDir)) {
            assertThat(ro.readOnly()).isTrue();
            assertThat(ro.serverIndex()).isEqualTo(SERVER);
            assertThat(ro.committedOffset("stripes-2")).hasValue(CELLS);
            assertThat(ro.cells(APP, CP)).isEqualTo(keys(0, CELLS));
            assertIntact(ro, 4);
            assertThatThrownBy(() -> ro.append(cell(CP2, 0))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> ro.commit("stripes-2", 11)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> ro.delete(APP, CP)).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> CellStore.openReadOnly(tmp.resolve("nothing"))).isInstanceOf(IOException.class)
                .hasMessageContaining("not a cell store");
    }

    @Test
    void aReadOnlyStoreLeavesATornTailAlone() throws IOException {
        CellStore s = open();
        for (int i = 0; i < CELLS; i++) {
            s.append(cell(i));
        }
        s.writeBuffered();
        s.abandon();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        FileDamage.truncate(log, positions.get(7) + 20);
        long size = Files.size(log);
        try (CellStore ro = CellStore.openReadOnly(dataDir)) {
            assertThat(ro.cells(APP, CP)).isEqualTo(keys(0, 7));
            assertThat(ro.committedOffset("stripes-2")).isEmpty();
        }
        assertThat(Files.size(log)).isEqualTo(size);
        assertThat(quarantined()).isEmpty();
    }

    // ------------------------------------------------------------ crash recovery

    @ParameterizedTest(name = "cut {0} bytes into the record")
    @ValueSource(ints = {1, 20, 60, 500, 1000})
    void aTornTailIsCutAtRecoveryAndTheOffsetCoversOnlyDurableCells(int cutInto) throws IOException {
        CellStore s = open();
        for (int i = 0; i < 5; i++) {
            s.append(cell(i));
        }
        s.commit("stripes-2", 5);
        for (int i = 5; i < CELLS; i++) {
            s.append(cell(i));
        }
        s.writeBuffered();
        s.abandon();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        FileDamage.truncate(log, positions.get(7) + cutInto);

        CellStore again = open();
        assertThat(Files.size(log)).isEqualTo(positions.get(7));
        assertThat(again.committedOffset("stripes-2")).hasValue(5);
        assertThat(again.cells(APP, CP)).isEqualTo(keys(0, 7));
        assertThat(quarantined()).as("an uncommitted tail is cut, not quarantined").isEmpty();

        for (int i = 5; i < CELLS; i++) {
            assertThat(again.append(cell(i))).as("replay of %d", i).isEqualTo(i >= 7);
        }
        again.commit("stripes-2", CELLS);
        again.close();
        CellStore third = open();
        for (int i = 0; i < CELLS; i++) {
            assertIntact(third, i);
        }
        assertThat(recordCounts(log)).hasSize(CELLS).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    @Test
    void recoveryChecksDataCrcsPastTheRecoveryPoint() throws IOException {
        CellStore s = open();
        for (int i = 0; i < 5; i++) {
            s.append(cell(i));
        }
        s.commit("stripes-2", 5);
        for (int i = 5; i < CELLS; i++) {
            s.append(cell(i));
        }
        s.writeBuffered();
        s.abandon();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        flipBit(log, positions.get(6) + 200, 3);

        CellStore again = open();
        assertThat(again.cells(APP, CP)).isEqualTo(keys(0, 6));
        assertThat(Files.size(log)).isEqualTo(positions.get(6));
        assertThat(again.committedOffset("stripes-2")).hasValue(5);
    }

    @Test
    void anAbandonedStoreWithNothingTornKeepsEverything() throws IOException {
        CellStore s = open();
        for (int i = 0; i < CELLS; i++) {
            s.append(cell(i));
        }
        s.commit("stripes-2", 4);
        s.writeBuffered();
        s.abandon();
        CellStore again = open();
        assertThat(again.cells(APP, CP)).isEqualTo(keys(0, CELLS));
        assertThat(again.committedOffset("stripes-2")).hasValue(4);
    }

    // ------------------------------------------------------------ rot in committed data

    @Test
    void aFlippedDataBitIsDetectedOnReadAndRepairedByAppendingTheCellAgain() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        flipBit(log, recordPositions(log).get(3) + 100, 0);

        CellStore s = open();
        StoredCell expected = cell(3);
        CellReadResult r = s.readCell(APP, CP, 3, expected.header().cellIndex()).orElseThrow();
        assertThat(r.intact()).isFalse();
        assertThatThrownBy(r::verified).isInstanceOfSatisfying(CorruptCellException.class, e -> {
            assertThat(e.storedCrc()).isEqualTo(expected.header().crc32c());
            assertThat(e.computedCrc()).isEqualTo(r.computedCrc32c()).isNotEqualTo(e.storedCrc());
        });
        for (int i = 0; i < CELLS; i++) {
            if (i != 3) {
                assertIntact(s, i);
            }
        }
        assertThat(s.append(expected)).as("a corrupt stored cell is superseded").isTrue();
        assertIntact(s, 3);
        s.commit("stripes-2", CELLS);
        s.close();

        assertIntact(open(), 3);
        assertThat(recordCounts(log).get(expected.header().key())).isEqualTo(2);
    }

    @Test
    void aFlippedHeaderBitCostsThatCellWhichIsQuarantinedAndSkipped() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        long size = Files.size(log);
        flipBit(log, positions.get(4) + 17, 5);

        CellStore s = open();
        List<CellKey> expected = new ArrayList<>(keys(0, CELLS));
        expected.remove(4);
        assertThat(s.cells(APP, CP)).isEqualTo(expected);
        assertThat(s.readCell(APP, CP, 4, cell(4).header().cellIndex())).isEmpty();
        assertThat(Files.size(log)).as("bytes before another good record stay in place").isEqualTo(size);
        assertThat(quarantined()).singleElement().satisfies(q -> {
            assertThat(q.getFileName().toString()).endsWith("cells.log@" + positions.get(4));
            assertThat(Files.size(q)).isEqualTo(positions.get(5) - positions.get(4));
        });
        assertThat(s.isComplete(APP, CP)).isFalse();
        assertThat(s.append(cell(4))).isTrue();
        assertThat(s.isComplete(APP, CP)).isTrue();
        s.commit("stripes-2", CELLS);
        s.close();

        CellStore again = open();
        assertThat(again.cells(APP, CP)).isEqualTo(keys(0, CELLS));
        assertIntact(again, 4);
        assertThat(quarantined()).as("the same region is quarantined once").hasSize(1);
    }

    @Test
    void aBadHeaderWithNothingGoodAfterItIsQuarantinedAndCut() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        long size = Files.size(log);
        flipBit(log, positions.get(9) + 2, 1);

        CellStore s = open();
        assertThat(s.cells(APP, CP)).isEqualTo(keys(0, 9));
        assertThat(Files.size(log)).isEqualTo(positions.get(9));
        assertThat(quarantined()).singleElement()
                .satisfies(q -> assertThat(Files.size(q)).isEqualTo(size - positions.get(9)));
        assertThat(s.append(cell(9))).isTrue();
        assertIntact(s, 9);
    }

    @Test
    void aCommittedLogCutShortIsQuarantinedAndCut() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        FileDamage.truncate(log, positions.get(8) + 30);

        CellStore s = open();
        assertThat(s.cells(APP, CP)).isEqualTo(keys(0, 8));
        assertThat(Files.size(log)).isEqualTo(positions.get(8));
        assertThat(quarantined()).singleElement().satisfies(q -> assertThat(Files.size(q)).isEqualTo(30));
    }

    @Test
    void aZeroedRegionLosesOnlyTheCellsItTouches() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        long from = positions.get(3) + 500;
        FileDamage.zero(log, from, (int) (positions.get(4) + 300 - from));

        CellStore s = open();
        List<CellKey> expected = new ArrayList<>(keys(0, CELLS));
        expected.remove(4);
        assertThat(s.cells(APP, CP)).isEqualTo(expected);
        assertThat(s.readCell(APP, CP, 3, cell(3).header().cellIndex()).orElseThrow().intact()).isFalse();
        for (int i : new int[] {0, 1, 2, 5, 6, 7, 8, 9}) {
            assertIntact(s, i);
        }
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void swappedRecordsAreNeverReadAsEachOther() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        int length = (int) (positions.get(3) - positions.get(2));
        CellStore s = open();
        assertIntact(s, 2);
        assertIntact(s, 5);

        byte[] two = FileDamage.read(log, positions.get(2), length);
        byte[] five = FileDamage.read(log, positions.get(5), length);
        FileDamage.write(log, positions.get(2), five);
        FileDamage.write(log, positions.get(5), two);

        int cellIndex = cell(2).header().cellIndex();
        Optional<CellReadResult> first = s.readCell(APP, CP, 2, cellIndex);
        assertThat(first).as("the index pointed at cell 5's bytes: not returned as cell 2").isEmpty();
        assertIntact(s, 2);
        assertIntact(s, 5);
    }

    @Test
    void swappedDataIsDetectedByTheDataCrc() throws IOException {
        storeTenCells();
        Path log = logOf(dataDir, APP, CP);
        List<Long> positions = recordPositions(log);
        int header = CellRecordFormat.headerLength(cell(0).header());
        int dataLength = cell(0).header().cellLength();
        byte[] two = FileDamage.read(log, positions.get(2) + header, dataLength);
        byte[] five = FileDamage.read(log, positions.get(5) + header, dataLength);
        FileDamage.write(log, positions.get(2) + header, five);
        FileDamage.write(log, positions.get(5) + header, two);

        CellStore s = open();
        for (int i = 0; i < CELLS; i++) {
            CellReadResult r = s.readCell(APP, CP, i, cell(i).header().cellIndex()).orElseThrow();
            assertThat(r.intact()).as("segment %d", i).isEqualTo(i != 2 && i != 5);
        }
    }

    @Test
    void aStaleCellOfAnotherCheckpointIsNotTakenForThisOne() throws IOException {
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            for (int i = 0; i < CELLS; i++) {
                s.append(cell(CP, i));
                s.append(cell(CP2, i));
            }
            s.commit("stripes-2", 2 * CELLS);
        }
        Path log = logOf(dataDir, APP, CP);
        Path otherLog = logOf(dataDir, APP, CP2);
        List<Long> positions = recordPositions(log);
        int length = (int) (positions.get(4) - positions.get(3));
        byte[] stale = FileDamage.read(otherLog, recordPositions(otherLog).get(3), length);
        FileDamage.write(log, positions.get(3), stale);
        FileDamage.write(log, Files.size(log), stale);

        CellStore s = open();
        List<CellKey> expected = new ArrayList<>(keys(0, CELLS));
        expected.remove(3);
        assertThat(s.cells(APP, CP)).isEqualTo(expected);
        assertThat(s.readCell(APP, CP, 3, cell(3).header().cellIndex())).isEmpty();
        assertThat(quarantined()).hasSize(2);
        assertIntact(s, 9);
        assertThat(s.cells(APP, CP2)).isEqualTo(keys(0, CELLS));
    }

    @Test
    void aWholeLogCopiedFromAnotherCheckpointHoldsNothingOfThisOne() throws IOException {
        try (CellStore s = CellStore.open(dataDir, SERVER)) {
            for (int i = 0; i < CELLS; i++) {
                s.append(cell(CP, i));
                s.append(cell(CP2, i));
            }
            s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT));
            s.commit("stripes-2", 2 * CELLS);
        }
        Files.copy(logOf(dataDir, APP, CP2), logOf(dataDir, APP, CP), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CellStore s = open();
        assertThat(s.cells(APP, CP)).isEmpty();
        assertThat(s.isComplete(APP, CP)).isFalse();
    }

    @Test
    void aCorruptManifestIsQuarantinedAndCanBeStoredAgain() throws IOException {
        storeTenCells();
        flipBit(StoreLayout.of(dataDir).manifest(APP, CP), 30, 2);
        CellStore s = open();
        assertThat(s.manifest(APP, CP)).isEmpty();
        assertThat(quarantined()).singleElement()
                .satisfies(q -> assertThat(q.getFileName().toString()).contains("manifest"));
        assertThat(s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT))).isTrue();
        assertThat(s.isComplete(APP, CP)).isTrue();
    }

    @Test
    void aCorruptCommitStateIsQuarantinedAndTheSinkStartsFromNothing() throws IOException {
        storeTenCells();
        for (int slot = 0; slot < 2; slot++) {
            flipBit(StoreLayout.of(dataDir).commitStateSlot(slot), 9, 0); // both copies rotted: nothing left to trust
        }
        CellStore s = open();
        assertThat(s.committedOffset("stripes-2")).isEmpty();
        assertThat(quarantined()).hasSize(2)
                .allSatisfy(q -> assertThat(q.getFileName().toString()).startsWith("commit-state."));
        for (int i = 0; i < CELLS; i++) {
            assertThat(s.append(cell(i))).isFalse();
        }
    }

    // ------------------------------------------------------------ validation

    @Test
    void pathTraversalIdsAreRejectedAndNothingIsCreatedOutsideTheDataDir() throws IOException {
        CellStore s = open();
        List<Path> before;
        try (Stream<Path> all = Files.walk(tmp)) {
            before = all.sorted().toList();
        }
        List<String> bad = new ArrayList<>(List.of("../x", "a/b", ".", "..", "", "x".repeat(300), "café", "a\\b",
                "/etc", "..\\..", "a\u0000b"));
        bad.add(null);
        for (String id : bad) {
            assertThatThrownBy(() -> s.checkpoints(id)).as("%s", id).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.manifest(id, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.cells(id, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.readCell(id, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.isComplete(id, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.expectedCells(id, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.delete(id, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.openCellStream(id, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new CellHeader(id, 1, 0, 0, 3, 0, POLICY, SERVERS, 1, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("application id");
        }
        assertThatThrownBy(() -> s.checkpoints("x".repeat(300))).hasMessageContaining("300 characters");
        assertThat(s.apps()).isEmpty();
        List<Path> after;
        try (Stream<Path> all = Files.walk(tmp)) {
            after = all.sorted().toList();
        }
        assertThat(after).isEqualTo(before);
        assertThat(s.checkpoints("..x")).isEmpty();
    }

    @Test
    void aStoreBelongsToOneServer() throws IOException {
        CellStore.open(dataDir, 1).close();
        assertThatThrownBy(() -> CellStore.open(dataDir, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server 1").hasMessageContaining("server 2");
        try (CellStore ro = CellStore.openReadOnly(dataDir)) {
            assertThat(ro.serverIndex()).isEqualTo(1);
        }
        assertThat(Files.readString(StoreLayout.of(dataDir).properties())).contains("server.index=1")
                .contains("format.version=2");
        assertThatThrownBy(() -> CellStore.open(tmp.resolve("other"), -1)).isInstanceOf(IllegalArgumentException.class);
        CellStore.open(dataDir, 1).close();
    }

    @Test
    void refusesADirectoryThatIsNotAStoreAndASecondWriter() throws IOException {
        Path other = tmp.resolve("home");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> CellStore.open(other, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("not empty");
        assertThat(StoreLayout.of(other).appsDir()).doesNotExist();

        open();
        assertThatThrownBy(() -> CellStore.open(dataDir, SERVER)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void refusesCellsOfOtherServersAndContradictions() throws IOException {
        CellStore s = open();
        StoredCell other = TestCells.cell(APP, CP, POLICY, SERVERS, 3, 0, SEGMENT, 1);
        assertThatThrownBy(() -> s.append(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs on server 3").hasMessageContaining("server 2");

        s.append(cell(0));
        StoredCell wider = TestCells.cell(APP, CP, POLICY, 7, SERVER, 1, SEGMENT, 1);
        assertThatThrownBy(() -> s.append(wider)).isInstanceOf(CheckpointConflictException.class)
                .hasMessageContaining("over 7 servers");
        StoredCell changed = TestCells.cell(APP, CP, POLICY, SERVERS, SERVER, 0, SEGMENT, 99);
        assertThatThrownBy(() -> s.append(changed)).isInstanceOf(CheckpointConflictException.class)
                .hasMessageContaining("differs");
        assertThatThrownBy(() -> s.putManifest(TestCells.manifest(APP, CP, "MIRROR-3", SERVERS, CELLS, SEGMENT)))
                .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                    assertThat(e.appId()).isEqualTo(APP);
                    assertThat(e.checkpointId()).isEqualTo(CP);
                });
        s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS, SEGMENT));
        assertThatThrownBy(() -> s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, CELLS + 1, SEGMENT)))
                .isInstanceOf(CheckpointConflictException.class).hasMessageContaining("differs");
        assertThatThrownBy(() -> s.commit("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.commit("stripes-2", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.cells(APP, CP)).containsExactly(cell(0).header().key());
    }

    // ------------------------------------------------------------ deletion

    @Test
    void deletesDurablyAndCompletely() throws IOException {
        CellStore s = open();
        for (int i = 0; i < 3; i++) {
            s.append(cell(CP, i));
            s.append(cell(CP2, i));
        }
        s.putManifest(TestCells.manifest(APP, CP, POLICY, SERVERS, 3, SEGMENT));
        s.commit("stripes-2", 6);
        s.append(cell(CP, 3));

        assertThat(s.delete(APP, CP)).isTrue();
        assertThat(s.checkpoints(APP)).containsExactly(CP2);
        assertThat(logOf(dataDir, APP, CP).getParent()).doesNotExist();
        assertThat(s.manifest(APP, CP)).isEmpty();
        assertThat(s.readCell(APP, CP, 0, cell(0).header().cellIndex())).isEmpty();
        assertThat(s.delete(APP, CP)).isFalse();
        s.commit("stripes-2", 7);
        assertThat(s.delete(APP, CP2)).isTrue();
        assertThat(s.apps()).isEmpty();
        try (Stream<Path> trash = Files.list(StoreLayout.of(dataDir).trashDir())) {
            assertThat(trash).isEmpty();
        }
        s.close();

        CellStore again = open();
        assertThat(again.apps()).isEmpty();
        assertThat(again.committedOffset("stripes-2")).hasValue(7);
        assertThat(again.append(cell(CP, 0))).as("a deleted checkpoint can be stored again").isTrue();
    }

    // ------------------------------------------------------------ completeness

    private static int expectedByLayout(int segments, int server, int servers, int cellsPerStripe) {
        int count = 0;
        for (int s = 0; s < segments; s++) {
            for (int j = 0; j < cellsPerStripe; j++) {
                if ((s + j) % servers == server) {
                    count++;
                }
            }
        }
        return count;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"RS-3-2 5 5", "MIRROR-3 3 3", "RS-3-2 7 5", "XOR-2-1 4 3"})
    void expectedCellsAndCompletenessFollowTheLayout(String spec) throws IOException {
        String[] parts = spec.split(" ");
        String policy = parts[0];
        int servers = Integer.parseInt(parts[1]);
        int cellsPerStripe = Integer.parseInt(parts[2]);
        int segments = 12;
        int checked = 0;
        for (int server = 0; server < servers; server++) {
            try (CellStore s = CellStore.open(tmp.resolve(policy + "-" + servers + "-" + server), server)) {
                assertThat(s.expectedCells(APP, CP)).isEmpty();
                assertThat(s.isComplete(APP, CP)).isFalse();
                s.putManifest(TestCells.manifest(APP, CP, policy, servers, segments, SEGMENT));
                int expected = expectedByLayout(segments, server, servers, cellsPerStripe);
                assertThat(s.expectedCells(APP, CP)).hasValue(expected);
                List<StoredCell> mine = new ArrayList<>();
                for (int seg = 0; seg < segments; seg++) {
                    if (io.checkstripe.codec.CellLayout.cellOn(seg, server, servers, cellsPerStripe) >= 0) {
                        mine.add(TestCells.cell(APP, CP, policy, servers, server, seg, SEGMENT, 5));
                    }
                }
                assertThat(mine).hasSize(expected);
                for (StoredCell c : mine) {
                    assertThat(s.isComplete(APP, CP)).isFalse();
                    s.append(c);
                }
                assertThat(s.isComplete(APP, CP)).isEqualTo(true);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(servers);
    }

    @Test
    void aServerOutsideTheManifestsServersExpectsNothing() throws IOException {
        try (CellStore s = CellStore.open(dataDir, 6)) {
            s.putManifest(TestCells.manifest(APP, CP, "MIRROR-3", 3, 4, SEGMENT));
            assertThat(s.expectedCells(APP, CP)).hasValue(0);
            assertThat(s.isComplete(APP, CP)).isTrue();
        }
    }

    // ------------------------------------------------------------ streaming

    @Test
    void streamsRecordsInTheWireFormat() throws IOException {
        storeTenCells();
        CellStore s = open();
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        try (WritableByteChannel out = Channels.newChannel(one)) {
            assertThat(s.transferCells(APP, CP, 4, 5, out)).isEqualTo(1);
            assertThat(s.transferCells(APP, CP, 40, 41, out)).isZero();
        }
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(one.toByteArray()))) {
            assertThat(r.nextCell().orElseThrow().verified()).isEqualTo(cell(4));
            assertThat(r.next()).isEmpty();
        }

        ByteArrayOutputStream range = new ByteArrayOutputStream();
        try (WritableByteChannel out = Channels.newChannel(range)) {
            assertThat(s.transferCells(APP, CP, 3, 6, out)).isEqualTo(3);
            assertThat(s.transferCells(APP, CP2, 0, 6, out)).isZero();
        }
        List<StoredCell> got = new ArrayList<>();
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(range.toByteArray()))) {
            for (Optional<CellReadResult> c = r.nextCell(); c.isPresent(); c = r.nextCell()) {
                got.add(c.get().verified());
            }
        }
        assertThat(got).containsExactly(cell(3), cell(4), cell(5));

        try (InputStream in = s.openCellStream(APP, CP, 7, cell(7).header().cellIndex()).orElseThrow();
                CellRecordReader r = new CellRecordReader(in)) {
            assertThat(r.nextCell().orElseThrow().verified()).isEqualTo(cell(7));
            assertThat(r.next()).isEmpty();
        }
        assertThat(s.openCellStream(APP, CP, 77, 0)).isEmpty();
        assertThatThrownBy(() -> s.transferCells(APP, CP, 5, 4, Channels.newChannel(range)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------ threads

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readersRunBesideTheWriter() throws Exception {
        CellStore s = open();
        int total = 300;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> writer = pool.submit(() -> {
                for (int i = 0; i < total; i++) {
                    s.append(cell(i));
                    if (i % 25 == 24) {
                        s.commit("stripes-2", i + 1);
                    }
                }
                return total;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (!writer.isDone() || reads == 0) {
                        for (CellKey k : s.cells(APP, CP)) {
                            CellReadResult got = s.readCell(APP, CP, k.segmentIndex(), k.cellIndex()).orElseThrow();
                            assertThat(got.verified()).isEqualTo(cell(k.segmentIndex()));
                            reads++;
                        }
                    }
                    return reads;
                }));
            }
            assertThat(writer.get()).isEqualTo(total);
            for (Future<Integer> r : readers) {
                assertThat(r.get()).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.cells(APP, CP)).isEqualTo(keys(0, total));
        assertThat(s.committedOffset("stripes-2")).hasValue(total);
    }

    // ------------------------------------------------------------ scale

    @Test
    void opensAndListsTwoThousandCheckpoints() throws IOException {
        int perApp = 500;
        List<String> apps = List.of("app-a", "app-b", "app-c", "app-d");
        CellStore.open(dataDir, 0).close();
        // Laid out by hand with the public record format (no fsync per log, unlike a commit of 2000 new logs):
        // the files alone make the store.
        for (String app : apps) {
            for (int cp = 0; cp < perApp; cp++) {
                Path log = logOf(dataDir, app, cp);
                Files.createDirectories(log.getParent());
                try (OutputStream out = Files.newOutputStream(log)) {
                    CellRecordFormat.write(TestCells.cell(app, cp, "MIRROR-1", 1, 0, 0, 64, cp), out);
                }
            }
        }
        try (CellStore s = CellStore.open(dataDir, 0)) {
            assertThat(s.apps()).isEqualTo(apps);
            int listed = 0;
            for (String app : apps) {
                List<Long> cps = s.checkpoints(app);
                assertThat(cps).isSorted().hasSize(perApp).startsWith(0L).endsWith(perApp - 1L);
                listed += cps.size();
            }
            assertThat(listed).isEqualTo(2000);
            StoredCell last = TestCells.cell("app-d", perApp - 1, "MIRROR-1", 1, 0, 0, 64, perApp - 1);
            assertThat(s.readCell("app-d", perApp - 1, 0, 0).orElseThrow().verified()).isEqualTo(last);
        }
    }
}
