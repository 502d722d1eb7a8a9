package io.checkstripe.e2e;

import io.checkstripe.store.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.HumanFormat;
import io.checkstripe.e2e.BenchSettings.Mode;
import io.checkstripe.e2e.BenchSettings.Part;
import io.checkstripe.e2e.BenchSettings.PolicySpec;
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
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end benchmark behind {@code checkstripe bench}: what checkstripe costs over the Kafka it runs on,
 * measured against one cluster (a broker it starts in a child JVM with Kafka's own server JVM options, or a
 * given one), {@code runs} times over:
 *
 * <ul>
 *   <li>raw Kafka: a transactional producer sending each checkpoint's bytes, in the same segment size and
 *       with the publisher's producer settings, to a one-partition topic in one transaction, and a
 *       {@code read_committed} consumer reading them back ({@link RawKafka});</li>
 *   <li>checkstripe: publish until every server acknowledged the checkpoint durable, through the Streams
 *       job and with producer-side striping, for every policy and size;</li>
 *   <li>restore from the stores, healthy and with M servers lost, beside a plain sequential read of the
 *       same cell logs;</li>
 *   <li>time to protected of a stream of 1 MiB checkpoints at a steady rate, beside the raw transactional
 *       round trip of one 1 MiB record at the same rate;</li>
 *   <li>the peak RSS of {@code publish} and {@code restore} of the largest size in child JVMs with a small
 *       heap.</li>
 * </ul>
 *
 * It prints a table of medians with their spread and the load average seen, writes the rows as JSON and
 * can draw throughput against size as a PNG. Every run deploys its own pipelines on topics of its own
 * (prefix {@code bench-<start>-r<run>.}) and removes them, with their stores, at its end, so runs do not
 * share state and the disk does not fill. Every ratio is taken between two figures of the same run, so
 * that the noise of a machine shared with other work cancels as far as it can: quote medians of several
 * runs, with the spread and the load.
 *
 * <p>Not thread-safe: one bench at a time.
 */
public final class EndToEndBench {

    private static final Logger log = LoggerFactory.getLogger(EndToEndBench.class);

    static final String RAW = "raw Kafka: transactional producer, read_committed consumer, one partition";
    static final String GOODPUT = "checkstripe: publish until protected on every server (goodput)";
    static final String RATIOS = "goodput / raw-Kafka round trip of the same bytes, same run";
    static final String CORES = "cores kept busy (CPU time of this JVM and the broker / wall time; the machine has "
            + Runtime.getRuntime().availableProcessors() + ")";
    static final String RESTORE = "restore from the stores' directories vs a plain sequential read of the same files";
    static final String LATENCY = "time to protected, stream of 1 MiB checkpoints";
    static final String RSS = "peak RSS of a child JVM";

    private static final long LATENCY_BYTES = 1 << 20;
    private static final int WARM_UP = 3;
    private static final double RSS_GOAL_MB = 512;

    private final BenchSettings settings;
    private final Map<String, Object> client;
    private final Path work;
    private final PrintWriter progress;
    private final CpuMeter cpu;
    private final BenchReport report = new BenchReport();
    /** Whether the stores' files can be dropped from the page cache before a timed read; null until tried. */
    private Boolean coldReads;
    private final Map<Long, Path> inputs = new LinkedHashMap<>();
    private final String stamp = Long.toString(Instant.now().getEpochSecond(), 36);

    /**
     * @param client Kafka client settings every part gets (bootstrap servers, security)
     * @param cpu    the processes whose CPU time a throughput figure is set against
     */
    EndToEndBench(BenchSettings settings, Map<String, Object> client, Path work, PrintWriter progress, CpuMeter cpu) {
        this.settings = settings;
        this.cpu = cpu;
        this.client = Map.copyOf(client);
        this.work = work;
        this.progress = progress;
    }

