package io.checkstripe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.checkstripe.broker.BrokerProcess;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe bench}: the end-to-end benchmark of issue 5. In one invocation, against a broker it
 * starts (a child JVM with Kafka's own server JVM options) or a given {@code --bootstrap-server}, and
 * {@code --runs} times over, it measures:
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
 * can draw throughput against size as a PNG. Ratios are taken run by run between figures of the same run.
 * Timing figures on a machine shared with other work are noisy: quote medians of several runs, with the
 * spread and the load.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure checkstripe end to end against raw Kafka, a plain read and a small heap.")
final class BenchCommand implements Callable<Integer> {

    private static final List<Long> DEFAULT_SIZES = List.of(1L << 20, 64L << 20, 1L << 30);
    private static final List<Long> QUICK_SIZES = List.of(1L << 20, 8L << 20);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT[,...]",
            description = "Measure against this Kafka cluster. Default: start a single KRaft broker in a child JVM "
                    + "with Kafka's server JVM options (C2, G1, 1 GiB heap).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Properties file with Kafka client settings (security, timeouts) for every client.")
    Path commandConfig;

    @Option(names = "--sizes", paramLabel = "SIZE[,SIZE...]", split = ",",
            description = "Checkpoint sizes, with k, m or g for KiB, MiB, GiB. Default: 1m,64m,1g (--quick: 1m,8m).")
    List<String> sizes;

    @Option(names = "--runs", paramLabel = "N", description = "Runs of every measurement. Default: 3 (--quick: 1).")
    Integer runs;

    @Option(names = "--warm-up", paramLabel = "SIZE", defaultValue = "64m",
            description = "One unrecorded checkpoint of this size through every path at the start of every run, so "
                    + "the long-running striper and sinks are measured warm (0: none). Default: ${DEFAULT-VALUE} "
                    + "(--quick: 1m).")
    String warmUp;

    @Option(names = "--policies", paramLabel = "POLICY[:N][,...]", split = ",", defaultValue = "RS-3-2:5,MIRROR-3:3",
            description = "Policies and their number of servers. Default: ${DEFAULT-VALUE}.")
    List<String> policies;

    @Option(names = "--modes", paramLabel = "MODE[,MODE]", split = ",", defaultValue = "streams,local",
            description = "streams (striped by the Kafka Streams job), local (striped by the producer, "
                    + "--stripe-locally). Default: ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = "--latency-count", paramLabel = "N",
            description = "1 MiB checkpoints in the time-to-protected series (0: none). Default: 100 (--quick: 10).")
    Integer latencyCount;

    @Option(names = "--latency-rate", paramLabel = "PER_SECOND", defaultValue = "2",
            description = "Checkpoints per second in that series. Default: ${DEFAULT-VALUE}.")
    double latencyRate;

    @Option(names = "--child-jvm-options", paramLabel = "OPTIONS", defaultValue = "-Xmx256m",
            description = "JVM options of the publish and restore child JVMs whose peak RSS is measured, "
                    + "space-separated. Default: ${DEFAULT-VALUE}.")
    String childJvmOptions;

    @Option(names = "--skip", paramLabel = "PART[,PART...]", split = ",",
            description = "Leave out parts: restore, latency, rss.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--striper-config", paramLabel = "FILE",
            description = "Properties over the striper's defaults (e.g. commit.interval.ms), to try a tuning.")
    Path striperConfig;

    @Option(names = "--sink-config", paramLabel = "FILE",
            description = "Properties over the sinks' defaults (e.g. consumer.max.poll.records).")
    Path sinkConfig;

    @Option(names = "--publisher-config", paramLabel = "FILE",
            description = "Properties over the publishers' defaults (e.g. producer.linger.ms); not for the raw "
                    + "baseline, which keeps the publisher's default producer settings.")
    Path publisherConfig;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "bench-results.json",
            description = "Where to write the rows as JSON. Default: ${DEFAULT-VALUE}.")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE.png",
            description = "Also draw throughput against checkpoint size into this PNG.")
    Path chart;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "Record this JVM and the started broker with Java Flight Recorder into DIR and print "
                    + "where the time went.")
    Path profileDir;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where inputs, the broker and the stores live. Default: a new temporary directory.")
    Path workDir;

    @Option(names = "--keep", description = "Keep the work directory afterwards.")
    boolean keep;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "Longest any one measurement may take. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--quick", description = "A smoke run: 1m,8m, one run, a short latency series.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        EndToEndBench.Settings settings = settings();
        Map<String, String> fileProps = commandConfig == null ? Map.of() : KafkaOptions.load(commandConfig);
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("checkstripe-bench-");
        Recording recording = profileDir == null ? null : startRecording();
        BrokerProcess broker = null;
        Instant started = Instant.now();
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                out.println("* starting a Kafka broker (KRaft, child JVM with " + String.join(" ",
                        BrokerProcess.THROUGHPUT_JVM_ARGS) + ")");
                out.flush();
                broker = BrokerProcess.start(work.resolve("broker"), 0, Map.of(), brokerJvmArgs());
                bootstrap = broker.bootstrapServers();
            }
            Map<String, Object> client = new HashMap<>(fileProps);
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            List<ProcessHandle> measured = new ArrayList<>(List.of(ProcessHandle.current()));
            if (broker != null) {
                ProcessHandle.of(broker.pid()).ifPresent(measured::add);
            }
            EndToEndBench bench = new EndToEndBench(settings, client, fileProps, work, out, new CpuMeter(measured));
            BenchReport report = bench.run();
            describe(report, settings, started, broker != null ? "child JVM " + String.join(" ",
                    BrokerProcess.THROUGHPUT_JVM_ARGS) : bootstrap);
            out.println();
            report.print(out);
            report.writeJson(json);
            out.println("\nrows written to " + json);
            if (chart != null) {
                ThroughputChart.write(chart, "checkstripe end to end: throughput against checkpoint size",
                        "MB/s (median, whiskers min-max)", series(report, settings));
                out.println("chart written to " + chart);
            }
            out.flush();
            return ExitCode.OK;
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (recording != null) {
                finishRecording(recording, out);
            }
            if (!keep) {
                WorkFiles.deleteTree(work);
            } else {
                out.println("work directory kept: " + work);
            }
        }
    }

    private EndToEndBench.Settings settings() {
        List<Long> sizeList = sizes == null ? (quick ? QUICK_SIZES : DEFAULT_SIZES)
                : sizes.stream().map(size -> parseSize(size, "--sizes")).toList();
        int runCount = runs != null ? runs : quick ? 1 : 3;
        int latency = latencyCount != null ? latencyCount : quick ? 10 : 100;
        if (!(latencyRate > 0) || latencyRate > 1000) {
            throw new UsageException("--latency-rate must be between 0 and 1000 per second, got " + latencyRate);
        }
        if (timeoutSeconds < 1) {
            throw new UsageException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        List<EndToEndBench.PolicySpec> specs = new ArrayList<>();
        for (String p : policies) {
            try {
                specs.add(EndToEndBench.PolicySpec.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--policies: " + e.getMessage());
            }
        }
        List<EndToEndBench.Mode> modeList = modes.stream().map(m -> switch (m.strip().toLowerCase(Locale.ROOT)) {
            case "streams" -> EndToEndBench.Mode.STREAMS;
            case "local" -> EndToEndBench.Mode.LOCAL;
            default -> throw new UsageException("--modes: unknown mode " + m + " (streams or local)");
        }).distinct().toList();
        if (commandConfig != null && !Files.isRegularFile(commandConfig)) {
            throw new UsageException("--command-config: no such file: " + commandConfig);
        }
        Set<EndToEndBench.Part> parts = EnumSet.noneOf(EndToEndBench.Part.class);
        for (String part : skip) {
            try {
                parts.add(EndToEndBench.Part.valueOf(part.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--skip: unknown part " + part + " (restore, latency, rss)");
            }
        }
        try {
            long warmUpBytes = quick && spec.commandLine().getParseResult().matchedOption("--warm-up") == null
                    ? 1L << 20 : warmUp.strip().equals("0") ? 0 : parseSize(warmUp, "--warm-up");
            return new EndToEndBench.Settings(sizeList, runCount, warmUpBytes, specs, modeList, latency,
                    Duration.ofNanos((long) (1e9 / latencyRate)), List.of(childJvmOptions.strip().split("\\s+")),
                    Duration.ofSeconds(timeoutSeconds), parts, properties(striperConfig, "--striper-config"),
                    properties(sinkConfig, "--sink-config"), properties(publisherConfig, "--publisher-config"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Map<String, String> properties(Path file, String option) {
        if (file == null) {
            return Map.of();
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + ": no such file: " + file);
        }
        return KafkaOptions.load(file);
    }

    /** {@code 1048576}, {@code 512k}, {@code 64m}, {@code 1g}: binary multiples. */
    static long parseSize(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n < 1) {
                throw new UsageException(option + ": a size must be positive, got " + text);
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(option + ": not a size: " + text + " (e.g. 1048576, 512k, 64m, 1g)");
        }
    }

    private List<String> brokerJvmArgs() {
        List<String> args = new ArrayList<>(BrokerProcess.THROUGHPUT_JVM_ARGS);
        if (profileDir != null) {
            args.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + profileDir.toAbsolutePath().resolve("broker.jfr"));
        }
        return args;
    }

    private Recording startRecording() throws IOException {
        Files.createDirectories(profileDir);
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setName("checkstripe-bench");
            r.start();
            return r;
        } catch (ParseException e) {
            throw new IOException("the JDK's 'profile' flight recorder settings are unreadable: " + e.getMessage(), e);
        }
    }

    /** Stops the recording, dumps it, and prints (and saves) the summary of it and of the broker's. */
    private void finishRecording(Recording recording, PrintWriter out) throws IOException {
        Path bench = profileDir.toAbsolutePath().resolve("bench.jfr");
        recording.stop();
        recording.dump(bench);
        recording.close();
        StringBuilder summary = new StringBuilder();
        for (Path file : List.of(bench, profileDir.toAbsolutePath().resolve("broker.jfr"))) {
            if (Files.isRegularFile(file)) {
                summary.append(JfrSummary.of(file)).append('\n');
            }
        }
        Files.writeString(profileDir.resolve("hot-methods.txt"), summary, StandardCharsets.UTF_8);
        out.println();
        out.println("profile (" + profileDir + "):");
        out.print(summary);
        out.flush();
    }

    private static void describe(BenchReport report, EndToEndBench.Settings s, Instant started, String broker) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        report.info("started", started.toString());
        report.info("finished", Instant.now().toString());
        report.info("cores", Runtime.getRuntime().availableProcessors());
        report.info("cpu", cpuModel().orElse("unknown"));
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            report.info("memory", Bytes.human(sun.getTotalMemorySize()));
        }
        report.info("os", os.getName() + " " + os.getVersion() + " " + os.getArch());
        report.info("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.info("bench jvm options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        report.info("kafka", AppInfoParser.getVersion() + ", broker: " + broker);
        report.info("runs", s.runs());
        report.info("sizes", s.sizes().stream().map(Bytes::human).toList());
        report.info("warm-up", s.warmUpBytes() == 0 ? "none" : Bytes.human(s.warmUpBytes()) + " through every path, "
                + "every run");
        report.info("policies", s.policies().stream().map(EndToEndBench.PolicySpec::label).toList());
        report.info("modes", s.modes().stream().map(m -> m.label).toList());
        report.info("latency series", s.latencyCount() + " x 1 MiB, one every " + s.latencyInterval().toMillis()
                + " ms, after 3 warm-up");
        report.info("child jvm options", String.join(" ", s.childJvmOptions()));
        report.info("striper settings", s.striperConfig());
        report.info("sink settings", s.sinkConfig());
        report.info("publisher settings", s.publisherConfig());
        report.info("skipped", s.skip());
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
    private static List<ThroughputChart.Series> series(BenchReport report, EndToEndBench.Settings s) {
        List<ThroughputChart.Series> all = new ArrayList<>();
        all.add(series(report, s, EndToEndBench.RAW, "round trip (produce + consume)", "raw Kafka round trip"));
        all.add(series(report, s, EndToEndBench.RAW, "produce until committed", "raw Kafka produce"));
        for (EndToEndBench.PolicySpec p : s.policies()) {
            for (EndToEndBench.Mode m : s.modes()) {
                String name = p.label() + " " + m.label;
                all.add(series(report, s, EndToEndBench.GOODPUT, name + ": until protected", name));
            }
        }
        return all;
    }

    private static ThroughputChart.Series series(BenchReport report, EndToEndBench.Settings s, String section,
                                                 String label, String name) {
        List<ThroughputChart.Point> points = new ArrayList<>();
        for (long size : s.sizes().stream().sorted().toList()) {
            report.row(section, label, size).ifPresent(r ->
                    points.add(new ThroughputChart.Point(size, r.median(), r.min(), r.max())));
        }
        return new ThroughputChart.Series(name, points);
    }
}
