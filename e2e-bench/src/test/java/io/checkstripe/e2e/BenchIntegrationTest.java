package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.e2e.BenchSettings.Mode;
import io.checkstripe.e2e.BenchSettings.Part;
import io.checkstripe.e2e.BenchSettings.PolicySpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark with tiny sizes, one run, against the broker it starts itself: every row the JSON promises is
 * there for every policy, mode and size, with the fields of the format and sane numbers, every ratio is the
 * quotient of the two figures it names from the same run, the chart is a PNG and the work directory is gone
 * afterwards. Nothing here asserts a speed. The peak-RSS part runs the command line in child JVMs, so it is
 * left to the command line's own test.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BenchIntegrationTest {

    private static final List<Long> SIZES = List.of(65536L, 262144L);
    private static final List<PolicySpec> POLICIES = List.of(PolicySpec.parse("RS-3-2:5"),
            PolicySpec.parse("MIRROR-3:3"));
    private static final List<Mode> MODES = List.of(Mode.STREAMS, Mode.LOCAL);
    private static final long LATENCY_BYTES = 1 << 20;
    private static final Set<String> FIELDS = Set.of("section", "label", "sizeBytes", "unit", "median", "min", "max",
            "values", "loadAverages", "goal", "met");
    /** How far a ratio row may be from the quotient of its two rows: rounding only, both are one run's. */
    private static final double SAME = 1e-9;

    @TempDir
    Path tmp;

    private List<JsonNode> rows;

    @Test
    void aQuickBenchWritesEveryRowWithSaneNumbersAndAChart() throws Exception {
        Path json = tmp.resolve("bench.json");
        Path chart = tmp.resolve("bench.png");
        Path work = tmp.resolve("work");
        BenchSettings settings = new BenchSettings(Optional.empty(), Map.of(), SIZES, 1, 1L << 20, POLICIES, MODES, 3,
                Duration.ofMillis(200), List.of("-Xmx256m"), "none", Duration.ofSeconds(120), Set.of(Part.RSS),
                Map.of(), Map.of(), Map.of(), json, Optional.of(chart), Optional.empty(), Optional.of(work), false);
        StringWriter out = new StringWriter();
        EndToEndBench.run(settings, new PrintWriter(out, true));
        assertThat(out.toString()).contains("rows written to " + json, "chart written to " + chart);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        rows = new ArrayList<>();
        doc.get("rows").forEach(rows::add);
        Set<String> keys = new HashSet<>();
        for (JsonNode row : rows) {
            String what = row.get("label").asText() + " at " + row.get("sizeBytes").asLong();
            assertThat(keys.add(row.get("section").asText() + "|" + what)).as(what + ": once").isTrue();
            assertThat(iterable(row.fieldNames())).as(what).containsExactlyInAnyOrderElementsOf(FIELDS);
            assertThat(row.get("values")).as(what).hasSize(1);
            assertThat(row.get("loadAverages")).as(what).hasSize(1);
            double median = row.get("median").asDouble();
            assertThat(median).as(what + ": the median of one run is its value")
                    .isEqualTo(row.get("values").get(0).asDouble());
            assertThat(median).as(what + ": within [min, max]").isBetween(row.get("min").asDouble(),
                    row.get("max").asDouble());
            assertThat(row.get("goal").isNull()).as(what + ": a verdict only beside a goal")
                    .isEqualTo(row.get("met").isNull());
            if (!row.get("goal").isNull()) {
                assertThat(row.get("met").asBoolean()).as(what + ": the verdict is the goal's of the median")
                        .isEqualTo(meets(row.get("goal").asText(), median));
            }
            String unit = row.get("unit").asText();
            assertThat(unit).as(what).isIn("MB/s", "x", "ms", "cores", "");
            if (row.get("section").asText().equals(EndToEndBench.LATENCY)) {
                assertThat(row.get("sizeBytes").asLong()).as(what + ": the series' size").isEqualTo(LATENCY_BYTES);
            }
            if (unit.equals("cores")) {
                // CPU time is counted in clock ticks: a measurement of a few milliseconds may show none
                assertThat(median).as(what).isNotNegative().isLessThanOrEqualTo(
                        Runtime.getRuntime().availableProcessors() * 1.5);
            } else {
                assertThat(median).as(what).isPositive().isFinite();
            }
            if (unit.equals("ms")) {
                assertThat(median).as(what).isLessThan(120_000.0);
            }
        }
        assertThat(rows.stream().map(r -> r.get("section").asText()).distinct()).containsExactlyInAnyOrder(
                EndToEndBench.RAW, EndToEndBench.GOODPUT, EndToEndBench.RATIOS, EndToEndBench.CORES,
                EndToEndBench.RESTORE, EndToEndBench.LATENCY);
        assertThat(rows.stream().filter(r -> !r.get("section").asText().equals(EndToEndBench.LATENCY))
                .map(r -> r.get("sizeBytes").asLong()).distinct()).containsExactlyInAnyOrderElementsOf(SIZES);
        for (long size : SIZES) {
            assertEverySizeRow(size);
        }
        assertLatencyRows();
        assertThat(doc.get("info").get("runs").asInt()).isEqualTo(1);
        assertThat(doc.get("info").get("skipped").get(0).asText()).isEqualTo("RSS");

        BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(work).doesNotExist();
    }

    /** Raw Kafka, and every policy and mode: goodput, its ratio to the raw round trip, cores and restores. */
    private void assertEverySizeRow(long size) {
        assertThat(rows(EndToEndBench.RAW, size)).hasSize(3).allMatch(r -> r.get("unit").asText().equals("MB/s"));
        double rawRoundTrip = value(EndToEndBench.RAW, "round trip", size);
        assertThat(rows(EndToEndBench.CORES, size)).hasSize(1 + POLICIES.size() * MODES.size());
        assertThat(rows(EndToEndBench.CORES, size)).anyMatch(r -> r.get("label").asText().startsWith("raw Kafka"));
        assertThat(rows(EndToEndBench.GOODPUT, size)).hasSize(2 * POLICIES.size() * MODES.size());
        assertThat(rows(EndToEndBench.RATIOS, size)).hasSize(POLICIES.size() * MODES.size());
        for (PolicySpec policy : POLICIES) {
            for (Mode mode : MODES) {
                String name = policy.label() + " " + mode.label();
                double goodput = value(EndToEndBench.GOODPUT, name + ": until protected", size);
                assertThat(value(EndToEndBench.GOODPUT, name + ": until committed", size)).as(name)
                        .isGreaterThanOrEqualTo(goodput);
                assertThat(value(EndToEndBench.RATIOS, name + " (", size)).as(name + " goodput / raw round trip")
                        .isCloseTo(goodput / rawRoundTrip, withinRelative());
                assertThat(value(EndToEndBench.CORES, name + " ", size)).as(name + " cores").isNotNegative();
            }
            assertRestoreRows(policy, size);
        }
    }

    /** Healthy and degraded restores, each beside a plain read and a plain copy, and their ratios. */
    private void assertRestoreRows(PolicySpec policy, long size) {
        String p = policy.label() + " ";
        List<JsonNode> restore = rows(EndToEndBench.RESTORE, size).stream()
                .filter(r -> r.get("label").asText().startsWith(p)).toList();
        assertThat(restore).as(p).hasSize(10);
        assertThat(restore.stream().filter(r -> r.get("unit").asText().equals("x"))).as(p).hasSize(4);
        int lost = policy.policy().toleratedLosses();
        double healthy = value(EndToEndBench.RESTORE, p + "restore, healthy", size);
        double degraded = value(EndToEndBench.RESTORE, p + "restore, " + lost + " servers lost", size);
        double readAll = value(EndToEndBench.RESTORE, p + "plain read of all " + policy.servers(), size);
        double copyAll = value(EndToEndBench.RESTORE, p + "plain copy of all " + policy.servers(), size);
        int survivors = policy.servers() - lost;
        double readSome = value(EndToEndBench.RESTORE, p + "plain read of the " + survivors, size);
        double copySome = value(EndToEndBench.RESTORE, p + "plain copy of the " + survivors, size);
        assertThat(value(EndToEndBench.RESTORE, p + "healthy / plain read", size)).as(p)
                .isCloseTo(healthy / readAll, withinRelative());
        assertThat(value(EndToEndBench.RESTORE, p + "healthy / plain copy", size)).as(p)
                .isCloseTo(healthy / copyAll, withinRelative());
        assertThat(value(EndToEndBench.RESTORE, p + "degraded / plain read", size)).as(p)
                .isCloseTo(degraded / readSome, withinRelative());
        assertThat(value(EndToEndBench.RESTORE, p + "degraded / plain copy", size)).as(p)
                .isCloseTo(degraded / copySome, withinRelative());
    }

    /**
     * The 1 MiB series of the first policy, every mode: percentiles in order, committed before protected, the
     * ratio to the raw round trip, and the striper's commits (streams mode only).
     */
    private void assertLatencyRows() {
        String first = POLICIES.get(0).label() + " ";
        double rawP50 = latencyPercentiles("raw Kafka transactional round trip ");
        assertThat(rows(EndToEndBench.LATENCY, LATENCY_BYTES)).allMatch(r -> r.get("label").asText()
                .startsWith("raw Kafka") || r.get("label").asText().startsWith(first));
        for (Mode mode : MODES) {
            String name = first + mode.label();
            double p50 = latencyPercentiles(name + " until protected ");
            double p99 = value(EndToEndBench.LATENCY, name + " until protected p99", LATENCY_BYTES);
            assertThat(value(EndToEndBench.LATENCY, name + " until committed p50", LATENCY_BYTES)).as(name)
                    .isLessThanOrEqualTo(p50);
            assertThat(value(EndToEndBench.LATENCY, name + " from committed to protected p50", LATENCY_BYTES))
                    .as(name).isLessThanOrEqualTo(p50);
            assertThat(value(EndToEndBench.LATENCY, name + " p99 / raw round trip p50", LATENCY_BYTES)).as(name)
                    .isCloseTo(p99 / rawP50, withinRelative());
            long striperRows = rows(EndToEndBench.LATENCY, LATENCY_BYTES).stream()
                    .filter(r -> r.get("label").asText().startsWith(name + ": "))
                    .filter(r -> !r.get("label").asText().contains(" durable")
                            && !r.get("label").asText().contains("commit record sent p50")).count();
            assertThat(striperRows).as(name + ": the striper's commits").isEqualTo(mode == Mode.STREAMS ? 4 : 0);
            double sent = value(EndToEndBench.LATENCY, name + ": publish started to commit record sent p50",
                    LATENCY_BYTES);
            double firstDurable = value(EndToEndBench.LATENCY, name + ": commit record sent to first server durable "
                    + "p50", LATENCY_BYTES);
            double lastDurable = value(EndToEndBench.LATENCY, name + ": commit record sent to last server durable "
                    + "p50", LATENCY_BYTES);
            double told = value(EndToEndBench.LATENCY, name + ": last server durable to publisher told p50",
                    LATENCY_BYTES);
            assertThat(sent).as(name + " hops").isNotNegative().isLessThanOrEqualTo(p99);
            assertThat(firstDurable).as(name + " hops").isNotNegative().isLessThanOrEqualTo(lastDurable);
            assertThat(told).as(name + " hops").isGreaterThan(-2.0).isLessThanOrEqualTo(p99);
        }
    }

    /** Checks p50 <= p99 <= max of the series {@code name} and returns its p50. */
    private double latencyPercentiles(String name) {
        double p50 = value(EndToEndBench.LATENCY, name + "p50", LATENCY_BYTES);
        double p99 = value(EndToEndBench.LATENCY, name + "p99", LATENCY_BYTES);
        double max = value(EndToEndBench.LATENCY, name + "max", LATENCY_BYTES);
        assertThat(p50).as(name).isLessThanOrEqualTo(p99);
        assertThat(p99).as(name).isLessThanOrEqualTo(max);
        return p50;
    }

    private List<JsonNode> rows(String section, long size) {
        return rows.stream().filter(r -> r.get("section").asText().equals(section)
                && r.get("sizeBytes").asLong() == size).toList();
    }

    /** The one run's value of the only row of {@code section} at {@code size} whose label starts so. */
    private double value(String section, String labelStart, long size) {
        List<JsonNode> found = rows(section, size).stream()
                .filter(r -> r.get("label").asText().startsWith(labelStart)).toList();
        assertThat(found).as(section + ": " + labelStart + "... at " + size).hasSize(1);
        return found.get(0).get("values").get(0).asDouble();
    }

    /** {@code >= 0.8} or {@code <= 2}, as {@link BenchReport.Goal} writes it. */
    private static boolean meets(String goal, double median) {
        double bound = Double.parseDouble(goal.substring(3));
        return goal.startsWith(">=") ? median >= bound : median <= bound;
    }

    private static org.assertj.core.data.Percentage withinRelative() {
        return org.assertj.core.data.Percentage.withPercentage(SAME * 100);
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        Iterable<T> iterable = () -> it;
        return StreamSupport.stream(iterable.spliterator(), false).toList();
    }
}