    /**
     * Runs the whole benchmark: starts the broker unless one is given, measures, prints progress and then the
     * table to {@code out}, writes the JSON (and the chart), and removes what it made unless asked to keep it.
     */
    public static void run(BenchSettings settings, PrintWriter out) throws Exception {
        Path work = settings.workDir().isPresent() ? Files.createDirectories(settings.workDir().get())
                : Files.createTempDirectory("checkstripe-bench-");
        FlightRecording recording = settings.profileDir().isPresent()
                ? FlightRecording.start(settings.profileDir().get()) : null;
        BrokerProcess broker = null;
        Instant started = Instant.now();
        try {
            String bootstrap = settings.bootstrapServers().orElse(null);
            if (bootstrap == null) {
                out.println("* starting a Kafka broker (KRaft, child JVM with " + String.join(" ",
                        BrokerProcess.THROUGHPUT_JVM_ARGS) + ")");
                out.flush();
                broker = BrokerProcess.start(work.resolve("broker"), 0, Map.of(), brokerJvmArgs(settings));
                bootstrap = broker.bootstrapServers();
            }
            Map<String, Object> client = new HashMap<>(settings.clientConfig());
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            List<ProcessHandle> measured = new ArrayList<>(List.of(ProcessHandle.current()));
            if (broker != null) {
                ProcessHandle.of(broker.pid()).ifPresent(measured::add);
            }
            BenchReport report = new EndToEndBench(settings, client, work, out, new CpuMeter(measured)).measure();
            describe(report, settings, started, broker != null ? "child JVM " + String.join(" ",
                    BrokerProcess.THROUGHPUT_JVM_ARGS) : bootstrap);
            out.println();
            report.print(out);
            report.writeJson(settings.json());
            out.println("\nrows written to " + settings.json());
            if (settings.chart().isPresent()) {
                ThroughputChart.write(settings.chart().get(), "checkstripe end to end: throughput against checkpoint "
                        + "size", "MB/s (median, whiskers min-max)", series(report, settings));
                out.println("chart written to " + settings.chart().get());
            }
            out.flush();
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (recording != null) {
                recording.finish(out);
            }
            if (!settings.keep()) {
                DurableFiles.deleteRecursively(work);
            } else {
                out.println("work directory kept: " + work);
            }
        }
    }

    private static List<String> brokerJvmArgs(BenchSettings settings) {
        List<String> args = new ArrayList<>(BrokerProcess.THROUGHPUT_JVM_ARGS);
        settings.profileDir().ifPresent(dir -> args.add(FlightRecording.brokerJvmOption(dir)));
        return args;
    }

    private static void describe(BenchReport report, BenchSettings s, Instant started, String broker) {
        report.info("started", started.toString());
        report.info("finished", Instant.now().toString());
        describeMachine(report, broker);
        report.info("runs", s.runs());
        report.info("sizes", s.sizes().stream().map(HumanFormat::size).toList());
        report.info("warm-up", s.warmUpBytes() == 0 ? "none" : HumanFormat.size(s.warmUpBytes())
                + " through every path, every run");
        report.info("policies", s.policies().stream().map(PolicySpec::label).toList());
        report.info("modes", s.modes().stream().map(Mode::label).toList());
        report.info("latency series", s.latencyCount() + " x 1 MiB, one every " + s.latencyInterval().toMillis()
                + " ms, after 3 warm-up");
        report.info("child jvm options", String.join(" ", s.childJvmOptions()));
        report.info("striper settings", s.striperConfig());
        report.info("sink settings", s.sinkConfig());
        report.info("publisher settings", s.publisherConfig());
        report.info("skipped", s.skip());
    }

