package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * directory. What every row holds is the benchmark module's test; nothing here asserts a speed.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
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
}
