package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default codec in fresh JVMs ({@link ColdStartProbe} in a child JVM): the first stripes are
 * coded by the scalar kernel while the vector kernel warms up, the warm-up ends within a bound
 * and switches, and the bytes are the reference's before and after the switch (the probe checks
 * them and fails otherwise). Forced kernels never switch.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ColdStartTest {

    /** Wall time the warm-up may take: it took 1.1 to 4.2 s on a 2-core machine at load 1 to 8. */
    private static final long WARM_UP_BOUND_MS = 30_000;

    @Test
    void aFreshJvmCodesOnTheScalarKernelUntilTheWarmUpSwitches() throws Exception {
        String vector = GfKernelTest.vectorKernel().name();
        int runs = 0;
        for (List<String> args : List.of(List.of("RS-3-2", "encode"), List.of("RS-6-3", "decode"))) {
            Map<String, String> line = probe(args, "--add-modules", "jdk.incubator.vector");
            assertThat(line).containsEntry("policy", args.get(0)).containsEntry("kernel", vector)
                    .containsEntry("switched", "true").containsEntry("failure", "null");
            assertThat(Integer.parseInt(line.get("scalarCalls"))).as("calls before the switch").isBetween(1, 100);
            assertThat(Integer.parseInt(line.get("warmUpRounds"))).isPositive();
            assertThat(Long.parseLong(line.get("warmUpMs"))).isLessThan(WARM_UP_BOUND_MS);
            assertThat(Long.parseLong(line.get("warmUpCpuMs"))).isLessThan(VectorWarmUp.CPU_BUDGET_NANOS / 1_000_000);
            runs++;
        }
        assertThat(runs).isEqualTo(2);
    }

    @Test
    void forcedKernelsNeverSwitch() throws Exception {
        Map<String, String> vector = probe(List.of("RS-6-3", "encode"), "--add-modules", "jdk.incubator.vector",
                "-D" + GfKernels.PROPERTY + "=vector");
        assertThat(vector).containsEntry("kernel", GfKernelTest.vectorKernel().name()).doesNotContainKey("switched");
        Map<String, String> scalar = probe(List.of("RS-3-2", "decode"), "--add-modules", "jdk.incubator.vector",
                "-D" + GfKernels.PROPERTY + "=scalar");
        assertThat(scalar).containsEntry("kernel", "scalar").doesNotContainKey("switched");
    }

    /**
     * Runs the probe with the given JVM options and arguments; returns its line as a map:
     * {@code policy}, {@code mode}, {@code kernel} and every {@code name=value}.
     */
    private static Map<String, String> probe(List<String> args, String... jvmOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ColdStartProbe.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            String line = out.lines().filter(l -> l.startsWith(args.get(0) + " ")).findFirst().orElseThrow();
            String[] words = line.trim().split(" ");
            Map<String, String> fields = new HashMap<>();
            fields.put("policy", words[0]);
            fields.put("mode", words[1]);
            fields.put("kernel", words[2]);
            for (int i = 3; i < words.length; i++) {
                String[] pair = words[i].split("=", 2);
                fields.put(pair[0], pair[1]);
            }
            return fields;
        } finally {
            process.destroyForcibly();
        }
    }
}