    /** The machine, the JVM and the Kafka a figure was measured on, for every bench's report. */
    static void describeMachine(BenchReport report, String broker) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        report.info("cores", Runtime.getRuntime().availableProcessors());
        report.info("cpu", cpuModel().orElse("unknown"));
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            report.info("memory", HumanFormat.size(sun.getTotalMemorySize()));
        }
        report.info("os", os.getName() + " " + os.getVersion() + " " + os.getArch());
        report.info("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.info("bench jvm options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        report.info("kafka", AppInfoParser.getVersion() + ", broker: " + broker);
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Raw round trip, raw produce and every policy and mode's goodput, by size. */
    private static List<ThroughputChart.Series> series(BenchReport report, BenchSettings s) {
        List<ThroughputChart.Series> all = new ArrayList<>();
        all.add(series(report, s, RAW, "round trip (produce + consume)", "raw Kafka round trip"));
        all.add(series(report, s, RAW, "produce until committed", "raw Kafka produce"));
        for (PolicySpec p : s.policies()) {
            for (Mode m : s.modes()) {
                String name = p.label() + " " + m.label();
                all.add(series(report, s, GOODPUT, name + ": until protected", name));
            }
        }
        return all;
    }

    private static ThroughputChart.Series series(BenchReport report, BenchSettings s, String section, String label,
                                                 String name) {
        List<ThroughputChart.Point> points = new ArrayList<>();
        for (long size : s.sizes().stream().sorted().toList()) {
            report.row(section, label, size).ifPresent(r ->
                    points.add(new ThroughputChart.Point(size, r.median(), r.min(), r.max())));
        }
        return new ThroughputChart.Series(name, points);
    }

    /** Generates the inputs, then runs every measurement {@code runs} times. */
    BenchReport measure() throws Exception {
        Path inputDir = Files.createDirectories(work.resolve("input"));
        List<Long> needed = new ArrayList<>(settings.sizes());
        for (long extra : List.of(LATENCY_BYTES, settings.warmUpBytes())) { // the latency series, the warm-up
            if (extra > 0 && !needed.contains(extra)) {
                needed.add(extra);
            }
        }
        for (long size : needed) {
            inputs.put(size, SeededCheckpoints.generate(inputDir.resolve("checkpoint-" + size + ".bin"), size));
        }
        say("inputs generated: %s", needed.stream().map(HumanFormat::size).toList());
        for (int r = 1; r <= settings.runs(); r++) {
            runOnce(r);
        }
        return report;
    }

    private void runOnce(int run) throws Exception {
        String prefix = "bench-" + stamp + "-r" + run + ".";
        Path runDir = Files.createDirectories(work.resolve("run-" + run));
        say("run %d of %d, topics %s*, load %.1f", run, settings.runs(), prefix, BenchReport.loadAverage());
        Map<PolicySpec, Deployment> deployments = new LinkedHashMap<>();
        try {
            for (PolicySpec spec : settings.policies()) {
                deployments.put(spec, Deployment.start(client, spec, prefix + spec.tag() + ".", runDir.resolve(spec.tag()),
                        settings));
            }
            try (RawKafka raw = RawKafka.create(new PublisherConfig(publisherProps(prefix + "raw.")),
                    prefix + "raw", settings.timeout())) {
                warmUp(raw, deployments, runDir);
                Map<PolicySpec, Map<Long, Long>> published = new HashMap<>();
                for (long size : settings.sizes()) {
                    measureThroughput(run, size, raw, deployments, published);
                }
                if (!settings.skip().contains(Part.RESTORE) && settings.modes().contains(Mode.STREAMS)) {
                    for (PolicySpec spec : settings.policies()) {
                        for (long size : settings.sizes()) {
                            measureRestore(deployments.get(spec), size, published.get(spec).get(size), runDir);
                        }
                    }
                }
                if (!settings.skip().contains(Part.LATENCY) && settings.latencyCount() > 0) {
                    measureLatency(raw, deployments.get(settings.policies().get(0)));
                }
            }
            if (!settings.skip().contains(Part.RSS)) {
                measurePeakRss(deployments.get(settings.policies().get(0)), prefix, runDir);
            }
        } finally {
            for (Deployment d : deployments.values()) {
                d.close();
            }
            deleteTopics(client, prefix);
            DurableFiles.deleteRecursively(runDir);
        }
    }

    // ---------------------------------------------------------------- throughput

    /**
     * One unrecorded round of the warm-up size through every path first (publish, both modes, and a healthy
     * and a degraded restore): a run's first transaction pays for metadata, the transaction coordinator and
     * producer start-up, and the first tens of megabytes through a fresh JVM run before C2 has compiled the
     * hot loops (the striper and the sinks are long-running services, so their steady state is measured).
     */
    private void warmUp(RawKafka raw, Map<PolicySpec, Deployment> deployments, Path runDir) throws Exception {
        if (settings.warmUpBytes() == 0) {
            return;
        }
        Path file = inputs.get(settings.warmUpBytes());
        raw.roundTrip(file);
        for (Deployment d : deployments.values()) {
            for (Mode mode : settings.modes()) {
                PublishResult result = d.publisher(mode).publish(
                        PublishRequest.of(d.throughputApp(mode)).withWaitProtected(true), file);
                if (mode == Mode.STREAMS && !settings.skip().contains(Part.RESTORE)) {
                    String app = d.throughputApp(mode);
                    List<Integer> all = IntStream.range(0, d.spec.servers()).boxed().toList();
                    restore(d, app, result.checkpointId(), all, runDir, settings.warmUpBytes());
                    restore(d, app, result.checkpointId(), all.subList(d.spec.policy().toleratedLosses(), all.size()),
                            runDir, settings.warmUpBytes());
                }
            }
        }
        say("warmed up with %s through every path", HumanFormat.size(settings.warmUpBytes()));
    }

    private void measureThroughput(int run, long size, RawKafka raw, Map<PolicySpec, Deployment> deployments,
                                   Map<PolicySpec, Map<Long, Long>> published) throws Exception {
        Path file = inputs.get(size);
        CpuMeter.Span span = cpu.start();
        RawKafka.RoundTrip rt = raw.roundTrip(file);
        Map<String, Double> cores = new LinkedHashMap<>(); // recorded last, so their section prints last
        cores.put("raw Kafka round trip", span.cores());
        double rawRate = mbPerSecond(size, rt.total());
        report.record(RAW, "produce until committed", size, "MB/s", null, mbPerSecond(size, rt.produce()));
        report.record(RAW, "consume after the commit", size, "MB/s", null, mbPerSecond(size, rt.consume()));
        report.record(RAW, "round trip (produce + consume)", size, "MB/s", null, rawRate);
        say("run %d %s raw Kafka: produce %s, consume %s, round trip %.1f MB/s", run, HumanFormat.size(size),
                HumanFormat.duration(rt.produce()), HumanFormat.duration(rt.consume()), rawRate);
        for (Deployment d : deployments.values()) {
            for (Mode mode : settings.modes()) {
                span = cpu.start();
                PublishResult result = d.publisher(mode).publish(
                        PublishRequest.of(d.throughputApp(mode)).withWaitProtected(true), file);
                Duration protectedAfter = result.timeToProtected().orElseThrow();
                double goodput = mbPerSecond(size, protectedAfter);
                String name = d.spec.label() + " " + mode.label();
                cores.put(name + " until protected", span.cores());
                report.record(GOODPUT, name + ": until protected", size, "MB/s", null, goodput);
                report.record(GOODPUT, name + ": until committed", size, "MB/s", null,
                        mbPerSecond(size, result.elapsed()));
                report.record(RATIOS, name + " (broker-ingest ceiling " + BenchReport.format(ceiling(d.spec, mode))
                        + ")", size, "x", goal(d.spec, mode), goodput / rawRate);
                if (mode == Mode.STREAMS) {
                    published.computeIfAbsent(d.spec, k -> new HashMap<>()).put(size, result.checkpointId());
                }
                say("run %d %s %s: committed after %s, protected after %s: %.1f MB/s (%.2fx raw)", run,
                        HumanFormat.size(size), name, HumanFormat.duration(result.elapsed()), HumanFormat.duration(protectedAfter),
                        goodput, goodput / rawRate);
            }
        }
        cores.forEach((name, value) -> report.record(CORES, name, size, "cores", null, value));
    }

    /**
     * The best goodput ratio the broker allows: raw round trip moves the checkpoint in once and out once;
     * through the job the broker takes it in once and its cells ((K+M)/K times it) once more, with local
     * striping only the cells.
     */
    static double ceiling(PolicySpec spec, Mode mode) {
        double cells = spec.policy().storageOverhead();
        return 1 / (mode == Mode.STREAMS ? 1 + cells : cells);
    }

    /** The goodput goals the project set itself, stated for RS-3-2 (the default policy) only. */
    private static BenchReport.Goal goal(PolicySpec spec, Mode mode) {
        if (!spec.policy().name().equals("RS-3-2")) {
            return null;
        }
        return BenchReport.Goal.atLeast(mode == Mode.STREAMS ? 0.3 : 0.5);
    }

    // ---------------------------------------------------------------- restore

    private void measureRestore(Deployment d, long size, long checkpointId, Path runDir) throws IOException {
        String app = d.throughputApp(Mode.STREAMS);
        int lost = d.spec.policy().toleratedLosses();
        List<Integer> all = IntStream.range(0, d.spec.servers()).boxed().toList();
        List<Integer> survivors = all.subList(lost, all.size());
        String name = d.spec.label();
        List<Path> files = storeFiles(d, app, checkpointId);
        Reads fromAll = reads(d, app, checkpointId, all, size, runDir, files);
        Reads fromSurvivors = reads(d, app, checkpointId, survivors, size, runDir, files);
        double plainAll = fromAll.plain();
        double copyAll = fromAll.copy();
        double healthy = fromAll.restore();
        double plainSurvivors = fromSurvivors.plain();
        double copySurvivors = fromSurvivors.copy();
        double degraded = fromSurvivors.restore();
        report.record(RESTORE, name + " restore, healthy", size, "MB/s", null, healthy);
        report.record(RESTORE, name + " plain read of all " + all.size() + " servers' files", size, "MB/s", null,
                plainAll);
        report.record(RESTORE, name + " healthy / plain read", size, "x", BenchReport.Goal.atLeast(0.8),
                healthy / plainAll);
        report.record(RESTORE, name + " plain copy of all " + all.size() + " servers' files (read, write, fsync)",
                size, "MB/s", null, copyAll);
        report.record(RESTORE, name + " healthy / plain copy", size, "x", null, healthy / copyAll);
        report.record(RESTORE, name + " restore, " + lost + " servers lost", size, "MB/s", null, degraded);
        report.record(RESTORE, name + " plain read of the " + survivors.size() + " survivors' files", size, "MB/s",
                null, plainSurvivors);
        report.record(RESTORE, name + " degraded / plain read", size, "x", BenchReport.Goal.atLeast(0.5),
                degraded / plainSurvivors);
        report.record(RESTORE, name + " plain copy of the " + survivors.size() + " survivors' files (read, write, "
                + "fsync)", size, "MB/s", null, copySurvivors);
        report.record(RESTORE, name + " degraded / plain copy", size, "x", null, degraded / copySurvivors);
        say("%s %s restore: healthy %.1f MB/s (plain read %.1f, plain copy %.1f), %d lost %.1f MB/s (plain read %.1f,"
                + " plain copy %.1f)", name, HumanFormat.size(size), healthy, plainAll, copyAll, lost, degraded,
                plainSurvivors, copySurvivors);
    }

    /** Checkpoint bytes per second of a plain read, a plain copy and a restore from the same servers. */
    private record Reads(double plain, double copy, double restore) {
    }

    /** A plain read, a plain copy and a restore from {@code servers}, in that order, each from a cold cache. */
    private Reads reads(Deployment d, String app, long checkpointId, List<Integer> servers, long size, Path runDir,
                        List<Path> files) throws IOException {
        cold(files);
        double plain = plainRead(d, app, checkpointId, servers, size);
        cold(files);
        double copy = plainCopy(d, app, checkpointId, servers, size, runDir);
        cold(files);
        return new Reads(plain, copy, restore(d, app, checkpointId, servers, runDir, size));
    }

    /** The checkpoint's cell logs and manifests on every server. */
    private static List<Path> storeFiles(Deployment d, String app, long checkpointId) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < d.spec.servers(); i++) {
            files.add(cellLog(d.pipeline.dataDir(i), app, checkpointId));
            files.add(StoreLayout.of(d.pipeline.dataDir(i)).manifest(app, checkpointId));
        }
        return files;
    }

    /**
     * Drops {@code files} from the page cache before a timed read, so that every read of the pair starts cold,
     * as a failover's does (the run has written gigabytes since, so some of them would be cached and some not);
     * where that cannot be done, says so once and every read is as warm as the run left it.
     */
    private void cold(List<Path> files) throws IOException {
        if (coldReads == null) {
            try {
                PageCache.evict(files);
                coldReads = true;
                report.info("restore reads", "cold: the stores' files dropped from the page cache before every "
                        + "timed read");
            } catch (IOException e) {
                coldReads = false;
                report.info("restore reads", "as the run left it (" + e.getMessage() + ")");
                say("restores and plain reads run with a warm page cache: %s", e.getMessage());
            }
        } else if (coldReads) {
            PageCache.evict(files);
        }
    }

    /** Restores from the servers' data directories; checkpoint bytes per second (the restore verifies them). */
    private double restore(Deployment d, String app, long checkpointId, List<Integer> servers, Path runDir,
                           long size) throws IOException {
        Path out = runDir.resolve("restored.bin");
        List<CellSource> sources = new ArrayList<>();
        for (int i : servers) {
            sources.add(new DirectorySource(d.pipeline.dataDir(i)));
        }
        RestoreReport restored;
        try {
            restored = new Restorer(RestoreOptions.defaults()).restore(app, sources, out, OptionalLong.of(checkpointId));
        } finally {
            for (CellSource s : sources) {
                s.close();
            }
        }
        Files.delete(out);
        if (restored.bytes() != size) {
            throw new IllegalStateException("restored " + restored.bytes() + " bytes of a " + size + "-byte checkpoint");
        }
        return mbPerSecond(size, restored.elapsed());
    }

    /**
     * Reads the checkpoint's cell logs of {@code servers} one after the other with a plain buffered read,
     * and returns checkpoint bytes per second: the same quantity as a restore from those servers.
     */
    private static double plainRead(Deployment d, String app, long checkpointId, List<Integer> servers, long size)
            throws IOException {
        byte[] buffer = new byte[1 << 20];
        long start = System.nanoTime();
        for (int i : servers) {
            try (InputStream in = Files.newInputStream(cellLog(d.pipeline.dataDir(i), app, checkpointId))) {
                while (in.read(buffer) >= 0) {
                    // only the reading is measured
                }
            }
        }
        return mbPerSecond(size, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Reads the same files as {@link #plainRead} and writes {@code size} of the bytes read to a file in
     * {@code runDir}, forced before the clock stops: the floor for a restore, which must also leave its output
     * durable. Checkpoint bytes per second.
     */
    private static double plainCopy(Deployment d, String app, long checkpointId, List<Integer> servers, long size,
                                    Path runDir) throws IOException {
        Path out = runDir.resolve("plain-copy.bin");
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long start = System.nanoTime();
        long elapsed;
        try (FileChannel target = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long toWrite = size;
            for (int i : servers) {
                try (FileChannel in = FileChannel.open(cellLog(d.pipeline.dataDir(i), app, checkpointId))) {
                    while (in.read(buffer.clear()) >= 0) {
                        buffer.flip().limit((int) Math.min(buffer.limit(), toWrite));
                        toWrite -= buffer.remaining();
                        while (buffer.hasRemaining()) {
                            target.write(buffer);
                        }
                    }
                }
            }
            target.force(true);
            elapsed = System.nanoTime() - start;
        } finally {
            Files.deleteIfExists(out);
        }
        return mbPerSecond(size, Duration.ofNanos(elapsed));
    }

    /** The checkpoint's cell log in the store in {@code dataDir} ({@link StoreLayout}), which must exist. */
    static Path cellLog(Path dataDir, String app, long checkpointId) throws IOException {
        Path log = StoreLayout.of(dataDir).cellLog(app, checkpointId);
        if (!Files.isRegularFile(log)) {
            throw new IOException("no cell log " + log + ": has the store layout changed?");
        }
        return log;
    }

    // ---------------------------------------------------------------- time to protected

    private void measureLatency(RawKafka raw, Deployment d) throws Exception {
        byte[] payload = Files.readAllBytes(inputs.get(LATENCY_BYTES));
        int count = settings.latencyCount();
        Duration interval = settings.latencyInterval();
        String rate = String.format(Locale.ROOT, "%.1f/s", 1e9 / interval.toNanos());
        List<Duration> rawTimes = raw.latencies(payload, WARM_UP + count, interval);
        List<Double> rawMs = millis(rawTimes.subList(WARM_UP, rawTimes.size()));
        double rawMedian = BenchReport.quantile(rawMs, 0.5);
        recordPercentiles("raw Kafka transactional round trip", rawMs);
        say("raw Kafka 1 MiB round trip at %s: p50 %.1f ms, p99 %.1f ms", rate, rawMedian,
                BenchReport.quantile(rawMs, 0.99));
        for (Mode mode : settings.modes()) {
            CheckpointPublisher publisher = d.publisher(mode);
            String app = "latency-" + mode.label();
            List<Double> protectedMs = new ArrayList<>();
            List<Double> committedMs = new ArrayList<>();
            List<Double> afterCommitMs = new ArrayList<>();
            Map<Long, double[]> startCommitProtected = new HashMap<>();
            Pacer pacer = new Pacer(interval);
            StriperCommits before = null;
            for (int i = 0; i < WARM_UP + count; i++) {
                if (i == WARM_UP && mode == Mode.STREAMS) {
                    before = StriperCommits.of(d.pipeline.striper().metrics());
                }
                pacer.awaitNext();
                long startedAt = System.currentTimeMillis();
                PublishResult result = publisher.publish(PublishRequest.of(app).withWaitProtected(true),
                        inputs.get(LATENCY_BYTES));
                if (i >= WARM_UP) {
                    double protectedAfter = result.timeToProtected().orElseThrow().toNanos() / 1e6;
                    double committed = result.elapsed().toNanos() / 1e6;
                    protectedMs.add(protectedAfter);
                    committedMs.add(committed);
                    afterCommitMs.add(protectedAfter - committed);
                    startCommitProtected.put(result.checkpointId(), new double[] {startedAt, committed,
                            protectedAfter});
                }
            }
            String name = d.spec.label() + " " + mode.label();
            recordPercentiles(name + " until protected", protectedMs);
            report.record(LATENCY, name + " until committed p50", LATENCY_BYTES, "ms", null,
                    BenchReport.quantile(committedMs, 0.5));
            report.record(LATENCY, name + " from committed to protected p50", LATENCY_BYTES, "ms", null,
                    BenchReport.quantile(afterCommitMs, 0.5));
            if (before != null) {
                StriperCommits during = StriperCommits.of(d.pipeline.striper().metrics()).minus(before);
                report.record(LATENCY, name + ": striper transactions per checkpoint", LATENCY_BYTES, "", null,
                        during.commits() / (double) count);
                report.record(LATENCY, name + ": striper commit, mean", LATENCY_BYTES, "ms", null,
                        during.meanCommitMs());
                report.record(LATENCY, name + ": of which producer flush, mean", LATENCY_BYTES, "ms", null,
                        during.meanFlushMs());
                report.record(LATENCY, name + ": of which commitTransaction, mean", LATENCY_BYTES, "ms", null,
                        during.meanEndTxnMs());
                say("%s striper during the series: %d transactions, a commit %.1f ms on average (producer flush %.1f"
                        + " ms, commitTransaction %.1f ms)", name, during.commits(), during.meanCommitMs(),
                        during.meanFlushMs(), during.meanEndTxnMs());
            }
            recordHops(name, ProtectionTrace.read(publisher.config(), app, settings.timeout()),
                    startCommitProtected);
            report.record(LATENCY, name + " p99 / raw round trip p50", LATENCY_BYTES, "x",
                    BenchReport.Goal.atMost(2), BenchReport.quantile(protectedMs, 0.99) / rawMedian);
            say("%s 1 MiB at %s: committed p50 %.1f ms; protected p50 %.1f ms, p99 %.1f ms, max %.1f ms", name, rate,
                    BenchReport.quantile(committedMs, 0.5), BenchReport.quantile(protectedMs, 0.5),
                    BenchReport.quantile(protectedMs, 0.99), BenchReport.quantile(protectedMs, 1));
        }
    }

    /**
     * The median of each hop of the series' checkpoints, from the publisher's own times and what the manifests
     * and acks topics say ({@link ProtectionTrace}): where the time to protected goes. A manifest's timestamp is
     * its commit record's (Kafka Streams forwards the input record's timestamp; local striping sends both at
     * once): when the publisher sent the commit, before its transaction committed.
     */
    private void recordHops(String name, Map<Long, ProtectionTrace.Hops> hops, Map<Long, double[]> published) {
        List<Double> toManifest = new ArrayList<>();
        List<Double> toFirstAck = new ArrayList<>();
        List<Double> toLastAck = new ArrayList<>();
        List<Double> toSeen = new ArrayList<>();
        published.forEach((id, times) -> {
            ProtectionTrace.Hops h = hops.get(id);
            if (h != null) {
                toManifest.add(h.manifestAt() - times[0]);
                toFirstAck.add((double) (h.firstAckAt() - h.manifestAt()));
                toLastAck.add((double) (h.lastAckAt() - h.manifestAt()));
                toSeen.add(times[0] + times[2] - h.lastAckAt());
            }
        });
        if (toManifest.isEmpty()) {
            say("%s: no manifest and acknowledgements found for the series' checkpoints", name);
            return;
        }
        double[] p50 = {BenchReport.quantile(toManifest, 0.5), BenchReport.quantile(toFirstAck, 0.5),
            BenchReport.quantile(toLastAck, 0.5), BenchReport.quantile(toSeen, 0.5)};
        report.record(LATENCY, name + ": publish started to commit record sent p50", LATENCY_BYTES, "ms", null, p50[0]);
        report.record(LATENCY, name + ": commit record sent to first server durable p50", LATENCY_BYTES, "ms", null, p50[1]);
        report.record(LATENCY, name + ": commit record sent to last server durable p50", LATENCY_BYTES, "ms", null, p50[2]);
        report.record(LATENCY, name + ": last server durable to publisher told p50", LATENCY_BYTES, "ms", null,
                p50[3]);
        say("%s hops (p50 of %d checkpoints): publish started -> commit record sent %.1f ms, -> first server durable "
                + "%.1f ms, -> last %.1f ms; last durable -> publisher told %.1f ms", name, toManifest.size(), p50[0], p50[1], p50[2],
                p50[3]);
    }

    private void recordPercentiles(String name, List<Double> ms) {
        report.record(LATENCY, name + " p50", LATENCY_BYTES, "ms", null, BenchReport.quantile(ms, 0.5));
        report.record(LATENCY, name + " p99", LATENCY_BYTES, "ms", null, BenchReport.quantile(ms, 0.99));
        report.record(LATENCY, name + " max", LATENCY_BYTES, "ms", null, BenchReport.quantile(ms, 1));
    }

    private static List<Double> millis(List<Duration> durations) {
        return durations.stream().map(t -> t.toNanos() / 1e6).toList();
    }

    // ---------------------------------------------------------------- peak RSS

    /**
     * Publishes the largest input through the job and restores it (healthy, then with M servers lost) in
     * child JVMs with the bench's child options (a small heap), each through the real command line.
     */
    private void measurePeakRss(Deployment d, String prefix, Path runDir) throws Exception {
        long size = settings.largest();
        Path config = runDir.resolve("client.properties");
        Properties props = new Properties();
        props.putAll(settings.clientConfig());
        props.put(PublisherConfig.TOPIC_PREFIX_CONFIG, d.topicPrefix);
        props.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, d.topicPrefix + "publish-");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "bench run topics " + prefix);
        }
        String app = "rss";
        String bootstrap = (String) client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        String heap = String.join(" ", settings.childJvmOptions());
        ChildCommand publish = child(runDir, "publish", List.of("publish", "--bootstrap-server", bootstrap,
                "--command-config", config.toString(), "--app", app, "--file", inputs.get(size).toString(),
                "--wait-protected", "--protect-timeout", Long.toString(settings.timeout().toSeconds())));
        report.record(RSS, "publish --wait-protected (" + d.spec.label() + " streams, " + heap + ")", size, "MB",
                BenchReport.Goal.atMost(RSS_GOAL_MB), publish.peakRssKib() * 1024 / 1e6);
        List<String> dirs = IntStream.range(0, d.spec.servers()).mapToObj(i -> d.pipeline.dataDir(i).toString()).toList();
        int lost = d.spec.policy().toleratedLosses();
        for (List<String> from : List.of(dirs, dirs.subList(lost, dirs.size()))) {
            Path out = runDir.resolve("rss-restored.bin");
            String what = from.size() == dirs.size() ? "healthy" : lost + " servers lost";
            ChildCommand restore = child(runDir, "restore-" + from.size(), List.of("restore", "--app", app, "--from",
                    String.join(",", from), "--out", out.toString()));
            Files.deleteIfExists(out);
            report.record(RSS, "restore, " + what + " (" + d.spec.label() + ", " + heap + ")", size, "MB",
                    BenchReport.Goal.atMost(RSS_GOAL_MB), restore.peakRssKib() * 1024 / 1e6);
            say("child restore %s of %s: peak RSS %d MiB in %s", what, HumanFormat.size(size), restore.peakRssKib() / 1024,
                    HumanFormat.duration(restore.elapsed()));
        }
        say("child publish of %s: peak RSS %d MiB in %s", HumanFormat.size(size), publish.peakRssKib() / 1024,
                HumanFormat.duration(publish.elapsed()));
    }

    private ChildCommand child(Path runDir, String name, List<String> args) throws IOException, InterruptedException {
        ChildCommand c = ChildCommand.run(settings.childJvmOptions(), settings.cliMainClass(), args,
                runDir.resolve(name + ".log"), settings.timeout());
        if (c.exitCode() != 0 || c.peakRssKib() < 0) {
            throw new IllegalStateException("child " + String.join(" ", args) + " exited with " + c.exitCode()
                    + (c.peakRssKib() < 0 ? " and reported no peak RSS" : "") + "; see " + c.log());
        }
        return c;
    }

    // ---------------------------------------------------------------- plumbing

    private Map<String, Object> publisherProps(String topicPrefix) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(PublisherConfig.TOPIC_PREFIX_CONFIG, topicPrefix);
        props.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, topicPrefix + "publish-");
        return props;
    }

    /** Deletes every topic whose name starts with {@code prefix}; a failure is only logged. */
    static void deleteTopics(Map<String, Object> client, String prefix) {
        try (Admin admin = Admin.create(new HashMap<>(client))) {
            List<String> mine = admin.listTopics().names().get(1, TimeUnit.MINUTES).stream()
                    .filter(t -> t.startsWith(prefix)).toList();
            admin.deleteTopics(mine).all().get(1, TimeUnit.MINUTES);
            log.info("deleted the {} topics of {}", mine.size(), prefix);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("cannot delete the topics {}*: {}", prefix, e.toString());
        }
    }

    static double mbPerSecond(long bytes, Duration elapsed) {
        return bytes / 1e6 / (Math.max(elapsed.toNanos(), 1) / 1e9);
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, "* " + format + "%n", args);
        progress.flush();
    }

    /** One policy's pipeline on topics of its own, and a publisher per mode. */
    private static final class Deployment implements AutoCloseable {
        final PolicySpec spec;
        final String topicPrefix;
        final LocalPipeline pipeline;
        final Map<Mode, CheckpointPublisher> publishers = new EnumMap<>(Mode.class);

        private Deployment(PolicySpec spec, String topicPrefix, LocalPipeline pipeline) {
            this.spec = spec;
            this.topicPrefix = topicPrefix;
            this.pipeline = pipeline;
        }

        static Deployment start(Map<String, Object> client, PolicySpec spec, String topicPrefix, Path dir,
                                BenchSettings settings) throws IOException {
            Map<String, Object> common = new HashMap<>(client);
            common.put(StriperConfig.TOPIC_PREFIX_CONFIG, topicPrefix);
            Map<String, Object> striper = new HashMap<>(settings.striperConfig());
            striper.put(StreamsConfig.APPLICATION_ID_CONFIG, topicPrefix + "striper");
            striper.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
            Map<String, Object> sink = new HashMap<>(settings.sinkConfig());
            sink.put(SinkConfig.HTTP_PORT_CONFIG, SinkConfig.NO_HTTP);
            // Every size's checkpoint (and the warm-up's) must still be there for the restores.
            sink.put(SinkConfig.RETAIN_CONFIG, Math.max(SinkConfig.RETAIN_DEFAULT, settings.sizes().size() + 1));
            Deployment d = new Deployment(spec, topicPrefix,
                    LocalPipeline.start(common, spec.policy(), spec.servers(), dir, striper, sink));
            try {
                for (Mode mode : settings.modes()) {
                    Map<String, Object> props = new HashMap<>(common);
                    props.putAll(settings.publisherConfig());
                    props.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, topicPrefix + "publish-");
                    props.put(PublisherConfig.SERVERS_CONFIG, spec.servers());
                    props.put(PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, settings.timeout().toMillis());
                    if (mode == Mode.LOCAL) {
                        props.put(PublisherConfig.STRIPE_LOCALLY_CONFIG, true);
                        props.put(PublisherConfig.POLICY_CONFIG, spec.policy().name());
                    }
                    d.publishers.put(mode, new CheckpointPublisher(props));
                }
                return d;
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }

        CheckpointPublisher publisher(Mode mode) {
            return publishers.get(mode);
        }

        String throughputApp(Mode mode) {
            return "bench-" + mode.label();
        }

        @Override
        public void close() {
            try {
                publishers.values().forEach(CheckpointPublisher::close);
            } finally {
                pipeline.close();
            }
        }
    }
}
