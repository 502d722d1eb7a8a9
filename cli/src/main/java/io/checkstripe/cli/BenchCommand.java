package io.checkstripe.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.checkstripe.e2e.BenchSettings;
import io.checkstripe.e2e.EncryptionCostBench;
import io.checkstripe.e2e.EndToEndBench;
import io.checkstripe.e2e.IncrementalBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe bench}: what checkstripe costs over the Kafka it runs on. Publishing until protected,
 * through the Streams job and with producer-side striping, is set against a raw transactional produce and
 * {@code read_committed} consume of the same bytes; restores, healthy and with servers lost, against a plain
 * read of the same cell logs; the time to protected of a steady stream of small checkpoints against the raw
 * round trip at the same rate; and the peak RSS of {@code publish} and {@code restore} in child JVMs with a small
 * heap. The measuring is {@link EndToEndBench}'s; this command only turns its options into
 * {@link BenchSettings}, so a mistake is one usage line before anything starts. {@code --encryption-cost} and
 * {@code --incremental} run one narrower bench each instead ({@link EncryptionCostBench}, {@link IncrementalBench}).
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

    @Option(names = "--encryption-cost",
            description = "Measure only what --key-file costs: publish until protected and restore of the first "
                    + "of --sizes (default 256m), with and without a key, interleaved, --runs times (default 3), "
                    + "RS-3-2 over 5 sinks; prints the medians and the ratio.")
    boolean encryptionCost;

    @Option(names = "--incremental",
            description = "Measure only incremental checkpoints: the broker bytes and time to protected of a file "
                    + "of the first of --sizes (default 256m) published in full and again with 1% changed, a RocksDB "
                    + "checkpoint directory and 1% more keys, compressible state with and without zstd, and the "
                    + "stores after 10 slowly changing checkpoints with checkstripe.retain=3; --runs times (default "
                    + "1), RS-3-2 over 5 sinks; every checkpoint is restored and checked.")
    boolean incremental;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (encryptionCost && incremental) {
            throw new UsageException("--encryption-cost and --incremental are two benches: give one");
        }
        if (encryptionCost) {
            long size = firstSize();
            Path dir = workDir != null ? workDir : Files.createTempDirectory("checkstripe-encryption-bench-");
            EncryptionCostBench.run(Optional.ofNullable(bootstrapServers), size, runs == null ? 3 : runs, dir, out);
            return ExitCode.OK;
        }
        if (incremental) {
            long size = firstSize();
            if (size < 1 << 20) {
                throw new UsageException("--incremental: the size must be at least 1m, got " + sizes.get(0));
            }
            int runCount = runs == null ? 1 : runs;
            if (runCount < 1) {
                throw new UsageException("--runs must be at least 1, got " + runCount);
            }
            Map<String, String> clientConfig = properties(commandConfig, "--command-config");
            Path dir = workDir != null ? workDir : Files.createTempDirectory("checkstripe-incremental-bench-");
            IncrementalBench.run(Optional.ofNullable(bootstrapServers), clientConfig, size, runCount, dir, json,
                    keep, out);
            return ExitCode.OK;
        }
        EndToEndBench.run(settings(), out);
        return ExitCode.OK;
    }

    /** The first of --sizes, or 256 MiB: the size of the single-size benches. */
    private long firstSize() {
        return sizes == null || sizes.isEmpty() ? 256L << 20 : parseSize(sizes.get(0), "--sizes");
    }

    private BenchSettings settings() {
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
        List<BenchSettings.PolicySpec> specs = new ArrayList<>();
        for (String p : policies) {
            try {
                specs.add(BenchSettings.PolicySpec.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--policies: " + e.getMessage());
            }
        }
        List<BenchSettings.Mode> modeList = modes.stream().map(m -> switch (m.strip().toLowerCase(Locale.ROOT)) {
            case "streams" -> BenchSettings.Mode.STREAMS;
            case "local" -> BenchSettings.Mode.LOCAL;
            default -> throw new UsageException("--modes: unknown mode " + m + " (streams or local)");
        }).distinct().toList();
        if (commandConfig != null && !Files.isRegularFile(commandConfig)) {
            throw new UsageException("--command-config: no such file: " + commandConfig);
        }
        Set<BenchSettings.Part> parts = EnumSet.noneOf(BenchSettings.Part.class);
        for (String part : skip) {
            try {
                parts.add(BenchSettings.Part.valueOf(part.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--skip: unknown part " + part + " (restore, latency, rss)");
            }
        }
        Map<String, String> clientConfig = commandConfig == null ? Map.of() : KafkaOptions.load(commandConfig);
        try {
            long warmUpBytes = quick && spec.commandLine().getParseResult().matchedOption("--warm-up") == null
                    ? 1L << 20 : warmUp.strip().equals("0") ? 0 : parseSize(warmUp, "--warm-up");
            return new BenchSettings(Optional.ofNullable(bootstrapServers), clientConfig, sizeList, runCount,
                    warmUpBytes, specs, modeList, latency, Duration.ofNanos((long) (1e9 / latencyRate)),
                    List.of(childJvmOptions.strip().split("\\s+")), Checkstripe.class.getName(),
                    Duration.ofSeconds(timeoutSeconds), parts, properties(striperConfig, "--striper-config"),
                    properties(sinkConfig, "--sink-config"), properties(publisherConfig, "--publisher-config"), json,
                    Optional.ofNullable(chart), Optional.ofNullable(profileDir), Optional.ofNullable(workDir), keep);
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
}
