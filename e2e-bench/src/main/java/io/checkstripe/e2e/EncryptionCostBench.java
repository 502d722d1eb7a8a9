package io.checkstripe.e2e;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.HumanFormat;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.pipeline.LocalPipeline;
import io.checkstripe.pipeline.SeededCheckpoints;
import io.checkstripe.producer.CheckpointPublisher;
import io.checkstripe.producer.PublishRequest;
import io.checkstripe.producer.PublishResult;
import io.checkstripe.producer.PublisherConfig;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.DirectorySource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.Restorer;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striper.StriperConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What end-to-end encryption costs ({@code checkstripe bench --encryption-cost}): the same checkpoint published
 * until protected and restored from the servers' stores, with and without a key, in one run on one pipeline
 * (a real broker process, the striper and RS-3-2 over five sinks in this JVM), the two modes interleaved and
 * their order alternated from run to run so that drift in the machine's load falls on both alike. Prints the
 * median throughput of each, the median of the runs' ratios (each run pairs the two modes back to back), and
 * the CPU time each mode took per GB (this JVM and the broker, which it starts), which other work on a shared
 * machine disturbs less than wall time; a throughput ratio of 0.90 is the goal (at most 10% slower). The publish
 * goes through the striper job, as most deployments do. Not thread-safe; one run at a time.
 */
public final class EncryptionCostBench {

    private static final RedundancyPolicy POLICY = RedundancyPolicy.parse("RS-3-2");
    private static final int SERVERS = 5;

    /** With or without a key. */
    enum Mode {
        CLEAR("in the clear"), ENCRYPTED("encrypted");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private EncryptionCostBench() {
    }

    /**
     * Runs the comparison.
     *
     * @param bootstrap a cluster to use, or empty to start a broker process of its own
     * @param size      the checkpoint's size in bytes
     * @param runs      measured runs of each mode, after one unrecorded warm-up round of each
     * @param workDir   where the broker, the stores and the input go; deleted afterwards
     * @param out       where progress and the results go
     */
    public static void run(Optional<String> bootstrap, long size, int runs, Path workDir, PrintWriter out)
            throws Exception {
        Files.createDirectories(workDir);
        BrokerProcess broker = null;
        try {
            String servers;
            if (bootstrap.isPresent()) {
                servers = bootstrap.get();
            } else {
                broker = BrokerProcess.start(workDir.resolve("broker"), 0, Map.of(),
                        BrokerProcess.THROUGHPUT_JVM_ARGS);
                servers = broker.bootstrapServers();
            }
            List<ProcessHandle> measured = new ArrayList<>(List.of(ProcessHandle.current()));
            if (broker != null) {
                ProcessHandle.of(broker.pid()).ifPresent(measured::add);
            }
            measure(servers, size, runs, workDir, new CpuMeter(measured), out);
        } finally {
            if (broker != null) {
                broker.close();
            }
            DurableFiles.deleteRecursively(workDir);
        }
    }

    /** One mode's figures of one run: throughput in MB/s and CPU seconds per GB. */
    private record Figures(double publish, double publishCpu, double restore, double restoreCpu) {
    }

