package io.checkstripe.cli;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.heal.HealPass;
import io.checkstripe.producer.PublishResult;
import io.checkstripe.restore.BadCell;
import io.checkstripe.restore.CheckpointStatus;
import io.checkstripe.restore.LostServer;
import io.checkstripe.restore.RepairReport;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.ServerStatus;
import io.checkstripe.restore.SkippedCheckpoint;
import io.checkstripe.restore.StatusReport;
import io.checkstripe.restore.UnreachableSource;

/**
 * The documents of {@code --output json} (docs/OPERATIONS.md), mapped from the reports field by field, so
 * that they are a contract of their own which renaming a record component cannot change. Names are
 * camelCase, durations are seconds ({@code ...Seconds}), sizes bytes; an enum value is its name, as the text
 * prints it; a text that is absent (a location, a reason) is null; and every list is whole where the text
 * shortens long ones.
 */
final class ReportJson {

    private ReportJson() {
    }

    static ObjectNode status(StatusReport report) {
        ObjectNode doc = Json.object().put("app", report.app()).put("dataChecked", report.dataChecked());
        list(doc, "checkpoints", report.checkpoints(), ReportJson::checkpoint);
        return problems(doc, report.unreachableSources(), report.warnings());
    }

    static ObjectNode restore(RestoreReport report) {
        ObjectNode doc = Json.object().put("app", report.app()).put("checkpointId", report.checkpointId())
                .put("policy", report.policy()).put("servers", report.servers())
                .put("output", report.output().toString()).put("bytes", report.bytes())
                .put("sha256", report.sha256()).put("encrypted", report.protection().encrypted())
                .put("keyId", report.protection().keyId() == 0 ? null : report.protection().keyId())
                .put("signedBy", report.protection().signedBy() == 0 ? null : report.protection().signedBy());
        list(doc, "serversUsed", report.serversUsed(), IntNode::valueOf);
        list(doc, "serversLost", report.serversLost(), ReportJson::lost);
        doc.put("cellsRebuilt", report.cellsRebuilt());
        list(doc, "badCells", report.badCells(), ReportJson::badCell);
        list(doc, "skippedCheckpoints", report.skipped(), ReportJson::skipped);
        problems(doc, report.unreachableSources(), report.warnings());
        return doc.put("elapsedSeconds", seconds(report.elapsed()))
                .put("bytesPerSecond", Math.round(report.bytesPerSecond()));
    }

    static ObjectNode repair(RepairReport report) {
        ObjectNode doc = Json.object().put("app", report.app()).put("serverIndex", report.serverIndex())
                .put("target", report.target());
        list(doc, "repaired", report.repaired(), ReportJson::repaired);
        list(doc, "unrecoverable", report.unrecoverable(), ReportJson::skipped);
        problems(doc, report.unreachableSources(), report.warnings());
        return doc.put("elapsedSeconds", seconds(report.elapsed()));
    }

    static ObjectNode heal(HealPass pass) {
        ObjectNode doc = Json.object().put("started", pass.started().toString())
                .put("elapsedSeconds", seconds(pass.elapsed())).put("cellsWritten", pass.cellsWritten())
                .put("bytes", pass.bytesWritten()).put("unrecoverable", pass.unrecoverable())
                .put("manifestsRewritten", pass.manifestsRewritten()).put("serversSkipped", pass.serversSkipped());
        return list(doc, "servers", pass.servers(), s -> {
            ObjectNode node = Json.object().put("location", s.location())
                    .put("serverIndex", s.serverIndex() < 0 ? null : s.serverIndex()).put("skipped", s.skipped())
                    .put("cellsWritten", s.cellsWritten()).put("bytes", s.bytesWritten())
                    .put("manifestsRewritten", s.manifestsRewritten());
            list(node, "repairs", s.repairs(), ReportJson::repair);
            return list(node, "errors", s.errors(), TextNode::valueOf);
        });
    }

    static ObjectNode publish(PublishResult result) {
        ObjectNode doc = Json.object().put("app", result.appId()).put("checkpointId", result.checkpointId())
                .put("segments", result.segments()).put("bytes", result.totalBytes()).put("sha256", result.sha256())
                .put("elapsedSeconds", seconds(result.elapsed()));
        doc.put("protectedAfterSeconds", result.timeToProtected().map(ReportJson::seconds).orElse(null));
        result.content().ifPresent(c -> {
            ObjectNode content = doc.putObject("content").put("type", c.type().key()).put("bytes", c.bytes())
                    .put("sha256", c.sha256()).put("newBytes", c.newBytes()).put("sharedBytes", c.sharedBytes());
            list(content, "bases", c.bases(), LongNode::valueOf);
        });
        return doc;
    }

