package io.checkstripe.store;

import io.checkstripe.core.FileChannels;

import static io.checkstripe.store.FileDamage.flipBit;
import static io.checkstripe.store.TestCells.logOf;
import static io.checkstripe.store.TestCells.recordCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.Crc32c;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a commit makes a batch durable: how many fsyncs it waits for one after the other, what a failed fsync
 * does, and what a crash leaves of a manifest not yet committed and of a commit state written in its slots.
 */
class CommitDurabilityTest {

    private static final String APP = "ledger";
    private static final long CP = 7;
    private static final String POLICY = "XOR-2-1";
    private static final int SERVERS = 3;
    private static final int SERVER = 1;
    private static final int SEGMENT = 4000;
    private static final String SOURCE = "stripes-1";
    /** Long enough that fsyncs issued side by side overlap even on a loaded machine. */
    private static final Duration LATENCY = Duration.ofMillis(200);

    @TempDir
    Path dataDir;

    private final List<CellStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() throws IOException {
        for (CellStore s : opened) {
            s.abandon();
        }
    }

    private CellStore open(FileChannels channels) throws IOException {
        CellStore s = CellStore.open(dataDir, SERVER, channels);
        opened.add(s);
        return s;
    }

    private CellStore open() throws IOException {
        return open(FileChannels.DEFAULT);
    }

    private static StoredCell cell(long cp, int segment) {
        return TestCells.cell(APP, cp, POLICY, SERVERS, SERVER, segment, SEGMENT, cp);
    }

    private static StoredManifest manifest(long cp, int segments) {
        return TestCells.manifest(APP, cp, POLICY, SERVERS, segments, SEGMENT);
    }

    private List<Path> quarantined() throws IOException {
        try (Stream<Path> files = Files.list(StoreLayout.of(dataDir).quarantineDir())) {
            return files.toList();
        }
    }

    // ------------------------------------------------------------ fsync rounds

