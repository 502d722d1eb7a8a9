package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end encryption and authenticity through the real CLI, on a real broker, striper and sinks. One RS-3-2
 * pipeline over five servers holds three checkpoints of one application: 1 published through the striper under
 * key 1, 2 striped locally under key 2 after {@code keygen --rotate}, and 3 forged: published under the
 * application's id without its key. Each test then works on its own copy of the stores, as
 * {@link LossAndDamageIntegrationTest} does, and damages them the ways an attacker on a server would: cells
 * rewritten with their CRCs fixed, so only AES-GCM can tell.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EncryptionIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    @RegisterExtension
    static final StoreCopies STORES = new StoreCopies();

    private static final String APP = "vault";
    private static final String POLICY = "RS-3-2";
    private static final int SERVERS = 5;
    private static final int SEGMENT = 64 * 1024;
    /** Written many times into the checkpoints, so a store holding any of their plaintext would show it. */
    private static final byte[] MARKER = "checkstripe-plaintext-marker:0123456789".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path shared;

    private static Path first;
    private static Path second;
    private static Path forged;
    /** The key file after rotation: keys 1 and 2. */
    private static Path keys;
    /** The key file as it was before rotation: key 1 only. */
    private static Path oldKeys;

    @TempDir
    Path tmp;

    @BeforeAll
    static void publishTwoAuthenticCheckpointsAndAForgedOne() throws Exception {
        first = withMarkers(shared.resolve("first.bin"), 5L * SEGMENT + 123, 1);
        second = withMarkers(shared.resolve("second.bin"), 7L * SEGMENT + 45, 2);
        forged = withMarkers(shared.resolve("forged.bin"), 3L * SEGMENT, 3);
        keys = shared.resolve("vault.key");
        oldKeys = shared.resolve("vault-1.key");

        CliRun keygen = CliRun.of("keygen", "--out", keys.toString());
        assertThat(keygen.exitCode()).as(keygen.describe()).isZero();
        assertThat(keys).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rw-------");
        assertThat(shared.resolve("vault.key.pub")).exists();
        CliRun again = CliRun.of("keygen", "--out", keys.toString());
        assertThat(again.exitCode()).as("never overwrites a key file; " + again.describe()).isEqualTo(ExitCode.USAGE);
        Files.copy(keys, oldKeys);

        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), shared, "crypt", POLICY, SERVERS)) {
            CliRun one = pipeline.publish(APP, first, "--segment-size", Integer.toString(SEGMENT), "--key-file",
                    keys.toString());
            assertThat(one.exitCode()).as(one.describe()).isZero();
            assertThat(one.out()).contains("checkpoint 1").contains("encrypted and signed");

            CliRun rotate = CliRun.of("keygen", "--out", keys.toString(), "--rotate");
            assertThat(rotate.exitCode()).as(rotate.describe()).isZero();
            assertThat(rotate.out()).contains("keys [1, 2]").contains("key 2 encrypts and signs");

            CliRun two = pipeline.publish(APP, second, "--segment-size", Integer.toString(SEGMENT), "--key-file",
                    keys.toString(), "--stripe-locally", "--policy", POLICY, "--servers", Integer.toString(SERVERS));
            assertThat(two.exitCode()).as(two.describe()).isZero();
            assertThat(two.out()).contains("checkpoint 2").contains("encrypted and signed");

            CliRun three = pipeline.publish(APP, forged, "--segment-size", Integer.toString(SEGMENT));
            assertThat(three.exitCode()).as(three.describe()).isZero();
            assertThat(three.out()).contains("checkpoint 3");
            STORES.keep(pipeline);
        }
    }

    @Test
    void withTheKeyTheForgedCheckpointIsRefusedAndTheNewestAuthenticOneRestores() throws Exception {
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", keys.toString());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).contains("restored checkpoint 2 of " + APP)
                .contains("decrypted (AES-256-GCM, key 2), signature of key 2 verified")
                .contains("refused newer checkpoint 3").contains("no signature");
        assertThat(Files.mismatch(out, second)).as("first differing byte").isEqualTo(-1L);

        CliRun json = Pipeline.restore(APP, STORES.sources(), tmp.resolve("json.bin"), "--key-file", keys.toString(),
                "--output", "json");
        assertThat(json.exitCode()).as(json.describe()).isZero();
        JsonNode doc = json.json();
        assertThat(doc.path("checkpointId").asLong()).isEqualTo(2);
        assertThat(doc.path("bytes").asLong()).isEqualTo(Files.size(second));
        assertThat(doc.path("encrypted").asBoolean()).isTrue();
        assertThat(doc.path("skippedCheckpoints").path(0).path("checkpointId").asLong()).isEqualTo(3);
        assertThat(doc.path("skippedCheckpoints").path(0).path("kind").asText()).isEqualTo("NOT_AUTHENTIC");

        CliRun named = Pipeline.restore(APP, STORES.sources(), tmp.resolve("named.bin"), "--key-file",
                keys.toString(), "--checkpoint", "3");
        assertThat(named.exitCode()).as(named.describe()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(named.errLines()).as(named.describe()).hasSize(1);
        assertThat(named.err()).contains("checkpoint " + APP + "/3 is not authentic");
        assertThat(tmp.resolve("named.bin")).doesNotExist();
    }

    @Test
    void statusShowsWhichCheckpointsAreEncryptedAndSigned() {
        CliRun status = Pipeline.status(APP, STORES.sources());
        assertThat(status.exitCode()).as(status.describe()).isZero();
        assertThat(status.out()).as(status.describe())
                .contains("checkpoint 2: encrypted (AES-256-GCM, key 2), signed by key 2")
                .contains("checkpoint 1: encrypted (AES-256-GCM, key 1), signed by key 1")
                .doesNotContain("checkpoint 3:");
    }

    @Test
    void afterRotationTheKeyFileRestoresWhatEitherKeyMade() throws Exception {
        Path out = tmp.resolve("one.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", keys.toString(), "--checkpoint", "1");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).contains("key 1");
        assertThat(Files.mismatch(out, first)).as("first differing byte").isEqualTo(-1L);

        // The file from before the rotation has key 1 only: checkpoint 2 is beyond it.
        CliRun old = Pipeline.restore(APP, STORES.sources(), tmp.resolve("old.bin"), "--key-file",
                oldKeys.toString(), "--checkpoint", "2");
        assertThat(old.exitCode()).as(old.describe()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(old.err()).contains("key 2");
        assertThat(tmp.resolve("old.bin")).doesNotExist();
    }

    @Test
    void withMServersLostTheEncryptedCheckpointStillComesBack() throws Exception {
        TestFiles.deleteTree(STORES.get(1));
        TestFiles.deleteTree(STORES.get(3));
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", keys.toString());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).contains("restored checkpoint 2 of " + APP).contains("lost server 1")
                .contains("lost server 3");
        assertThat(Files.mismatch(out, second)).as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void noStoreHoldsThePlaintextOfAnEncryptedCheckpoint() throws Exception {
        int searched = 0;
        for (int server = 0; server < SERVERS; server++) {
            StoreLayout layout = StoreLayout.of(STORES.get(server));
            for (long cp : List.of(1L, 2L)) {
                searched += assertNoMarker(layout.checkpointDir(APP, cp));
            }
        }
        assertThat(searched).as("files searched").isGreaterThanOrEqualTo(2 * SERVERS);
        // The search does find plaintext: the forged checkpoint is in the clear.
        long found = 0;
        for (int server = 0; server < SERVERS; server++) {
            found += markersIn(StoreLayout.of(STORES.get(server)).cellLog(APP, 3));
        }
        assertThat(found).as("markers in the clear checkpoint's cells").isPositive();
    }

    @Test
    void withoutTheKeyAnEncryptedCheckpointIsNotWritten() {
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--checkpoint", "2");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.KEY_NEEDED);
        assertThat(run.errLines()).as(run.describe()).hasSize(1);
        assertThat(run.err()).contains("checkpoint " + APP + "/2 is encrypted: restore needs its key (--key-file)");
        assertThat(out).doesNotExist();
        assertThat(tmp.toFile().list()).as("nothing left beside the output").isEmpty();
    }

    @Test
    void anotherApplicationsKeyIsRefusedAndWritesNothing() throws Exception {
        Path other = tmp.resolve("other.key");
        assertThat(CliRun.of("keygen", "--out", other.toString()).exitCode()).isZero();
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", other.toString());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(run.err()).contains("no checkpoint of " + APP + " on the reachable servers is authentic")
                .contains("checkpoint 1").contains("checkpoint 2").contains("checkpoint 3");
        assertThat(out).doesNotExist();
    }

    @Test
    void aCellAlteredOnAServerWithItsCrcFixedIsRefusedAndTheOlderCheckpointRestores() throws Exception {
        int server = CellLayout.serverOf(0, 0, SERVERS);
        rewriteCell(STORES.get(server), 2, 0, 0, data -> {
            data[data.length / 2] ^= 0x01;
            return data;
        });
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", keys.toString());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).contains("restored checkpoint 1 of " + APP)
                .contains("refused newer checkpoint 3").contains("refused newer checkpoint 2")
                .contains("segment 0 fails authentication");
        assertThat(Files.mismatch(out, first)).as("first differing byte").isEqualTo(-1L);

        CliRun named = Pipeline.restore(APP, STORES.sources(), tmp.resolve("named.bin"), "--key-file",
                keys.toString(), "--checkpoint", "2");
        assertThat(named.exitCode()).as(named.describe()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(tmp.resolve("named.bin")).doesNotExist();
    }

    @Test
    void aSegmentReplayedFromAnOlderCheckpointIsRefused() throws Exception {
        // Every data cell of checkpoint 2's segment 0 replaced by checkpoint 1's, headers and CRCs consistent.
        for (int cell = 0; cell < 3; cell++) {
            Path store = STORES.get(CellLayout.serverOf(0, cell, SERVERS));
            byte[] older = readCell(store, 1, 0, cell);
            rewriteCell(store, 2, 0, cell, data -> older.clone());
        }
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--key-file", keys.toString());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).contains("restored checkpoint 1 of " + APP)
                .contains("refused newer checkpoint 2").contains("segment 0 fails authentication");
        assertThat(Files.mismatch(out, first)).as("first differing byte").isEqualTo(-1L);
    }

    /** Random bytes with {@link #MARKER} written every 4 KiB. */
    private static Path withMarkers(Path file, long size, long seed) throws IOException {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(bytes);
        for (int at = 0; at + MARKER.length <= bytes.length; at += 4096) {
            System.arraycopy(MARKER, 0, bytes, at, MARKER.length);
        }
        return Files.write(file, bytes);
    }

    /** Asserts that no file under {@code dir} holds the marker; returns how many files were searched. */
    private static int assertNoMarker(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            for (Path f : regular) {
                assertThat(markersIn(f)).as("markers in %s", f).isZero();
            }
            return regular.size();
        }
    }

    private static long markersIn(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long found = 0;
        outer:
        for (int i = 0; i + MARKER.length <= bytes.length; i++) {
            for (int j = 0; j < MARKER.length; j++) {
                if (bytes[i + j] != MARKER[j]) {
                    continue outer;
                }
            }
            found++;
        }
        return found;
    }

    /** Where a cell's record lies in its log, and its header. */
    private record Located(long position, CellHeader header) {
    }

    private static Located locate(Path log, int segment, int cell) throws IOException {
        try (InputStream in = Files.newInputStream(log); CellRecordReader reader = new CellRecordReader(in)) {
            long at = reader.position();
            for (Optional<CellHeader> h = reader.next(); h.isPresent(); h = reader.next()) {
                if (h.get().segmentIndex() == segment && h.get().cellIndex() == cell) {
                    return new Located(at, h.get());
                }
                reader.skipData();
                at = reader.position();
            }
        }
        throw new AssertionError("no cell " + segment + "/" + cell + " in " + log);
    }

    private static byte[] readCell(Path store, long cp, int segment, int cell) throws IOException {
        Path log = StoreLayout.of(store).cellLog(APP, cp);
        Located found = locate(log, segment, cell);
        byte[] data = new byte[found.header().cellLength()];
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "r")) {
            raf.seek(found.position() + CellRecordFormat.headerLength(found.header()));
            raf.readFully(data);
        }
        return data;
    }

    /** Rewrites a cell's data in place, with a header whose CRC32C matches, as an attacker with the disk could. */
    private static void rewriteCell(Path store, long cp, int segment, int cell, UnaryOperator<byte[]> change)
            throws IOException {
        Path log = StoreLayout.of(store).cellLog(APP, cp);
        Located found = locate(log, segment, cell);
        byte[] data = change.apply(readCell(store, cp, segment, cell));
        CellHeader h = found.header();
        CellHeader fixed = new CellHeader(h.appId(), h.checkpointId(), h.segmentIndex(), h.segmentOffset(),
                h.segmentLength(), h.cellIndex(), h.policy(), h.servers(), h.cellLength(),
                Crc32c.of(data, 0, data.length));
        ByteBuffer header = CellRecordFormat.encodeHeader(fixed);
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(found.position());
            raf.write(header.array(), 0, header.limit());
            raf.write(data);
        }
    }
}