    private static ObjectNode checkpoint(CheckpointStatus c) {
        ObjectNode node = Json.object().put("checkpointId", c.checkpointId()).put("health", c.health().name())
                .put("policy", absentIfEmpty(c.policy())).put("segments", c.segmentCount());
        list(node, "servers", c.servers(), ReportJson::server);
        ObjectNode stripes = node.putObject("unrecoverableStripes").put("count", c.unrecoverableStripes().size());
        list(stripes, "ranges", c.unrecoverableStripes().ranges(),
                r -> Json.object().put("first", r.first()).put("last", r.last()));
        list(node, "badCells", c.badCells(), ReportJson::badCell);
        node.put("reason", absentIfEmpty(c.reason())).put("protection", absentIfEmpty(c.protection()));
        c.content().ifPresentOrElse(content -> {
            ObjectNode n = node.putObject("content").put("encoding", content.encoding())
                    .put("type", content.type().key()).put("bytes", content.bytes())
                    .put("newBytes", content.newBytes()).put("sharedBytes", content.sharedBytes())
                    .put("sha256", content.sha256());
            list(n, "bases", content.bases(), LongNode::valueOf);
        }, () -> node.putNull("content"));
        return list(node, "baseOf", c.baseOf(), LongNode::valueOf);
    }

    private static ObjectNode repaired(RepairReport.Repaired r) {
        ObjectNode node = Json.object().put("checkpointId", r.checkpointId()).put("cellsWritten", r.cellsWritten())
                .put("bytes", r.bytes());
        return list(node, "badCells", r.badCells(), ReportJson::badCell);
    }

    private static ObjectNode server(ServerStatus s) {
        return Json.object().put("serverIndex", s.serverIndex()).put("location", absentIfEmpty(s.location()))
                .put("state", s.state().name()).put("complete", s.complete()).put("hasManifest", s.hasManifest())
                .put("manifestAgrees", s.manifestAgrees()).put("cellsPresent", s.cellsPresent())
                .put("cellsExpected", s.cellsExpected()).put("cellsCorrupt", s.cellsCorrupt())
                .put("cellsForeign", s.cellsForeign()).put("problem", absentIfEmpty(s.problem()));
    }

    /** A bad cell; the CRCs only when it is corrupt, what it was instead only when it is foreign. */
    private static ObjectNode badCell(BadCell b) {
        ObjectNode node = Json.object().put("kind", b.kind().name()).put("server", b.server())
                .put("segment", b.segment()).put("cell", b.cell());
        return switch (b.kind()) {
            case MISSING -> node;
            case CORRUPT -> node.put("storedCrc32c", Crc32c.hex(b.storedCrc()))
                    .put("computedCrc32c", Crc32c.hex(b.computedCrc()));
            case FOREIGN -> node.put("detail", b.detail());
        };
    }

    private static ObjectNode lost(LostServer l) {
        return Json.object().put("serverIndex", l.serverIndex()).put("location", absentIfEmpty(l.location()))
                .put("reason", l.reason());
    }

    private static ObjectNode skipped(SkippedCheckpoint s) {
        return Json.object().put("checkpointId", s.checkpointId()).put("kind", s.kind().name())
                .put("reason", s.reason());
    }

    /** The sources no server index could be learnt from, and the warnings, that every report ends with. */
    private static ObjectNode problems(ObjectNode doc, List<UnreachableSource> unreachable, List<String> warnings) {
        list(doc, "unreachableSources", unreachable,
                u -> Json.object().put("location", u.location()).put("reason", u.reason()));
        return list(doc, "warnings", warnings, TextNode::valueOf);
    }

    /** Adds {@code items} as the array {@code name} of {@code parent}, each mapped by {@code node}. */
    private static <T> ObjectNode list(ObjectNode parent, String name, List<T> items,
            Function<? super T, ? extends JsonNode> node) {
        ArrayNode array = parent.putArray(name);
        items.forEach(item -> array.add(node.apply(item)));
        return parent;
    }

    /** Seconds to the millisecond, as a number. */
    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static String absentIfEmpty(String text) {
        return text.isEmpty() ? null : text;
    }
}
