package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.store.CellStore;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental and directory checkpoints through the real CLI, on a real broker, striper and five RS-3-2 sinks that
 * keep only the newest complete checkpoint (R = 1), so every base survives only because a kept checkpoint reads
 * from it. A file is published in full, then again with 1% of it rewritten in scattered 4 KiB writes and 100 bytes
 * inserted near its start: the second publish sends a small share of the content, and both restore byte-exact, also
 * with two servers lost. A directory tree is published, changed and published again, and restored as a directory.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IncrementalIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final String FILE_APP = "ledger";
    private static final String DIR_APP = "rocks";
    private static final int SERVERS = 5;
    private static final int SIZE = 4 << 20;
    private static final String CHUNK = "8192";

    @TempDir
    static Path shared;

    private static Pipeline pipeline;
    private static Path first;
    private static Path second;
    private static JsonNode firstPublish;
    private static JsonNode secondPublish;
    private static Path tree;
    /** {@link #listing} of the tree as its first checkpoint published it. */
    private static Map<String, String> firstTree;

    @TempDir
    Path tmp;

    @BeforeAll
    static void publishTwoVersionsOfAFileAndOfADirectory() throws Exception {
        pipeline = Pipeline.start(KAFKA.bootstrapServers(), shared, "incremental", "RS-3-2", SERVERS);
        for (int server = 0; server < SERVERS; server++) {
            pipeline.startSink(server, Map.of("checkstripe.retain", 1));
        }
        Files.writeString(pipeline.commandConfig(), "checkstripe.chunking.index.dir="
                + shared.resolve("chunk-index") + "\n", StandardOpenOption.APPEND);

        first = TestFiles.random(shared.resolve("first.bin"), SIZE, 1);
        second = edited(first, shared.resolve("second.bin"));
        firstPublish = publishJson(FILE_APP, "--file", first.toString());
        secondPublish = publishJson(FILE_APP, "--file", second.toString());

        tree = shared.resolve("tree");
        Files.createDirectories(tree.resolve("sst/old"));
        TestFiles.random(tree.resolve("sst/000001.sst"), 1 << 20, 11);
        TestFiles.random(tree.resolve("sst/old/000002.sst"), 300_000, 12);
        Files.writeString(tree.resolve("CURRENT"), "MANIFEST-000001\n");
        Files.createFile(tree.resolve("LOCK"));
        Files.setPosixFilePermissions(tree.resolve("CURRENT"), PosixFilePermissions.fromString("r--r-----"));
        Files.createSymbolicLink(tree.resolve("latest"), Path.of("sst/000001.sst"));
        JsonNode one = publishJson(DIR_APP, "--dir", tree.toString());
        assertThat(one.path("content").path("type").asText()).isEqualTo("directory");
        firstTree = listing(tree);

        TestFiles.random(tree.resolve("sst/000003.sst"), 200_000, 13);
        Files.writeString(tree.resolve("CURRENT"), "MANIFEST-000003\n");
        Files.setLastModifiedTime(tree.resolve("sst/old/000002.sst"), FileTime.fromMillis(1_600_000_000_123L));
        JsonNode two = publishJson(DIR_APP, "--dir", tree.toString());
        assertThat(two.path("content").path("bases").toString()).isEqualTo("[1]");
        assertThat(two.path("content").path("newBytes").asLong())
                .as("only the new file and CURRENT are new; unchanged files cost nothing")
                .isLessThan(250_000);
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @Test
    void theSecondPublishSendsOnlyWhatChangedAndBothRestoreByteExact() throws Exception {
        assertThat(firstPublish.path("content").path("bases").size()).isZero();
        assertThat(firstPublish.path("content").path("newBytes").asLong()).isEqualTo(SIZE);
        JsonNode content = secondPublish.path("content");
        assertThat(content.path("bases").toString()).isEqualTo("[1]");
        assertThat(content.path("bytes").asLong()).isEqualTo(Files.size(second));
        assertThat(content.path("sha256").asText()).isEqualTo(TestFiles.sha256(second));
        assertThat(secondPublish.path("bytes").asLong()).as("delta sent, of a %d-byte content", Files.size(second))
                .isLessThan(Files.size(second) / 10);

        Path newest = tmp.resolve("newest.bin");
        CliRun restore = Pipeline.restore(FILE_APP, pipeline.directories(), newest);
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(restore.out()).contains("restored checkpoint 2 of " + FILE_APP);
        assertThat(Files.mismatch(newest, second)).as("first differing byte").isEqualTo(-1L);

        Path older = tmp.resolve("older.bin");
        CliRun base = Pipeline.restore(FILE_APP, pipeline.directories(), older, "--checkpoint", "1");
        assertThat(base.exitCode()).as("the base is kept while checkpoint 2 reads from it; " + base.describe())
                .isZero();
        assertThat(Files.mismatch(older, first)).isEqualTo(-1L);
    }

    @Test
    void anIncrementalCheckpointRestoresWithTwoServersLost() throws Exception {
        List<String> survivors = pipeline.directories().subList(2, SERVERS);
        Path out = tmp.resolve("degraded.bin");
        CliRun restore = Pipeline.restore(FILE_APP, survivors, out, "--output", "json");
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(restore.json().path("checkpointId").asLong()).isEqualTo(2);
        assertThat(Files.mismatch(out, second)).isEqualTo(-1L);
    }

    @Test
    void statusShowsNewAndSharedBytes() {
        CliRun status = Pipeline.status(FILE_APP, pipeline.directories(), "--output", "json");
        assertThat(status.exitCode()).as(status.describe()).isZero();
        assertThat(status.out()).contains("\"newBytes\"").contains("\"sharedBytes\"");
    }

    @Test
    void aDirectoryCheckpointRestoresAsTheSameTree() throws Exception {
        Path out = tmp.resolve("restored-tree");
        CliRun restore = CliRun.of("restore", "--app", DIR_APP, "--from", String.join(",", pipeline.directories()),
                "--out-dir", out.toString());
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(listing(out)).isEqualTo(listing(tree));

        Path older = tmp.resolve("older-tree");
        CliRun first = CliRun.of("restore", "--app", DIR_APP, "--from", String.join(",", pipeline.directories()),
                "--out-dir", older.toString(), "--checkpoint", "1");
        assertThat(first.exitCode()).as(first.describe()).isZero();
        assertThat(listing(older)).isEqualTo(firstTree);
    }

    @Test
    void aDirectoryIsNotRestoredAsAFileNorIntoAFullDirectory() throws Exception {
        CliRun asFile = Pipeline.restore(DIR_APP, pipeline.directories(), tmp.resolve("tree.bin"));
        assertThat(asFile.exitCode()).as(asFile.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(asFile.err()).contains("is a directory: restore it with --out-dir");
        assertThat(tmp.resolve("tree.bin")).doesNotExist();

        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        CliRun intoFull = CliRun.of("restore", "--app", DIR_APP, "--from", String.join(",", pipeline.directories()),
                "--out-dir", full.toString());
        assertThat(intoFull.exitCode()).as(intoFull.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("mine");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("full");
        }
    }

    @Test
    void aServerThatLostTheBaseWithholdsItsAckAndTheNextCheckpointGoesInFull() throws Exception {
        String app = "wiped";
        Path state = TestFiles.random(tmp.resolve("state.bin"), 1 << 20, 21);
        assertThat(publishJson(app, "--file", state.toString()).path("content").path("bases").size()).isZero();

        pipeline.sink(0).close();
        try (CellStore store = CellStore.open(pipeline.dataDir(0), 0)) {
            assertThat(store.delete(app, 1)).isTrue();
        }
        pipeline.startSink(0, Map.of("checkstripe.retain", 1));

        Path changed = edited(state, tmp.resolve("changed.bin"));
        CliRun unprotected = pipeline.publish(app, changed, "--incremental", "--chunk-size", CHUNK,
                "--protect-timeout", "10");
        assertThat(unprotected.exitCode()).as(unprotected.describe()).isEqualTo(ExitCode.NOT_PROTECTED);
        assertThat(unprotected.err()).contains("servers [0] of 5 have not acknowledged it");

        JsonNode full = publishJson(app, "--file", changed.toString());
        assertThat(full.path("checkpointId").asLong()).isEqualTo(3);
        assertThat(full.path("content").path("bases").size()).as("the index was dropped: sent in full").isZero();
        Path out = tmp.resolve("restored.bin");
        CliRun restore = Pipeline.restore(app, pipeline.directories(), out);
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(Files.mismatch(out, changed)).isEqualTo(-1L);
    }

    @Test
    void anEncryptedCheckpointIsIncrementalUnderItsKeyAndRestoresOnlyWithIt() throws Exception {
        String app = "sealed";
        Path keys = tmp.resolve("sealed.key");
        CliRun keygen = CliRun.of("keygen", "--out", keys.toString());
        assertThat(keygen.exitCode()).as(keygen.describe()).isZero();
        Path state = TestFiles.random(tmp.resolve("sealed.bin"), 1 << 20, 31);
        Path changed = edited(state, tmp.resolve("sealed-2.bin"));
        assertThat(publishJson(app, "--file", state.toString(), "--key-file", keys.toString())
                .path("content").path("bases").size()).isZero();
        JsonNode second = publishJson(app, "--file", changed.toString(), "--key-file", keys.toString());
        assertThat(second.path("content").path("bases").toString()).isEqualTo("[1]");
        assertThat(second.path("content").path("newBytes").asLong()).isLessThan(Files.size(changed) / 5);

        Path out = tmp.resolve("sealed-restored.bin");
        CliRun restore = Pipeline.restore(app, pipeline.directories().subList(0, 3), out, "--key-file",
                keys.toString());
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(restore.out()).contains("restored checkpoint 2 of " + app).contains("signature of key 1 verified");
        assertThat(Files.mismatch(out, changed)).isEqualTo(-1L);

        CliRun keyless = Pipeline.restore(app, pipeline.directories(), tmp.resolve("keyless.bin"));
        assertThat(keyless.exitCode()).as(keyless.describe()).isEqualTo(ExitCode.KEY_NEEDED);
        assertThat(tmp.resolve("keyless.bin")).doesNotExist();
    }

    @Test
    void aPublishAfterAnotherPublisherNeverReferencesWhatRetentionDeleted() throws Exception {
        String app = "raced";
        Path one = TestFiles.random(tmp.resolve("raced-1.bin"), 1 << 20, 41);
        Path two = edited(one, tmp.resolve("raced-2.bin"));
        Path three = edited(two, tmp.resolve("raced-3.bin"));
        assertThat(publishJson(app, "--file", one.toString()).path("checkpointId").asLong()).isEqualTo(1);

        // Another machine publishes the application with an index of its own: in full, and the sinks (R = 1)
        // then delete checkpoint 1, which this publisher's index still describes.
        Path elsewhere = tmp.resolve("elsewhere.properties");
        Files.writeString(elsewhere, Files.readString(pipeline.commandConfig()).replace(
                shared.resolve("chunk-index").toString(), tmp.resolve("elsewhere-index").toString()));
        CliRun other = CliRun.of("publish", "--bootstrap-server", KAFKA.bootstrapServers(), "--command-config",
                elsewhere.toString(), "--app", app, "--file", two.toString(), "--incremental", "--chunk-size", CHUNK,
                "--wait-protected", "--protect-timeout", "150", "--output", "json");
        assertThat(other.exitCode()).as(other.describe()).isZero();
        assertThat(other.json().path("content").path("bases").size()).isZero();
        // Each sink acknowledges a batch before its retention pass deletes what the batch made expire.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Path dir : pipeline.dataDirs()) {
                try (CellStore store = CellStore.openReadOnly(dir)) {
                    assertThat(store.checkpoints(app)).as("retention on %s", dir).containsExactly(2L);
                }
            }
        });

        JsonNode third = publishJson(app, "--file", three.toString());
        assertThat(third.path("checkpointId").asLong()).isEqualTo(3);
        assertThat(third.path("content").path("bases").size()).as("its index describes 1, the newest is 2: in full")
                .isZero();
        Path out = tmp.resolve("raced.bin");
        CliRun restore = Pipeline.restore(app, pipeline.directories(), out);
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        assertThat(Files.mismatch(out, three)).isEqualTo(-1L);
    }

    private static JsonNode publishJson(String app, String... what) {
        List<String> args = new ArrayList<>(List.of(what));
        args.addAll(List.of("--incremental", "--chunk-size", CHUNK, "--output", "json"));
        CliRun run = what[0].equals("--file") ? pipeline.publish(app, Path.of(what[1]), args.subList(2,
                args.size()).toArray(String[]::new)) : CliRun.of(directoryPublish(app, args));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run.json();
    }

    private static List<String> directoryPublish(String app, List<String> args) {
        List<String> all = new ArrayList<>(List.of("publish", "--bootstrap-server", KAFKA.bootstrapServers(),
                "--command-config", pipeline.commandConfig().toString(), "--app", app, "--wait-protected",
                "--protect-timeout", "150"));
        all.addAll(args);
        return all;
    }

    /** {@code from} with 1% of it rewritten in scattered 4 KiB writes and 100 bytes inserted near its start. */
    private static Path edited(Path from, Path to) throws IOException {
        byte[] bytes = Files.readAllBytes(from);
        Random random = new Random(7);
        int writes = bytes.length / 100 / 4096;
        for (int i = 0; i < writes; i++) {
            int at = random.nextInt(bytes.length - 4096);
            byte[] block = new byte[4096];
            random.nextBytes(block);
            System.arraycopy(block, 0, bytes, at, block.length);
        }
        byte[] inserted = new byte[100];
        random.nextBytes(inserted);
        try (RandomAccessFile out = new RandomAccessFile(to.toFile(), "rw")) {
            out.write(bytes, 0, 1000);
            out.write(inserted);
            out.write(bytes, 1000, bytes.length - 1000);
        }
        return to;
    }

    /** Every entry of a tree: path, type, permissions, mtime and content digest or link target. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "dir " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                } else {
                    what = "file " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
                            + Files.getLastModifiedTime(p).toMillis() + " " + TestFiles.sha256(p);
                }
                entries.put(rel, what);
            }
        }
        return entries;
    }
}
