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
 * {@code checkstripe bench} with tiny sizes, one run, against the broker it starts itself: every row is in
 * the JSON with sane numbers, the chart is a PNG and the work directory is gone afterwards. Nothing here
 * asserts a speed.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BenchIntegrationTest {

    private static final List<String> SIZES = List.of("65536", "262144");
    private static final List<String> POLICIES = List.of("RS-3-2/5", "MIRROR-3/3");
    private static final List<String> MODES = List.of("streams", "local");

    @TempDir
    Path tmp;

    @Test
    void aQuickBenchWritesEveryRowWithSaneNumbersAndAChart() throws Exception {
        Path json = tmp.resolve("bench.json");
        Path chart = tmp.resolve("bench.png");
        Path work = tmp.resolve("work");
        CliRun run = CliRun.of("bench", "--quick", "--sizes", String.join(",", SIZES), "--latency-count", "3",
                "--latency-rate", "5", "--json", json.toString(), "--chart", chart.toString(), "--work-dir",
                work.toString(), "--timeout", "120");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains("rows written to " + json, "chart written to " + chart);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : doc.get("rows")) {
            rows.put(row.get("label").asText() + "@" + row.get("sizeBytes").asLong(), row);
        }
        List<String> expected = expectedRows();
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (JsonNode row : doc.get("rows")) {
            String what = row.get("label").asText() + " at " + row.get("sizeBytes").asLong();
            assertThat(row.get("values")).as(what).hasSize(1);
            assertThat(row.get("loadAverages")).as(what).hasSize(1);
            double median = row.get("median").asDouble();
            if (row.get("unit").asText().equals("cores")) {
                // CPU time is counted in clock ticks: a measurement of a few milliseconds may show none
                assertThat(median).as(what).isNotNegative().isLessThanOrEqualTo(
                        Runtime.getRuntime().availableProcessors() * 1.5);
            } else {
                assertThat(median).as(what).isPositive().isFinite();
            }
            if (row.get("unit").asText().equals("MB")) {
                assertThat(median).as(what + ": a JVM's peak RSS").isBetween(16.0, 8192.0);
            }
            if (row.get("unit").asText().equals("ms")) {
                assertThat(median).as(what).isLessThan(120_000.0);
            }
        }
        assertThat(doc.get("info").get("runs").asInt()).isEqualTo(1);

        BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(work).doesNotExist();
    }

    /** Every row a run of this test's settings records, as {@code label@size}. */
    private static List<String> expectedRows() {
        List<String> rows = new ArrayList<>();
        for (String size : SIZES) {
            for (String raw : List.of("produce until committed", "consume after the commit",
                    "round trip (produce + consume)")) {
                rows.add(raw + "@" + size);
            }
            rows.add("raw Kafka round trip@" + size); // cores kept busy
            for (String policy : POLICIES) {
                for (String mode : MODES) {
                    rows.add(policy + " " + mode + ": until protected@" + size);
                    rows.add(policy + " " + mode + ": until committed@" + size);
                    String ceiling = switch (policy + " " + mode) {
                        case "RS-3-2/5 streams" -> "0.375";
                        case "RS-3-2/5 local" -> "0.600";
                        case "MIRROR-3/3 streams" -> "0.250";
                        default -> "0.333";
                    };
                    rows.add(policy + " " + mode + " (broker-ingest ceiling " + ceiling + ")@" + size);
                    rows.add(policy + " " + mode + " until protected@" + size); // cores kept busy
                }
                int lost = 2;
                int servers = policy.startsWith("RS") ? 5 : 3;
                rows.add(policy + " restore, healthy@" + size);
                rows.add(policy + " plain read of all " + servers + " servers' files@" + size);
                rows.add(policy + " healthy / plain read@" + size);
                rows.add(policy + " plain copy of all " + servers + " servers' files (read, write, fsync)@" + size);
                rows.add(policy + " healthy / plain copy@" + size);
                rows.add(policy + " restore, " + lost + " servers lost@" + size);
                rows.add(policy + " plain read of the " + (servers - lost) + " survivors' files@" + size);
                rows.add(policy + " degraded / plain read@" + size);
                rows.add(policy + " plain copy of the " + (servers - lost) + " survivors' files (read, write, fsync)@"
                        + size);
                rows.add(policy + " degraded / plain copy@" + size);
            }
        }
        String mib = "@" + (1 << 20);
        for (String p : List.of("p50", "p99", "max")) {
            rows.add("raw Kafka transactional round trip " + p + mib);
            for (String mode : MODES) {
                rows.add("RS-3-2/5 " + mode + " until protected " + p + mib);
            }
        }
        for (String mode : MODES) {
            rows.add("RS-3-2/5 " + mode + " until committed p50" + mib);
            rows.add("RS-3-2/5 " + mode + " p99 / raw round trip p50" + mib);
            rows.add("RS-3-2/5 " + mode + " from committed to protected p50" + mib);
        }
        for (String striper : List.of("striper transactions per checkpoint", "striper commit, mean",
                "of which producer flush, mean", "of which commitTransaction, mean")) {
            rows.add("RS-3-2/5 streams: " + striper + mib);
        }
        String largest = "@" + SIZES.get(SIZES.size() - 1);
        rows.add("publish --wait-protected (RS-3-2/5 streams, -Xmx256m)" + largest);
        rows.add("restore, healthy (RS-3-2/5, -Xmx256m)" + largest);
        rows.add("restore, 2 servers lost (RS-3-2/5, -Xmx256m)" + largest);
        return rows;
    }
}
