package io.checkstripe.cli;

import io.checkstripe.store.StoreLayout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.sink.BackupSink;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.CellStore;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup sink stopped in the middle of a checkpoint and started again on its store: the
 * store ends with every cell of its server exactly once, the waiting {@code publish
 * --wait-protected} returns once the restarted sink holds it all, and the checkpoint restores
 * from a set of servers that needs that sink's cells.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SinkRestartIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final String APP = "restart";
    private static final int SERVERS = 5;
    private static final int SEGMENT = 32 * 1024;
    private static final int SEGMENTS = 128;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    @Test
    void aSinkRestartedInTheMiddleOfACheckpointStoresEveryCellExactlyOnce() throws Exception {
        Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), (long) SEGMENTS * SEGMENT, 7);
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, "restart", "RS-3-2", SERVERS)) {
            Set<CellKey> expected = cellsOfServer0(pipeline);
            pipeline.sink(0).close();
            CompletableFuture<CliRun> published = CompletableFuture.supplyAsync(() -> pipeline.publish(APP, file,
                    "--segment-size", Integer.toString(SEGMENT)));
            // Every cell of the checkpoint is on the stripes topic once the other sinks hold its manifest.
            await().atMost(WAIT).until(() -> IntStream.range(1, SERVERS)
                    .allMatch(i -> pipeline.sink(i).stats().manifestsStored() == 1));

            // One record per batch, so each cell is its own store commit and the stop lands mid-checkpoint.
            BackupSink first = pipeline.startSink(0, Map.of("consumer.max.poll.records", 1));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> first.stats().cellsStored() >= 3);
            first.close();
            long storedFirst = first.stats().cellsStored();
            try (CellStore store = CellStore.openReadOnly(pipeline.dataDir(0))) {
                assertThat(store.isComplete(APP, 1)).as("stopped in the middle of the checkpoint").isFalse();
                assertThat(store.cells(APP, 1)).hasSize((int) storedFirst).hasSizeLessThan(expected.size());
            }
            assertThat(published).as("not protected while server 0 lacks cells").isNotDone();

            BackupSink second = pipeline.startSink(0, Map.of());
            CliRun run = published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).contains("protected on every backup server");
            second.close();
            assertThat(second.stats().cellsStored()).as("the second run stores only what the first did not")
                    .isEqualTo(expected.size() - storedFirst);
            assertThat(cellsInLog(pipeline.dataDir(0))).as("every cell of server 0 once, in its log")
                    .containsOnlyKeys(expected).allSatisfy((cell, copies) -> assertThat(copies).isOne());

            // K = 3 servers, server 0 among them: every stripe needs the cell server 0 holds, if any.
            Path out = tmp.resolve("restored.bin");
            CliRun restore = Pipeline.restore(APP, pipeline.directories().subList(0, 3), out);
            assertThat(restore.exitCode()).as(restore.describe()).isZero();
            assertThat(restore.out()).contains("lost server 3").contains("lost server 4");
            assertThat(Files.mismatch(out, file)).as("first differing byte").isEqualTo(-1L);
        }
    }

    /** The cells the layout puts on server 0: cell j of stripe s lives on server (s + j) mod N. */
    private static Set<CellKey> cellsOfServer0(Pipeline pipeline) {
        Set<CellKey> cells = new TreeSet<>();
        int perStripe = pipeline.policy().totalCells();
        for (int stripe = 0; stripe < SEGMENTS; stripe++) {
            int cell = CellLayout.cellOn(stripe, 0, SERVERS, perStripe);
            if (cell >= 0) {
                cells.add(new CellKey(stripe, cell));
            }
        }
        return cells;
    }

    /** How many records of each cell the checkpoint's log on that store holds. */
    private static Map<CellKey, Integer> cellsInLog(Path store) throws Exception {
        Path log = StoreLayout.of(store).cellLog(APP, 1);
        Map<CellKey, Integer> counts = new TreeMap<>();
        try (InputStream in = Files.newInputStream(log); CellRecordReader reader = new CellRecordReader(in)) {
            for (var header = reader.next(); header.isPresent(); header = reader.next()) {
                counts.merge(header.get().key(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