    private static void measure(String bootstrap, long size, int runs, Path dir, CpuMeter cpu, PrintWriter out)
            throws Exception {
        String prefix = "enc-" + System.currentTimeMillis() + ".";
        Map<String, Object> common = new HashMap<>();
        common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        common.put(StriperConfig.TOPIC_PREFIX_CONFIG, prefix);
        Map<String, Object> striper = Map.of(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "striper",
                StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
        Map<String, Object> sink = Map.of(SinkConfig.HTTP_PORT_CONFIG, SinkConfig.NO_HTTP,
                SinkConfig.RETAIN_CONFIG, 2 * runs + 4);
        Path input = SeededCheckpoints.generate(dir.resolve("input.bin"), size, 1);
        KeyFile keys = KeyFile.generate();
        Map<Mode, List<Figures>> figures = new EnumMap<>(Mode.class);
        try (LocalPipeline pipeline = LocalPipeline.start(common, POLICY, SERVERS, dir.resolve("pipeline"), striper,
                sink)) {
            Map<String, Object> props = new HashMap<>(common);
            props.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, prefix + "publish-");
            props.put(PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, 600_000L);
            PublisherConfig config = new PublisherConfig(props);
            try (CheckpointPublisher clear = new CheckpointPublisher(config, null);
                 CheckpointPublisher encrypted = new CheckpointPublisher(config, keys)) {
                Map<Mode, CheckpointPublisher> publishers = Map.of(Mode.CLEAR, clear, Mode.ENCRYPTED, encrypted);
                for (int run = 0; run <= runs; run++) {
                    List<Mode> order = run % 2 == 0 ? List.of(Mode.CLEAR, Mode.ENCRYPTED)
                            : List.of(Mode.ENCRYPTED, Mode.CLEAR);
                    for (Mode mode : order) {
                        String app = "bench-" + mode.name().toLowerCase(Locale.ROOT);
                        Duration cpuBefore = cpu.used();
                        PublishResult result = publishers.get(mode).publish(
                                PublishRequest.of(app).withWaitProtected(true), input);
                        Duration cpuPublished = cpu.used();
                        double published = mbPerSecond(size, result.timeToProtected().orElseThrow());
                        RestoreOptions options = mode == Mode.ENCRYPTED
                                ? RestoreOptions.defaults().withKeyFile(keys) : RestoreOptions.defaults();
                        RestoreReport report = restore(pipeline, options, app, result.checkpointId(),
                                dir.resolve("restored.bin"));
                        if (report.bytes() != size) {
                            throw new IllegalStateException("restored " + report.bytes() + " bytes of a " + size
                                    + "-byte checkpoint");
                        }
                        double restored = mbPerSecond(size, report.elapsed());
                        Figures f = new Figures(published, cpuPerGb(cpuPublished.minus(cpuBefore), size), restored,
                                cpuPerGb(cpu.used().minus(cpuPublished), size));
                        String what = run == 0 ? "warm-up" : "run " + run;
                        out.printf(Locale.ROOT, "* %s %s %s: publish until protected %.1f MB/s (%.2f CPU s/GB), "
                                + "restore %.1f MB/s (%.2f CPU s/GB)%n", what, HumanFormat.size(size), mode.label,
                                f.publish(), f.publishCpu(), f.restore(), f.restoreCpu());
                        out.flush();
                        if (run > 0) {
                            figures.computeIfAbsent(mode, m -> new ArrayList<>()).add(f);
                        }
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "%nencryption cost, %s checkpoint, %s over %d servers, median of %d runs:%n",
                HumanFormat.size(size), POLICY.name(), SERVERS, runs);
        out.printf(Locale.ROOT, "| | in the clear | encrypted | encrypted / clear (median of the runs' ratios) |%n");
        out.printf(Locale.ROOT, "| --- | --- | --- | --- |%n");
        line(out, "publish until protected, MB/s", figures, Figures::publish);
        line(out, "publish, CPU s per GB", figures, Figures::publishCpu);
        line(out, "restore (verified, decrypted), MB/s", figures, Figures::restore);
        line(out, "restore, CPU s per GB", figures, Figures::restoreCpu);
        out.flush();
    }

    private static void line(PrintWriter out, String name, Map<Mode, List<Figures>> figures,
            ToDoubleFunction<Figures> value) {
        List<Figures> clear = figures.get(Mode.CLEAR);
        List<Figures> encrypted = figures.get(Mode.ENCRYPTED);
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < clear.size(); i++) {
            ratios.add(value.applyAsDouble(encrypted.get(i)) / value.applyAsDouble(clear.get(i)));
        }
        out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.3f (%.3f to %.3f) |%n", name,
                median(clear.stream().map(value::applyAsDouble).toList()),
                median(encrypted.stream().map(value::applyAsDouble).toList()), median(ratios),
                ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private static double cpuPerGb(Duration cpu, long bytes) {
        return cpu.toNanos() / 1e9 / (bytes / 1e9);
    }

    private static RestoreReport restore(LocalPipeline pipeline, RestoreOptions options, String app, long cp,
            Path out) throws IOException {
        List<CellSource> sources = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            sources.add(new DirectorySource(pipeline.dataDir(i)));
        }
        try {
            return new Restorer(options).restore(app, sources, out, OptionalLong.of(cp));
        } finally {
            for (CellSource s : sources) {
                s.close();
            }
            Files.deleteIfExists(out);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double mbPerSecond(long bytes, Duration elapsed) {
        return EndToEndBench.mbPerSecond(bytes, elapsed);
    }
}
