package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code checkstripe bench} through the command line, with a tiny size, one policy and mode and one run,
 * against the broker it starts itself: it exits 0, says where the rows and the chart went, measures the peak
 * RSS of {@code publish} and {@code restore} run by this command line in child JVMs, and leaves no work
 * directory. What every row holds is the benchmark module's test; nothing here asserts a speed. {@code bench
 * --incremental} at 8 MiB reports every figure it promises, each with a value, having checked every restore.
 */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BenchIntegrationTest {

    private static final long SIZE = 262144;

    @TempDir
    Path tmp;

    @Test
    void aQuickBenchThroughTheCommandLineMeasuresTheChildrenAndWritesItsFiles() throws Exception {
        Path json = tmp.resolve("bench.json");
        Path chart = tmp.resolve("bench.png");
        Path work = tmp.resolve("work");
        CliRun run = CliRun.of("bench", "--quick", "--sizes", Long.toString(SIZE), "--policies", "RS-3-2:5",
                "--modes", "streams", "--skip", "restore,latency", "--json", json.toString(), "--chart",
                chart.toString(), "--work-dir", work.toString(), "--timeout", "120");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains("rows written to " + json, "chart written to " + chart);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        List<JsonNode> rss = new ArrayList<>();
        for (JsonNode row : doc.get("rows")) {
            if (row.get("unit").asText().equals("MB")) {
                rss.add(row);
            }
        }
        assertThat(rss).as("publish, a healthy and a degraded restore").hasSize(3);
        assertThat(rss.stream().map(r -> r.get("label").asText().split(" ")[0]))
                .containsExactlyInAnyOrder("publish", "restore,", "restore,");
        for (JsonNode row : rss) {
            String what = row.get("label").asText();
            assertThat(what).contains("-Xmx256m");
            assertThat(row.get("sizeBytes").asLong()).as(what).isEqualTo(SIZE);
            assertThat(row.get("values")).as(what).hasSize(1);
            assertThat(row.get("median").asDouble()).as(what + ": a JVM's peak RSS").isBetween(16.0, 8192.0);
        }
        assertThat(doc.get("info").get("runs").asInt()).isEqualTo(1);

        BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(work).doesNotExist();
    }

    @Test
    void anIncrementalBenchReportsEveryFigureAndLeavesNoWorkDirectory() throws Exception {
        Path json = tmp.resolve("incremental.json");
        Path work = tmp.resolve("work");
        CliRun run = CliRun.of("bench", "--incremental", "--sizes", "8m", "--runs", "1", "--json", json.toString(),
                "--work-dir", work.toString());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains("rows written to " + json, "both restored byte-exact from 5 and from 3 servers",
                "all 16465 keys read back and checked", "the newest restored byte-exact");

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : doc.get("rows")) {
            rows.put(row.get("label").asText(), row);
        }
        List<String> wanted = new ArrayList<>();
        for (String variant : List.of("striper, 8 KiB chunks", "local striping, 8 KiB chunks",
                "striper, default chunks")) {
            for (String figure : List.of("first, broker bytes", "second, broker bytes", "second / first, broker bytes",
                    "first, time to protected", "second, time to protected", "first / second, time to protected")) {
                wanted.add(variant + ": " + figure);
            }
        }
        wanted.addAll(List.of("second / first, broker bytes", "keys read back from both restored databases and "
                + "checked", "zstd per chunk: bytes on the servers", "no compression: bytes on the servers",
                "zstd per chunk: time to protected", "no compression: time to protected",
                "bytes on the servers after the 1st", "bytes on the servers after the 10th",
                "10th / 1st, bytes on the servers"));
        for (String label : wanted) {
            assertThat(rows).as(label).containsKey(label);
            JsonNode row = rows.get(label);
            assertThat(row.get("values")).as(label).hasSize(1);
            assertThat(row.get("median").asDouble()).as(label + ": a figure").isPositive().isFinite();
        }
        assertThat(rows.get("striper, 8 KiB chunks: second / first, broker bytes").get("goal").asText())
                .isEqualTo("<= 0.050");
        assertThat(doc.get("info").get("load average").asText()).contains("before", "after");
        assertThat(work).doesNotExist();
    }
}