    @Test
    void aBatchOpeningANewCheckpointIsDurableAfterAtMostThreeRoundsOfFsyncs() throws IOException {
        SlowDisk disk = new SlowDisk(LATENCY.toNanos());
        CellStore s = open(disk);
        disk.clear();
        for (int i = 0; i < 5; i++) {
            s.append(cell(CP, i));
        }
        s.putManifest(manifest(CP, 5));
        assertThat(disk.forces()).as("putManifest forces nothing: the commit does").isEmpty();

        s.commit(SOURCE, 6);

        List<SlowDisk.Force> forces = disk.forces();
        assertThat(forces).extracting(f -> dataDir.relativize(f.path()).toString()).containsExactlyInAnyOrder(
                "commit-state.1", "commit-state.0", // the new log listed as open; then the offsets
                "apps/ledger/00000000000000000007/manifest.tmp",
                "apps/ledger/00000000000000000007/cells.log",
                "apps", "apps/ledger", "apps/ledger/00000000000000000007");
        assertThat(forces).as("forces on the fsync threads").filteredOn(f -> f.thread().startsWith("checkstripe-fsync-"))
                .isNotEmpty();
        assertThat(disk.rounds()).as("sequential fsync rounds of %s", forces).isLessThanOrEqualTo(3);
        assertThat(s.committedOffset(SOURCE)).hasValue(6);
        assertThat(StoreLayout.of(dataDir).manifest(APP, CP)).exists();
        assertThat(StoreLayout.of(dataDir).manifestTemp(APP, CP)).doesNotExist();

        disk.clear();
        for (int i = 5; i < 8; i++) {
            s.append(cell(CP, i));
        }
        s.commit(SOURCE, 9);
        assertThat(disk.forces()).extracting(f -> f.path().getFileName().toString())
                .containsExactlyInAnyOrder("cells.log", "commit-state.1");
        assertThat(disk.rounds()).as("more cells of an open checkpoint").isEqualTo(2);
        s.abandon();

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).hasValue(9);
        assertThat(reopened.manifest(APP, CP)).hasValue(manifest(CP, 5));
        assertThat(reopened.cells(APP, CP)).hasSize(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cells.log", "manifest.tmp", "00000000000000000007", "ledger"})
    void aFailedFsyncInARoundFailsTheStoreAndRecordsNoOffsets(String failing) throws IOException {
        SlowDisk disk = new SlowDisk(0);
        CellStore s = open(disk);
        s.append(cell(CP - 1, 0));
        s.commit(SOURCE, 1);
        for (int i = 0; i < 4; i++) {
            s.append(cell(CP, i));
        }
        s.putManifest(manifest(CP, 4));
        disk.failForcesOf(p -> p.getFileName().toString().equals(failing));

        assertThatThrownBy(() -> s.commit(SOURCE, 6)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot make the cells").hasMessageContaining("reopened")
                .hasStackTraceContaining("simulated");
        assertThat(s.committedOffset(SOURCE)).hasValue(1);
        assertThatThrownBy(() -> s.append(cell(CP, 5))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reopen");
        assertThatThrownBy(() -> s.commit(SOURCE, 6)).isInstanceOf(IllegalStateException.class);
        s.abandon();

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).hasValue(1);
        for (int i = 0; i < 4; i++) {
            reopened.append(cell(CP, i));
        }
        reopened.putManifest(manifest(CP, 4));
        reopened.commit(SOURCE, 6);
        assertThat(reopened.isComplete(APP, CP)).isTrue();
        assertThat(recordCounts(logOf(dataDir, APP, CP))).hasSize(4).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    // ------------------------------------------------------------ pending manifests

    @Test
    void aManifestIsReadFromMemoryUntilTheCommitMakesItDurable() throws IOException {
        CellStore s = open();
        s.append(cell(CP, 0));
        s.putManifest(manifest(CP, 3));
        assertThat(StoreLayout.of(dataDir).manifest(APP, CP)).doesNotExist();
        assertThat(s.manifest(APP, CP)).hasValue(manifest(CP, 3));
        assertThat(s.expectedCells(APP, CP)).hasValue(3);
        assertThat(s.putManifest(manifest(CP, 3))).as("the same manifest again").isFalse();
        assertThatThrownBy(() -> s.putManifest(manifest(CP, 4))).isInstanceOf(CheckpointConflictException.class);
        assertThatThrownBy(() -> s.append(TestCells.cell(APP, CP, "RS-2-1", SERVERS, SERVER, 1, SEGMENT, CP)))
                .as("a cell of another policy than the pending manifest's")
                .isInstanceOf(CheckpointConflictException.class);

        s.commit(SOURCE, 3);
        assertThat(StoreLayout.of(dataDir).manifest(APP, CP)).exists();
        assertThat(ManifestFormat.decode(Files.readAllBytes(StoreLayout.of(dataDir).manifest(APP, CP))))
                .isEqualTo(manifest(CP, 3));
    }

    @Test
    void aCrashBeforeTheCommitLeavesNoManifestAndTheReplayStoresIt() throws IOException {
        CellStore s = open();
        for (int i = 0; i < 3; i++) {
            s.append(cell(CP, i));
        }
        s.commit(SOURCE, 3);
        s.putManifest(manifest(CP, 3));
        Path temp = StoreLayout.of(dataDir).manifestTemp(APP, CP);
        assertThat(temp).exists();
        s.abandon(); // killed before the commit: the record of the manifest was not committed

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).hasValue(3);
        assertThat(reopened.manifest(APP, CP)).isEmpty();
        assertThat(reopened.isComplete(APP, CP)).isFalse();
        assertThat(reopened.cells(APP, CP)).hasSize(3);
        assertThat(temp).as("deleted when the checkpoint is first used").doesNotExist();
        assertThat(reopened.putManifest(manifest(CP, 3))).as("the replay stores it, no conflict").isTrue();
        reopened.commit(SOURCE, 4);
        reopened.close();

        CellStore again = open();
        assertThat(again.manifest(APP, CP)).hasValue(manifest(CP, 3));
        assertThat(again.isComplete(APP, CP)).isTrue();
        assertThat(quarantined()).isEmpty();
    }

    @Test
    void closingMakesAPendingManifestDurable() throws IOException {
        CellStore s = open();
        s.append(cell(CP, 0));
        s.putManifest(manifest(CP, 3));
        s.close();
        assertThat(open().manifest(APP, CP)).hasValue(manifest(CP, 3));
    }

    @Test
    void aDeletedCheckpointTakesItsPendingManifestAlong() throws IOException {
        CellStore s = open();
        s.append(cell(CP, 0));
        s.putManifest(manifest(CP, 3));
        assertThat(s.delete(APP, CP)).isTrue();
        s.commit(SOURCE, 2);
        assertThat(s.checkpoints(APP)).isEmpty();
        assertThat(s.manifest(APP, CP)).isEmpty();
    }

    // ------------------------------------------------------------ commit-state slots

    @Test
    void aSlotTornWhileItIsWrittenLeavesTheOtherSlotTrusted() throws IOException {
        LimitedDisk disk = new LimitedDisk(Long.MAX_VALUE);
        CellStore s = open(disk);
        for (int i = 0; i < 3; i++) {
            s.append(cell(CP, i));
        }
        s.commit(SOURCE, 3);
        for (int i = 3; i < 6; i++) {
            s.append(cell(CP, i));
        }
        s.writeBuffered();
        disk.budget(10); // the slot write stops after 10 bytes, over the older state it replaces
        assertThatThrownBy(() -> s.commit(SOURCE, 6)).isInstanceOf(IOException.class)
                .hasMessageContaining("disk full").hasMessageContaining("commit-state.");
        assertThat(s.committedOffset(SOURCE)).hasValue(3);
        s.abandon();

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).hasValue(3);
        assertThat(reopened.cells(APP, CP)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(quarantined()).as("a torn slot is expected after a crash, not rot").isEmpty();
        for (int i = 3; i < 6; i++) {
            reopened.append(cell(CP, i));
        }
        reopened.commit(SOURCE, 6);
        reopened.abandon();
        assertThat(open().committedOffset(SOURCE)).hasValue(6);
        assertThat(recordCounts(logOf(dataDir, APP, CP))).hasSize(6).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    @ParameterizedTest
    @ValueSource(strings = {"flip", "truncate", "empty"})
    void whenTheNewestSlotIsUnreadableTheOlderStateIsTrustedAndNeverAheadOfTheCells(String damage)
            throws IOException {
        CellStore s = open();
        for (int i = 0; i < 3; i++) {
            s.append(cell(CP, i));
        }
        s.commit(SOURCE, 3);
        for (int i = 3; i < 6; i++) {
            s.append(cell(CP, i));
        }
        s.commit(SOURCE, 6);
        s.abandon();
        Path newest = newestSlot();
        switch (damage) {
            case "flip" -> flipBit(newest, 20, 3);
            case "truncate" -> FileDamage.truncate(newest, Files.size(newest) - 5);
            default -> FileDamage.truncate(newest, 0);
        }

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).as("the older state").hasValue(3);
        assertThat(reopened.cells(APP, CP)).as("the cells it covers, and more").hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(reopened.append(cell(CP, i))).as("replayed cell %d is skipped", i).isFalse();
        }
        reopened.commit(SOURCE, 6);
        reopened.abandon();
        assertThat(open().committedOffset(SOURCE)).hasValue(6);
        assertThat(recordCounts(logOf(dataDir, APP, CP))).hasSize(6).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    /** The slot holding the state of the highest sequence. */
    private Path newestSlot() throws IOException {
        Path newest = null;
        long best = -1;
        for (int i = 0; i < 2; i++) {
            Path slot = StoreLayout.of(dataDir).commitStateSlot(i);
            long seq = CommitState.decode(Files.readAllBytes(slot)).sequence();
            if (seq > best) {
                best = seq;
                newest = slot;
            }
        }
        return newest;
    }

    @Test
    void aFormat1StoreIsReadAndUpgraded() throws IOException {
        CellStore s = open();
        for (int i = 0; i < 3; i++) {
            s.append(cell(CP, i));
        }
        s.putManifest(manifest(CP, 4));
        s.commit(SOURCE, 5);
        s.close();
        Path log = logOf(dataDir, APP, CP);
        long durable = Files.size(log);
        // Turn it into what format 1 wrote: one commit-state file (listing the log as open, as after a kill)
        // and format.version=1; then add an uncommitted, torn tail to the log.
        Files.delete(StoreLayout.of(dataDir).commitStateSlot(0));
        Files.delete(StoreLayout.of(dataDir).commitStateSlot(1));
        Files.write(StoreLayout.of(dataDir).legacyCommitState(), format1State(SOURCE, 5, APP, CP, durable));
        Path properties = StoreLayout.of(dataDir).properties();
        Files.writeString(properties, Files.readString(properties).replace("format.version=2", "format.version=1"));
        byte[] tail = FileDamage.read(log, 0, 100);
        Files.write(log, tail, java.nio.file.StandardOpenOption.APPEND);

        try (CellStore readOnly = CellStore.openReadOnly(dataDir)) {
            assertThat(readOnly.committedOffset(SOURCE)).hasValue(5);
            assertThat(readOnly.manifest(APP, CP)).hasValue(manifest(CP, 4));
        }
        CellStore upgraded = open();
        assertThat(upgraded.committedOffset(SOURCE)).hasValue(5);
        assertThat(Files.size(log)).as("the uncommitted tail past the recovery point is cut").isEqualTo(durable);
        assertThat(quarantined()).isEmpty();
        assertThat(StoreLayout.of(dataDir).legacyCommitState()).doesNotExist();
        assertThat(StoreLayout.of(dataDir).commitStateSlot(0)).exists();
        assertThat(StoreLayout.of(dataDir).commitStateSlot(1)).exists();
        assertThat(Files.readString(properties)).contains("format.version=2");
        assertThat(upgraded.isComplete(APP, CP)).isFalse();
        upgraded.append(cell(CP, 3));
        upgraded.commit(SOURCE, 6);
        upgraded.abandon();

        CellStore reopened = open();
        assertThat(reopened.committedOffset(SOURCE)).hasValue(6);
        assertThat(reopened.cells(APP, CP)).hasSize(4);
        assertThat(reopened.isComplete(APP, CP)).isTrue();
    }

    /** A format-1 commit state, byte by byte as {@code CommitState} version 1 documents it. */
    private static byte[] format1State(String source, long offset, String app, long cp, long recoveryPoint) {
        byte[] key = source.getBytes(StandardCharsets.UTF_8);
        byte[] appId = app.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4 + 2 + key.length + 8 + 4 + 1 + appId.length + 16 + 4);
        b.putInt(0x4353434F).put((byte) 1);
        b.putInt(1).putShort((short) key.length).put(key).putLong(offset);
        b.putInt(1).put((byte) appId.length).put(appId).putLong(cp).putLong(recoveryPoint);
        b.putInt(Crc32c.of(b.array(), 0, b.position()));
        return b.array();
    }
}
