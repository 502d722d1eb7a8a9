package io.checkstripe.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Assumptions;

/**
 * A Prometheus text scrape as Prometheus's own parser reads it: that of the official Python client
 * ({@code prometheus_client.parser}, Debian's {@code python3-prometheus-client}), since no Java library parses the
 * text format. What it rejects, a Prometheus server would too. Without the parser the calling test is skipped,
 * saying why, unless the environment variable {@value #REQUIRED} is {@code true} (as {@code .ci/run} sets it):
 * then it fails.
 */
public final class PrometheusText {

    /** Environment variable that turns a missing tool of the machine from a skip into a failure. */
    public static final String REQUIRED = "CHECKSTRIPE_CI";

    private static final String SCRIPT = String.join("\n",
            "import json, sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "out = []",
            "for f in text_string_to_metric_families(sys.stdin.read()):",
            "    out.append({'name': f.name, 'type': f.type, 'help': f.documentation,",
            "                'samples': [{'name': s.name, 'labels': s.labels, 'value': s.value} for s in f.samples]})",
            "json.dump(out, sys.stdout)");
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its name as Prometheus knows it (a counter's without {@code _total}), type and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    /** Parses a scrape; fails the test when the parser refuses it. */
    public static PrometheusText parse(String scrape) {
        // Debian's interpreter, which sees Debian's python3-prometheus-client, before any other on the PATH.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ProcessBuilder builder = new ProcessBuilder(python, "-c", SCRIPT).redirectErrorStream(false);
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            return missing("python3 is not installed: " + e.getMessage());
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(scrape.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the Prometheus parser did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                if (err.contains("No module named 'prometheus_client'")) {
                    return missing("the Prometheus text parser (python3-prometheus-client) is not installed");
                }
                throw new AssertionError("the Prometheus parser refused the scrape:\n" + err + "\n--- scrape:\n"
                        + scrape);
            }
            Map<String, Family> families = new LinkedHashMap<>();
            for (JsonNode f : JSON.readTree(out)) {
                List<Sample> samples = new ArrayList<>();
                for (JsonNode s : f.get("samples")) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    s.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                    samples.add(new Sample(s.get("name").asText(), labels, s.get("value").asDouble()));
                }
                families.put(f.get("name").asText(), new Family(f.get("name").asText(), f.get("type").asText(),
                        f.get("help").asText(), samples));
            }
            return new PrometheusText(families);
        } catch (IOException e) {
            throw new AssertionError("cannot run the Prometheus parser", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The family of that name, failing when the scrape has none. */
    public Family family(String name) {
        Family f = families.get(name);
        if (f == null) {
            throw new AssertionError("no metric family " + name + " in the scrape; it has " + families.keySet());
        }
        return f;
    }

    /** Whether the scrape has a family of that name. */
    public boolean has(String name) {
        return families.containsKey(name);
    }

    /** Every family, by name. */
    public Map<String, Family> families() {
        return families;
    }

    /**
     * The value of the sample {@code sample} whose labels include {@code labels}; fails when there is none or
     * more than one.
     */
    public double value(String sample, Map<String, String> labels) {
        List<Sample> found = new ArrayList<>();
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(sample) && s.labels().entrySet().containsAll(labels.entrySet())) {
                    found.add(s);
                }
            }
        }
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + sample + labels + " in the scrape: " + found);
        }
        return found.get(0).value();
    }

    private static PrometheusText missing(String why) {
        if ("true".equals(System.getenv(REQUIRED))) {
            throw new AssertionError(why + " (" + REQUIRED + "=true)");
        }
        Assumptions.abort(why);
        return null;
    }
}
