package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output json} of publish, status, restore and repair, and checkpoints through pipes
 * ({@code publish --file -}, {@code restore --out -}), through the real CLI. One RS-3-2 pipeline over five
 * servers publishes two checkpoints, the first from a file and the second from stdin, each with
 * {@code --output json}; every test then works on its own copy of the five stores.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JsonOutputIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    @RegisterExtension
    static final StoreCopies STORES = new StoreCopies();

    private static final String APP = "ledger";
    private static final int SERVERS = 5;
    private static final int SEGMENT = 64 * 1024;
    private static final long FIRST_BYTES = 5L * SEGMENT + 123;
    private static final long SECOND_BYTES = 7L * SEGMENT + 45;

    @TempDir
    static Path shared;

    private static Path first;
    private static Path second;
    private static CliRun publishedFromFile;
    private static CliRun publishedFromStdin;

    @TempDir
    Path tmp;

    @BeforeAll
    static void publishTwoCheckpointsAsJson() throws Exception {
        first = TestFiles.random(shared.resolve("first.bin"), FIRST_BYTES, 21);
        second = TestFiles.random(shared.resolve("second.bin"), SECOND_BYTES, 22);
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), shared, "json", "RS-3-2", SERVERS)) {
            String segment = Integer.toString(SEGMENT);
            publishedFromFile = pipeline.publish(APP, first, "--segment-size", segment, "--output", "json");
            assertThat(publishedFromFile.exitCode()).as(publishedFromFile.describe()).isZero();
            publishedFromStdin = pipeline.publishFromStdin(APP, second, "--segment-size", segment, "--output", "json");
            assertThat(publishedFromStdin.exitCode()).as(publishedFromStdin.describe()).isZero();
            STORES.keep(pipeline);
        }
    }

    @Test
    void publishPrintsTheProtectedCheckpointAsJson() throws Exception {
        JsonNode doc = publishedFromFile.json();
        assertThat(doc.path("app").asText()).isEqualTo(APP);
        assertThat(doc.path("checkpointId").asLong()).isEqualTo(1);
        assertThat(doc.path("segments").asInt()).isEqualTo(6);
        assertThat(doc.path("bytes").asLong()).isEqualTo(FIRST_BYTES);
        assertThat(doc.path("sha256").asText()).isEqualTo(TestFiles.sha256(first));
        assertThat(doc.path("elapsedSeconds").isNumber()).isTrue();
        assertThat(doc.path("elapsedSeconds").asDouble()).isPositive();
        assertThat(doc.path("protectedAfterSeconds").asDouble()).as("--wait-protected")
                .isGreaterThanOrEqualTo(doc.path("elapsedSeconds").asDouble());
    }

    @Test
    void aCheckpointPublishedFromStdinRestoresToStdoutByteForByte() throws Exception {
        JsonNode published = publishedFromStdin.json();
        assertThat(published.path("checkpointId").asLong()).isEqualTo(2);
        assertThat(published.path("segments").asInt()).isEqualTo(8);
        assertThat(published.path("bytes").asLong()).isEqualTo(SECOND_BYTES);
        assertThat(published.path("sha256").asText()).isEqualTo(TestFiles.sha256(second));

        TestFiles.deleteTree(STORES.get(3));
        Set<Path> scratchBefore = scratchDirectories();
        Path piped = tmp.resolve("piped.bin");
        CliRun run = CliRun.piped(InputStream.nullInputStream(), Files.newOutputStream(piped),
                List.of("restore", "--app", APP, "--from", String.join(",", STORES.sources()), "--out", "-"));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(Files.mismatch(piped, second)).as("first differing byte on stdout").isEqualTo(-1L);
        assertThat(run.err()).as("the report goes to stderr").contains("restored checkpoint 2 of " + APP + " to -")
                .contains("lost server 3");
        assertThat(scratchDirectories()).as("the verified copy in java.io.tmpdir is deleted").isEqualTo(scratchBefore);
    }

    @Test
    void aReaderThatGoesAwayFailsTheRestoreToStdout() throws Exception {
        Set<Path> scratchBefore = scratchDirectories();
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        CliRun run = CliRun.piped(InputStream.nullInputStream(), closedPipe,
                List.of("restore", "--app", APP, "--from", String.join(",", STORES.sources()), "--out", "-"));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(run.errLines()).as(run.describe()).containsExactly(
                "checkstripe restore: standard output failed after 0 bytes of the restored checkpoint");
        assertThat(scratchDirectories()).as("the verified copy is deleted all the same").isEqualTo(scratchBefore);
    }

    @Test
    void statusOfEveryServerIntactIsCompleteAndExitsZero() {
        CliRun run = Pipeline.status(APP, STORES.sources(), "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.OK);
        JsonNode doc = run.json();
        assertThat(doc.path("app").asText()).isEqualTo(APP);
        assertThat(doc.path("dataChecked").asBoolean()).isTrue();
        assertThat(doc.path("checkpoints").findValuesAsText("checkpointId")).containsExactly("2", "1");
        assertThat(doc.path("checkpoints").findValuesAsText("health")).containsOnly("COMPLETE");
        JsonNode newest = doc.path("checkpoints").path(0);
        assertThat(newest.path("policy").asText()).isEqualTo("RS-3-2");
        assertThat(newest.path("segments").asInt()).isEqualTo(8);
        assertThat(newest.path("servers")).hasSize(SERVERS);
        for (int i = 0; i < SERVERS; i++) {
            JsonNode server = newest.path("servers").path(i);
            assertThat(server.path("serverIndex").asInt()).isEqualTo(i);
            assertThat(server.path("location").asText()).isEqualTo(STORES.get(i).toString());
            assertThat(server.path("state").asText()).isEqualTo("READ");
            assertThat(server.path("complete").asBoolean()).isTrue();
            assertThat(server.path("cellsPresent").asInt()).isPositive()
                    .isEqualTo(server.path("cellsExpected").asInt());
        }
        assertThat(newest.path("badCells")).isEmpty();
        assertThat(newest.path("unrecoverableStripes").path("count").asLong()).isZero();
        assertThat(newest.path("reason").isNull()).isTrue();
        assertThat(doc.path("unreachableSources")).isEmpty();
    }

    @Test
    void statusWithALostServerAndARottenCellIsDegradedAndExitsSix() throws Exception {
        TestFiles.deleteTree(STORES.get(1));
        CellHeader damaged = TestFiles.flipABitInTheFirstCell(STORES.get(2), APP, 2);
        CliRun run = Pipeline.status(APP, STORES.sources(), "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.DEGRADED);
        JsonNode newest = run.json().path("checkpoints").path(0);
        assertThat(newest.path("health").asText()).isEqualTo("DEGRADED");
        JsonNode lost = newest.path("servers").path(1);
        assertThat(lost.path("state").asText()).isEqualTo("LOST");
        assertThat(lost.path("complete").asBoolean()).isFalse();
        assertThat(lost.path("problem").asText()).isNotBlank();
        assertThat(newest.path("servers").path(2).path("cellsCorrupt").asInt()).isEqualTo(1);
        JsonNode bad = newest.path("badCells").path(0);
        assertThat(newest.path("badCells")).hasSize(1);
        assertThat(bad.path("kind").asText()).isEqualTo("CORRUPT");
        assertThat(bad.path("server").asInt()).isEqualTo(2);
        assertThat(bad.path("segment").asInt()).isEqualTo(damaged.segmentIndex());
        assertThat(bad.path("cell").asInt()).isEqualTo(damaged.cellIndex());
        assertThat(bad.path("storedCrc32c").asText()).matches("[0-9a-f]{8}")
                .isNotEqualTo(bad.path("computedCrc32c").asText());
    }

    @Test
    void whenTheNewestIsUnrecoverableStatusExitsTwoAndRestoreSaysWhatItSkipped() throws Exception {
        for (int server : List.of(0, 1, 2)) {
            TestFiles.deleteTree(StoreLayout.of(STORES.get(server)).checkpointDir(APP, 2));
        }
        CliRun status = Pipeline.status(APP, STORES.sources(), "--output", "json");
        assertThat(status.exitCode()).as(status.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        JsonNode newest = status.json().path("checkpoints").path(0);
        assertThat(newest.path("checkpointId").asLong()).isEqualTo(2);
        assertThat(newest.path("health").asText()).isEqualTo("UNRECOVERABLE");
        assertThat(newest.path("unrecoverableStripes").path("count").asLong()).isEqualTo(8);
        assertThat(newest.path("unrecoverableStripes").path("ranges").toString())
                .isEqualTo("[{\"first\":0,\"last\":7}]");
        assertThat(newest.path("reason").asText()).contains("stripes 0-7");
        assertThat(status.json().path("checkpoints").path(1).path("health").asText()).isEqualTo("COMPLETE");

        Path out = tmp.resolve("restored.bin");
        CliRun restore = Pipeline.restore(APP, STORES.sources(), out, "--output", "json");
        assertThat(restore.exitCode()).as(restore.describe()).isZero();
        JsonNode doc = restore.json();
        assertThat(doc.path("checkpointId").asLong()).isEqualTo(1);
        assertThat(doc.path("skippedCheckpoints").findValuesAsText("checkpointId")).containsExactly("2");
        assertThat(doc.path("skippedCheckpoints").path(0).path("reason").asText()).contains("stripes 0-7");
        assertThat(Files.mismatch(out, first)).as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void restoreWithTwoServersLostReportsAsJson() throws Exception {
        TestFiles.deleteTree(STORES.get(1));
        TestFiles.deleteTree(STORES.get(3));
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        JsonNode doc = run.json();
        assertThat(doc.path("app").asText()).isEqualTo(APP);
        assertThat(doc.path("checkpointId").asLong()).isEqualTo(2);
        assertThat(doc.path("policy").asText()).isEqualTo("RS-3-2");
        assertThat(doc.path("servers").asInt()).isEqualTo(SERVERS);
        assertThat(doc.path("output").asText()).isEqualTo(out.toAbsolutePath().toString());
        assertThat(doc.path("bytes").asLong()).isEqualTo(SECOND_BYTES);
        assertThat(doc.path("sha256").asText()).isEqualTo(TestFiles.sha256(second));
        assertThat(doc.path("serversUsed").toString()).isEqualTo("[0,2,4]");
        assertThat(doc.path("serversLost").findValuesAsText("serverIndex")).containsExactly("1", "3");
        assertThat(doc.path("serversLost").findValuesAsText("reason")).allSatisfy(r -> assertThat(r).isNotBlank());
        assertThat(doc.path("unreachableSources").findValuesAsText("location"))
                .containsExactlyInAnyOrder(STORES.get(1).toString(), STORES.get(3).toString());
        assertThat(doc.path("cellsRebuilt").asLong()).isPositive();
        assertThat(doc.path("badCells")).isEmpty();
        assertThat(doc.path("skippedCheckpoints")).isEmpty();
        assertThat(doc.path("elapsedSeconds").asDouble()).isPositive();
        assertThat(doc.path("bytesPerSecond").asLong()).isPositive();
        assertThat(Files.mismatch(out, second)).as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void aRestoreThatFailsStillPrintsJson() {
        for (int lost : List.of(0, 2, 4)) {
            STORES.replace(lost, tmp.resolve("gone-" + lost));
        }
        Path out = tmp.resolve("restored.bin");
        CliRun run = Pipeline.restore(APP, STORES.sources(), out, "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.errLines()).as(run.describe()).hasSize(1);
        JsonNode doc = run.json();
        assertThat(doc.path("exitCode").asInt()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(doc.path("error").asText()).contains("checkpoint 2 of " + APP + " cannot be rebuilt");
        assertThat(run.errLines().get(0)).isEqualTo("checkstripe restore: " + doc.path("error").asText());
        assertThat(out).doesNotExist();
    }

    @Test
    void repairReportsWhatItWroteAsJson() throws Exception {
        TestFiles.deleteTree(STORES.get(0));
        Path replaced = tmp.resolve("server-0-new");
        CliRun run = CliRun.of("repair", "--app", APP, "--from", String.join(",", STORES.sources().subList(1, SERVERS)),
                "--server-index", "0", "--data-dir", replaced.toString(), "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        JsonNode doc = run.json();
        assertThat(doc.path("app").asText()).isEqualTo(APP);
        assertThat(doc.path("serverIndex").asInt()).isZero();
        assertThat(doc.path("target").asText()).isEqualTo(replaced.toAbsolutePath().toString());
        assertThat(doc.path("repaired").findValuesAsText("checkpointId")).containsExactly("2", "1");
        for (JsonNode repaired : doc.path("repaired")) {
            assertThat(repaired.path("cellsWritten").asLong()).isPositive();
            assertThat(repaired.path("bytes").asLong()).isPositive();
            assertThat(repaired.path("badCells")).isEmpty();
        }
        assertThat(doc.path("unrecoverable")).isEmpty();
        assertThat(doc.path("elapsedSeconds").isNumber()).isTrue();

        STORES.replace(0, replaced);
        CliRun status = Pipeline.status(APP, STORES.sources(), "--output", "json");
        assertThat(status.exitCode()).as("repaired: complete again; " + status.describe()).isEqualTo(ExitCode.OK);
    }

    /** The directories {@code restore --out -} restores to before it copies to stdout. */
    private static Set<Path> scratchDirectories() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("checkstripe-restore-"))
                    .collect(Collectors.toSet());
        }
    }
}
