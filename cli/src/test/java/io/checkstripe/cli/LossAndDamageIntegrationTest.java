package io.checkstripe.cli;

import io.checkstripe.store.StoreLayout;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.checkstripe.store.CellHeader;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores through the real CLI after servers are lost or damaged. One RS-3-2 pipeline over
 * five servers (M = 2) publishes two checkpoints of one application; every test then works on
 * its own copy of the five stores, so each damage starts from the same protected state.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LossAndDamageIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    @RegisterExtension
    static final StoreCopies STORES = new StoreCopies();

    private static final String APP = "ledger";
    private static final int SERVERS = 5;
    /** 64 KiB segments: the checkpoints span several stripes, so every server holds data and parity cells. */
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    static Path shared;

    private static Path first;
    private static Path second;

    @TempDir
    Path tmp;

    @BeforeAll
    static void publishTwoCheckpoints() throws Exception {
        first = TestFiles.random(shared.resolve("first.bin"), 5L * SEGMENT + 123, 1);
        second = TestFiles.random(shared.resolve("second.bin"), 7L * SEGMENT + 45, 2);
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), shared, "damage", "RS-3-2", SERVERS)) {
            for (Path file : List.of(first, second)) {
                CliRun run = pipeline.publish(APP, file, "--segment-size", Integer.toString(SEGMENT));
                assertThat(run.exitCode()).as(run.describe()).isZero();
                assertThat(run.out()).contains("protected on every backup server");
            }
            STORES.keep(pipeline);
        }
    }

    @Test
    void withMStoresDeletedTheNewestCheckpointComesBack() throws Exception {
        TestFiles.deleteTree(STORES.get(1));
        TestFiles.deleteTree(STORES.get(3));
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).contains("restored checkpoint 2 of " + APP).contains("lost server 1")
                .contains("lost server 3").contains("used servers 0, 2, 4");
        assertThat(Files.mismatch(out, second)).as("first differing byte").isEqualTo(-1L);

        CliRun status = Pipeline.status(APP, STORES.sources());
        assertThat(status.exitCode()).as("the newest is degraded; " + status.describe()).isEqualTo(ExitCode.DEGRADED);
        assertThat(status.out()).containsPattern("(?m)^\\s*2\\s+DEGRADED\\s+RS-3-2")
                .containsPattern("(?m)^\\s*1\\s+DEGRADED\\s+RS-3-2");
    }

    @Test
    void aFlippedBitInAStoredCellIsFoundAndRebuilt() throws Exception {
        CellHeader damaged = TestFiles.flipABitInTheFirstCell(STORES.get(2), APP, 2);
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).contains("restored checkpoint 2 of " + APP)
                .contains("cells rebuilt: 1; bad cells: 1 (1 corrupt, 0 missing, 0 foreign)");
        assertThat(Files.mismatch(out, second)).as("first differing byte").isEqualTo(-1L);

        CliRun status = Pipeline.status(APP, STORES.sources());
        assertThat(status.exitCode()).as("the newest is degraded; " + status.describe()).isEqualTo(ExitCode.DEGRADED);
        assertThat(status.out()).as(status.describe()).containsPattern("(?m)^\\s*2\\s+DEGRADED\\s+RS-3-2")
                .containsPattern("(?m)^\\s*1\\s+COMPLETE\\s+RS-3-2")
                .contains("segment " + damaged.segmentIndex());
    }

    @Test
    void withMPlusOneServersLostTheRestoreExitsTwoNamingThem() throws Exception {
        for (int lost : List.of(0, 2, 4)) {
            TestFiles.deleteTree(STORES.get(lost));
        }
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out);
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.errLines()).as(run.describe()).hasSize(1);
        assertThat(run.err()).as(run.describe())
                .contains("checkpoint 2 of " + APP + " cannot be rebuilt")
                .contains("checkpoint 1 of " + APP + " cannot be rebuilt")
                .containsPattern("lost servers 0\\b.*, 2\\b.*, 4\\b");
        assertThat(out).doesNotExist();

        CliRun asked = Pipeline.restore(APP, STORES.sources(), out, "--checkpoint", "1");
        assertThat(asked.exitCode()).as(asked.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(asked.err()).contains("checkpoint 1 of " + APP + " cannot be rebuilt")
                .doesNotContain("checkpoint 2");
    }

    @Test
    void whenTheNewestCheckpointIsUnrecoverableThePreviousOneIsRestored() throws Exception {
        for (int server : List.of(0, 1, 2)) {
            TestFiles.deleteTree(StoreLayout.of(STORES.get(server)).checkpointDir(APP, 2));
        }
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).contains("restored checkpoint 1 of " + APP).contains("skipped newer checkpoint 2");
        assertThat(Files.mismatch(out, first)).as("first differing byte").isEqualTo(-1L);

        CliRun asked = Pipeline.restore(APP, STORES.sources(), tmp.resolve("asked.bin"), "--checkpoint", "2");
        assertThat(asked.exitCode()).as("--checkpoint never falls back; " + asked.describe())
                .isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(tmp.resolve("asked.bin")).doesNotExist();
    }

    @Test
    void execRunsTheApplicationOnTheRestoredFileAndPassesItsExitCode() throws Exception {
        TestFiles.deleteTree(STORES.get(4));
        Path out = tmp.resolve("restored.bin");
        // The app sees its option-looking arguments, {} inside an argument, and the environment variable.
        String script = "test \"$CHECKSTRIPE_RESTORED_FILE\" = \"${1#--state=}\" && cmp -s \"${1#--state=}\" \"$2\" "
                + "&& exit 7; exit 9";
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--exec", "sh", "-c", script, "app", "--state={}",
                second.toString());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(7);
        assertThat(run.out()).contains("restored checkpoint 2 of " + APP);

        CliRun wrong = Pipeline.restore(APP, STORES.sources(), out, "--exec", "sh", "-c",
                "cmp -s \"$1\" \"$2\" || exit 3", "app", "{}", first.toString());
        assertThat(wrong.exitCode()).as("the app's own failure; " + wrong.describe()).isEqualTo(3);
    }
}
