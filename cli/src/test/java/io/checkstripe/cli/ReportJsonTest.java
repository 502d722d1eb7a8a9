package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkstripe.producer.PublishResult;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.restore.BadCell;
import io.checkstripe.restore.CheckpointStatus;
import io.checkstripe.restore.Health;
import io.checkstripe.restore.IndexRanges;
import io.checkstripe.restore.LostServer;
import io.checkstripe.heal.HealPass;
import io.checkstripe.restore.RepairReport;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.ServerStatus;
import io.checkstripe.restore.SkippedCheckpoint;
import io.checkstripe.restore.StatusReport;
import io.checkstripe.restore.UnreachableSource;
import org.junit.jupiter.api.Test;

/**
 * The documents of {@code --output json} on report values the brokers rarely produce (every kind of bad
 * cell, cut stripe ranges, a server with no source), as written by {@link Json} and read back by Jackson.
 */
class ReportJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "ab".repeat(32);
    private static final BadCell CORRUPT = new BadCell(BadCell.Kind.CORRUPT, 2, 7, 1, 0x0a0b0c0d, 0x01020304, "");
    private static final BadCell MISSING = new BadCell(BadCell.Kind.MISSING, 3, 8, 4, 0, 0, "");
    private static final BadCell FOREIGN = new BadCell(BadCell.Kind.FOREIGN, 0, 9, 2, 0, 0, "checkpoint 1, stale");
    private static final UnreachableSource GONE = new UnreachableSource("http://10.0.0.9:8080", "connection refused");

    @Test
    void statusNamesEveryServerStripeAndBadCell() throws Exception {
        ServerStatus read = new ServerStatus(0, "/data/s0", ServerStatus.State.READ, true, true, 10, 12, 1, 1, "");
        ServerStatus lost = new ServerStatus(1, "", ServerStatus.State.LOST, false, false, 0, 12, 0, 0,
                "no reachable source is server 1");
        CheckpointStatus newest = new CheckpointStatus(5, Health.UNRECOVERABLE, "RS-3-2", 64, List.of(read, lost),
                IndexRanges.of(0, 1, 2, 3, 41, 50), List.of(CORRUPT, MISSING, FOREIGN), "stripes 0-3, 41, 50 lost",
                "encrypted (AES-256-GCM, key 2), signed by key 2");
        CheckpointStatus unusable = new CheckpointStatus(4, Health.UNRECOVERABLE, "", 0, List.of(),
                IndexRanges.empty(), List.of(), "no manifest", "");
        JsonNode doc = written(ReportJson.status(new StatusReport("ledger", false, List.of(newest, unusable),
                List.of(GONE), List.of("source given twice"))));

        assertThat(doc.path("app").asText()).isEqualTo("ledger");
        assertThat(doc.path("dataChecked").isBoolean()).isTrue();
        assertThat(doc.path("dataChecked").asBoolean()).isFalse();
        JsonNode cp = doc.path("checkpoints").path(0);
        assertThat(cp.path("checkpointId").asLong()).isEqualTo(5);
        assertThat(cp.path("health").asText()).isEqualTo("UNRECOVERABLE");
        assertThat(cp.path("segments").asInt()).isEqualTo(64);
        assertThat(cp.path("unrecoverableStripes").path("count").asLong()).isEqualTo(6);
        assertThat(cp.path("unrecoverableStripes").path("ranges").toString())
                .isEqualTo("[{\"first\":0,\"last\":3},{\"first\":41,\"last\":41},{\"first\":50,\"last\":50}]");
        assertThat(cp.path("reason").asText()).isEqualTo("stripes 0-3, 41, 50 lost");
        assertThat(cp.path("protection").asText()).isEqualTo("encrypted (AES-256-GCM, key 2), signed by key 2");
        assertThat(doc.path("checkpoints").path(1).path("protection").isNull()).as("in the clear is null").isTrue();
        JsonNode s0 = cp.path("servers").path(0);
        assertThat(s0.path("state").asText()).isEqualTo("READ");
        assertThat(s0.path("complete").asBoolean()).isFalse();
        assertThat(s0.path("cellsPresent").asInt()).isEqualTo(10);
        assertThat(s0.path("cellsExpected").asInt()).isEqualTo(12);
        assertThat(s0.path("cellsCorrupt").asInt()).isEqualTo(1);
        assertThat(s0.path("cellsForeign").asInt()).isEqualTo(1);
        assertThat(s0.path("problem").isNull()).as("no problem is null").isTrue();
        JsonNode s1 = cp.path("servers").path(1);
        assertThat(s1.path("state").asText()).isEqualTo("LOST");
        assertThat(s1.path("location").isNull()).as("no source is null, not \"\"").isTrue();
        assertThat(s1.path("problem").asText()).isEqualTo("no reachable source is server 1");
        assertBadCells(cp.path("badCells"));
        JsonNode none = doc.path("checkpoints").path(1);
        assertThat(none.path("policy").isNull()).isTrue();
        assertThat(none.path("servers").isArray()).isTrue();
        assertThat(none.path("servers")).isEmpty();
        assertThat(none.path("unrecoverableStripes").path("count").asLong()).isZero();
        assertUnreachableAndWarning(doc);
    }

    @Test
    void statusGivesTheContentOfAChunkedCheckpointAndWhatReadsFromOne() throws Exception {
        CheckpointContent content = new CheckpointContent(CheckpointContent.CHUNKED_V1, List.of(3L, 4L), 10_000,
                "ab".repeat(32), 2_500, CheckpointContent.Type.DIRECTORY);
        CheckpointStatus delta = new CheckpointStatus(5, Health.COMPLETE, "RS-3-2", 1, List.of(), IndexRanges.empty(),
                List.of(), "", "", Optional.of(content), List.of());
        CheckpointStatus base = new CheckpointStatus(4, Health.COMPLETE, "RS-3-2", 1, List.of(), IndexRanges.empty(),
                List.of(), "", "", Optional.empty(), List.of(5L));
        JsonNode doc = written(ReportJson.status(new StatusReport("ledger", false, List.of(delta, base), List.of(),
                List.of())));

        JsonNode c = doc.path("checkpoints").path(0).path("content");
        assertThat(c.path("encoding").asText()).isEqualTo("chunked-v1");
        assertThat(c.path("type").asText()).isEqualTo("directory");
        assertThat(c.path("bytes").asLong()).isEqualTo(10_000);
        assertThat(c.path("newBytes").asLong()).isEqualTo(2_500);
        assertThat(c.path("sharedBytes").asLong()).isEqualTo(7_500);
        assertThat(c.path("bases").toString()).isEqualTo("[3,4]");
        assertThat(doc.path("checkpoints").path(1).path("content").isNull()).as("an ordinary checkpoint").isTrue();
        assertThat(doc.path("checkpoints").path(1).path("baseOf").toString()).isEqualTo("[5]");
    }

    @Test
    void restoreHasSecondsBytesAndWhatWasLost() throws Exception {
        RestoreReport report = new RestoreReport("ledger", 5, "RS-3-2", 5, Path.of("/restore/state.bin"), 3_000_000,
                SHA, List.of(0, 2, 4), List.of(new LostServer(1, "/data/s1", "no such data directory")), List.of(GONE),
                12, List.of(CORRUPT, MISSING, FOREIGN), List.of(new SkippedCheckpoint(7, "signature by key 1 does "
                        + "not match the checkpoint", SkippedCheckpoint.Kind.NOT_AUTHENTIC),
                        new SkippedCheckpoint(6, "stripe 0 lost")),
                List.of("source given twice"), Duration.ofMillis(1500), new RestoreReport.Protection(true, 2, 2));
        JsonNode doc = written(ReportJson.restore(report));

        assertThat(doc.path("checkpointId").asLong()).isEqualTo(5);
        assertThat(doc.path("policy").asText()).isEqualTo("RS-3-2");
        assertThat(doc.path("servers").asInt()).isEqualTo(5);
        assertThat(doc.path("output").asText()).isEqualTo("/restore/state.bin");
        assertThat(doc.path("bytes").asLong()).isEqualTo(3_000_000);
        assertThat(doc.path("sha256").asText()).isEqualTo(SHA);
        assertThat(doc.path("serversUsed").toString()).isEqualTo("[0,2,4]");
        assertThat(doc.path("serversLost").path(0).path("serverIndex").asInt()).isEqualTo(1);
        assertThat(doc.path("serversLost").path(0).path("location").asText()).isEqualTo("/data/s1");
        assertThat(doc.path("serversLost").path(0).path("reason").asText()).isEqualTo("no such data directory");
        assertThat(doc.path("cellsRebuilt").asLong()).isEqualTo(12);
        assertBadCells(doc.path("badCells"));
        assertThat(doc.path("encrypted").asBoolean()).isTrue();
        assertThat(doc.path("keyId").asInt()).isEqualTo(2);
        assertThat(doc.path("signedBy").asInt()).isEqualTo(2);
        assertThat(doc.path("skippedCheckpoints").path(0).path("checkpointId").asLong()).isEqualTo(7);
        assertThat(doc.path("skippedCheckpoints").path(0).path("kind").asText()).isEqualTo("NOT_AUTHENTIC");
        assertThat(doc.path("skippedCheckpoints").path(0).path("reason").asText()).contains("does not match");
        assertThat(doc.path("skippedCheckpoints").path(1).path("checkpointId").asLong()).isEqualTo(6);
        assertThat(doc.path("skippedCheckpoints").path(1).path("kind").asText()).isEqualTo("UNRECOVERABLE");
        assertThat(doc.path("skippedCheckpoints").path(1).path("reason").asText()).isEqualTo("stripe 0 lost");
        assertThat(doc.path("elapsedSeconds").isNumber()).isTrue();
        assertThat(doc.path("elapsedSeconds").asDouble()).isEqualTo(1.5);
        assertThat(doc.path("bytesPerSecond").asLong()).isEqualTo(2_000_000);
        assertUnreachableAndWarning(doc);
    }

    @Test
    void aHealPassListsEveryServerWhatItWroteAndWhyOneWasSkipped() throws Exception {
        RepairReport onto2 = new RepairReport("ledger", 2, "http://10.0.0.2:8080",
                List.of(new RepairReport.Repaired(5, 7, 7_340_032, List.of()),
                        new RepairReport.Repaired(6, 0, 0, List.of())),
                List.of(new SkippedCheckpoint(4, "stripes 0-3 lost")), List.of(), List.of(), Duration.ofSeconds(2));
        HealPass pass = new HealPass(Instant.parse("2026-12-02T06:00:00Z"), Duration.ofMillis(2500), List.of(
                new HealPass.Server("http://10.0.0.1:8080", 1, null, List.of(), 1, List.of()),
                new HealPass.Server("http://10.0.0.2:8080", 2, null, List.of(onto2), 0, List.of("orders: HTTP 507")),
                new HealPass.Server("http://10.0.0.3:8080", -1, "unreachable: connection refused", List.of(), 0,
                        List.of())));
        JsonNode doc = written(ReportJson.heal(pass));

        assertThat(doc.path("started").asText()).isEqualTo("2026-12-02T06:00:00Z");
        assertThat(doc.path("elapsedSeconds").asDouble()).isEqualTo(2.5);
        assertThat(doc.path("cellsWritten").asLong()).isEqualTo(7);
        assertThat(doc.path("bytes").asLong()).isEqualTo(7_340_032);
        assertThat(doc.path("unrecoverable").asLong()).isEqualTo(1);
        assertThat(doc.path("serversSkipped").asLong()).isEqualTo(2);
        JsonNode servers = doc.path("servers");
        assertThat(servers).hasSize(3);
        assertThat(servers.path(0).path("cellsWritten").asLong()).isZero();
        assertThat(servers.path(0).path("manifestsRewritten").asLong()).isOne();
        assertThat(doc.path("manifestsRewritten").asLong()).isOne();
        assertThat(servers.path(0).path("skipped").isNull()).isTrue();
        assertThat(servers.path(1).path("repairs").path(0).path("target").asText()).isEqualTo("http://10.0.0.2:8080");
        assertThat(servers.path(1).path("repairs").path(0).path("repaired").path(0).path("cellsWritten").asLong())
                .isEqualTo(7);
        assertThat(servers.path(1).path("errors").path(0).asText()).isEqualTo("orders: HTTP 507");
        assertThat(servers.path(2).path("serverIndex").isNull()).isTrue();
        assertThat(servers.path(2).path("skipped").asText()).startsWith("unreachable");
    }

    @Test
    void repairListsWhatItWroteAndWhatItCouldNot() throws Exception {
        RepairReport report = new RepairReport("ledger", 3, "/data/s3-new",
                List.of(new RepairReport.Repaired(5, 24, 1_572_864, List.of(CORRUPT, MISSING, FOREIGN)),
                        new RepairReport.Repaired(4, 0, 0, List.of())),
                List.of(new SkippedCheckpoint(3, "stripes 0-7 lost")), List.of(GONE), List.of("source given twice"),
                Duration.ofMillis(250));
        JsonNode doc = written(ReportJson.repair(report));

        assertThat(doc.path("serverIndex").asInt()).isEqualTo(3);
        assertThat(doc.path("target").asText()).isEqualTo("/data/s3-new");
        JsonNode five = doc.path("repaired").path(0);
        assertThat(five.path("checkpointId").asLong()).isEqualTo(5);
        assertThat(five.path("cellsWritten").asLong()).isEqualTo(24);
        assertThat(five.path("bytes").asLong()).isEqualTo(1_572_864);
        assertBadCells(five.path("badCells"));
        assertThat(doc.path("repaired").path(1).path("cellsWritten").asLong()).isZero();
        assertThat(doc.path("unrecoverable").path(0).path("checkpointId").asLong()).isEqualTo(3);
        assertThat(doc.path("unrecoverable").path(0).path("reason").asText()).isEqualTo("stripes 0-7 lost");
        assertThat(doc.path("elapsedSeconds").asDouble()).isEqualTo(0.25);
        assertUnreachableAndWarning(doc);
    }

    @Test
    void publishSaysWhenItWasProtectedOrNull() throws Exception {
        PublishResult committed = new PublishResult("ledger", 7, 3, 2_500_000, SHA, Duration.ofMillis(1234),
                Optional.empty(), Optional.empty());
        JsonNode doc = written(ReportJson.publish(committed));
        assertThat(doc.path("app").asText()).isEqualTo("ledger");
        assertThat(doc.path("checkpointId").asLong()).isEqualTo(7);
        assertThat(doc.path("segments").asInt()).isEqualTo(3);
        assertThat(doc.path("bytes").asLong()).isEqualTo(2_500_000);
        assertThat(doc.path("sha256").asText()).isEqualTo(SHA);
        assertThat(doc.path("elapsedSeconds").asDouble()).isEqualTo(1.234);
        assertThat(doc.has("protectedAfterSeconds")).isTrue();
        assertThat(doc.path("protectedAfterSeconds").isNull()).isTrue();

        JsonNode waited = written(ReportJson.publish(committed.withTimeToProtected(Duration.ofSeconds(3))));
        assertThat(waited.path("protectedAfterSeconds").asDouble()).isEqualTo(3.0);
    }

    @Test
    void anErrorIsItsMessageAndExitCode() throws Exception {
        JsonNode doc = written(Json.error("checkpoint 2 of ledger cannot be rebuilt", ExitCode.UNRECOVERABLE));
        assertThat(doc.toString()).isEqualTo("{\"error\":\"checkpoint 2 of ledger cannot be rebuilt\",\"exitCode\":2}");
    }

    /** The document as {@link Json#write} prints it, read back. */
    private static JsonNode written(ObjectNode document) throws Exception {
        StringWriter text = new StringWriter();
        Json.write(new PrintWriter(text), document);
        assertThat(text.toString()).contains("\": ").endsWith(System.lineSeparator());
        return JSON.readTree(text.toString());
    }

    /** {@link #CORRUPT}, {@link #MISSING} and {@link #FOREIGN}, each with the fields of its kind only. */
    private static void assertBadCells(JsonNode cells) {
        assertThat(cells).hasSize(3);
        assertThat(cells.path(0).toString()).isEqualTo("{\"kind\":\"CORRUPT\",\"server\":2,\"segment\":7,\"cell\":1,"
                + "\"storedCrc32c\":\"0a0b0c0d\",\"computedCrc32c\":\"01020304\"}");
        assertThat(cells.path(1).toString()).isEqualTo("{\"kind\":\"MISSING\",\"server\":3,\"segment\":8,\"cell\":4}");
        assertThat(cells.path(2).toString()).isEqualTo("{\"kind\":\"FOREIGN\",\"server\":0,\"segment\":9,\"cell\":2,"
                + "\"detail\":\"checkpoint 1, stale\"}");
    }

    private static void assertUnreachableAndWarning(JsonNode doc) {
        assertThat(doc.path("unreachableSources").toString())
                .isEqualTo("[{\"location\":\"http://10.0.0.9:8080\",\"reason\":\"connection refused\"}]");
        assertThat(doc.path("warnings").toString()).isEqualTo("[\"source given twice\"]");
    }
}
