package io.checkstripe.e2e;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.HumanFormat;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The figures of one {@code checkstripe bench} invocation: one row per measured quantity (a metric of a
 * policy at a checkpoint size), holding the value of every run and the 1-minute load average seen when
 * it was taken. It prints the rows as a table of medians with their spread and writes them as JSON.
 *
 * <p>Ratios are rows of their own, computed run by run from the pair measured in the same run, so the
 * median of a ratio is not the ratio of two medians. Not thread-safe.
 */
final class BenchReport {

    /** A bound a median should meet: {@code >= bound} or {@code <= bound}. */
    record Goal(boolean atLeast, double bound) {
        Goal {
            if (!Double.isFinite(bound)) {
                throw new IllegalArgumentException("goal bound must be finite, got " + bound);
            }
        }

        static Goal atLeast(double bound) {
            return new Goal(true, bound);
        }

        static Goal atMost(double bound) {
            return new Goal(false, bound);
        }

        boolean metBy(double value) {
            return atLeast ? value >= bound : value <= bound;
        }

        @Override
        public String toString() {
            return (atLeast ? ">= " : "<= ") + BenchReport.format(bound);
        }
    }

    /** One measured quantity over all runs. */
    static final class Row {
        final String section;
        final String label;
        final long size;
        final String unit;
        final Goal goal;
        final List<Double> values = new ArrayList<>();
        final List<Double> loads = new ArrayList<>();

        private Row(String section, String label, long size, String unit, Goal goal) {
            this.section = section;
            this.label = label;
            this.size = size;
            this.unit = unit;
            this.goal = goal;
        }

        double median() {
            return quantile(values, 0.5);
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        Optional<Boolean> met() {
            return goal == null || values.isEmpty() ? Optional.empty() : Optional.of(goal.metBy(median()));
        }
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, Object> info = new LinkedHashMap<>();

    /**
     * Adds one run's value to the row {@code section/label/size}, creating it (in first-seen order) when
     * new, with the current load average beside it.
     *
     * @param size checkpoint bytes the value belongs to, or 0 when it belongs to no one size
     * @param goal the bound the median should meet, or null
     */
    void record(String section, String label, long size, String unit, Goal goal, double value) {
        Row row = rows.computeIfAbsent(section + "|" + label + "|" + size,
                k -> new Row(section, label, size, unit, goal));
        row.values.add(value);
        row.loads.add(loadAverage());
    }

    /** A fact about the machine or the settings, written to the JSON and printed above the table. */
    void info(String key, Object value) {
        info.put(key, value);
    }

    /** The row {@code section/label/size}, if recorded. */
    Optional<Row> row(String section, String label, long size) {
        return Optional.ofNullable(rows.get(section + "|" + label + "|" + size));
    }

    List<Row> rows() {
        return List.copyOf(rows.values());
    }

    /** The system's 1-minute load average, or -1 where the platform has none. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Nearest-rank quantile {@code q} (0..1) of {@code values}; NaN when there are none. */
    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (q == 0.5 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Prints the settings and the table, section by section: median, [min - max] over the runs, goal, load. */
    void print(PrintWriter out) {
        info.forEach((k, v) -> out.printf("%-18s %s%n", k, v));
        List<String> sections = rows.values().stream().map(r -> r.section).distinct().toList();
        for (String section : sections) {
            out.println();
            out.println(section);
            out.printf("  %-56s %9s %9s  %-19s %-5s %-14s %s%n", "", "size", "median", "[min - max]", "unit", "goal",
                    "load");
            for (Row row : rows.values()) {
                if (!row.section.equals(section)) {
                    continue;
                }
                String met = row.met().map(ok -> ok ? " ok" : " MISSED").orElse("");
                out.printf(Locale.ROOT, "  %-56s %9s %9s  %-19s %-5s %-14s %s%n", row.label,
                        row.size == 0 ? "" : HumanFormat.size(row.size), format(row.median()),
                        "[" + format(row.min()) + " - " + format(row.max()) + "]", row.unit,
                        row.goal == null ? "" : row.goal + met, loadRange(row.loads));
            }
        }
        out.flush();
    }

    /** Writes everything as one JSON document ({@link DurableFiles}). */
    void writeJson(Path file) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "checkstripe end-to-end");
        doc.put("units", Map.of("MB/s", "10^6 bytes per second", "ms", "milliseconds", "MB", "10^6 bytes",
                "x", "ratio of two figures of the same run"));
        doc.put("info", info);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows.values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("section", row.section);
            r.put("label", row.label);
            r.put("sizeBytes", row.size);
            r.put("unit", row.unit);
            r.put("median", row.median());
            r.put("min", row.min());
            r.put("max", row.max());
            r.put("values", row.values);
            r.put("loadAverages", row.loads);
            r.put("goal", row.goal == null ? null : row.goal.toString());
            r.put("met", row.met().orElse(null));
            list.add(r);
        }
        doc.put("rows", list);
        DurableFiles.writeAtomically(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    private static String loadRange(List<Double> loads) {
        double[] l = loads.stream().mapToDouble(Double::doubleValue).filter(d -> d >= 0).toArray();
        if (l.length == 0) {
            return "";
        }
        double min = Arrays.stream(l).min().orElseThrow();
        double max = Arrays.stream(l).max().orElseThrow();
        return min == max ? String.format(Locale.ROOT, "%.1f", min) : String.format(Locale.ROOT, "%.1f-%.1f", min, max);
    }
}
