package io.checkstripe.cli;

import io.checkstripe.store.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.HumanFormat;
import io.checkstripe.pipeline.LocalPipeline;
import io.checkstripe.pipeline.SeededCheckpoints;
import io.checkstripe.producer.CheckpointPublisher;
import io.checkstripe.producer.PublishRequest;
import io.checkstripe.producer.PublishResult;
import io.checkstripe.producer.PublisherConfig;
import io.checkstripe.restore.BadCell;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.DirectorySource;
import io.checkstripe.restore.HttpSource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.Restorer;
import io.checkstripe.sink.BackupSink;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striping.SegmentStriper;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe demo}: the whole pipeline on one machine with real parts: a KRaft broker
 * in a child process (the one {@code checkstripe broker} runs), the striper job, one backup sink per server (each with its own durable store and HTTP
 * API), a published checkpoint, the loss of servers (one store deleted, one corrupted), and a
 * verified restore over HTTP. It cleans up after itself unless {@code --keep}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on this machine, lose servers, restore and verify.")
final class DemoCommand implements Callable<Integer> {

    private static final String APP = "demo-app";
    private static final Duration PROTECT_TIMEOUT = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", paramLabel = "POLICY", defaultValue = "RS-3-2",
            description = "Redundancy policy. Default: ${DEFAULT-VALUE}.")
    String policyName;

    @Option(names = "--servers", paramLabel = "N", defaultValue = "5",
            description = "Backup servers. Default: ${DEFAULT-VALUE}.")
    int servers;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Size of the generated checkpoint. Default: ${DEFAULT-VALUE} (64 MiB).")
    long size;

    @Option(names = "--file", paramLabel = "FILE", description = "Publish this file instead of a generated one.")
    Path file;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the demo keeps its broker, stores and files. Default: a new temporary directory.")
    Path workDir;

    @Option(names = "--keep", description = "Keep the work directory afterwards.")
    boolean keep;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        RedundancyPolicy policy = policy();
        if (file != null && !Files.isRegularFile(file)) {
            throw new UsageException("--file: no such file: " + file);
        }
        if (file == null && size < 0) {
            throw new UsageException("--size must not be negative: " + size);
        }
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("checkstripe-demo-");
        try {
            return runDemo(policy, work);
        } finally {
            if (!keep) {
                DurableFiles.deleteRecursively(work);
            } else {
                out.println("work directory kept: " + work);
            }
        }
    }

    private RedundancyPolicy policy() {
        RedundancyPolicy policy = RedundancyPolicy.parse(policyName);
        SegmentStriper.checkServers(policy, servers);
        return policy;
    }

    private int runDemo(RedundancyPolicy policy, Path work) throws Exception {
        Path checkpoint = file != null ? file : SeededCheckpoints.generate(work.resolve("checkpoint.bin"), size);
        String expectedSha = sha256(checkpoint);
        long bytes = Files.size(checkpoint);
        step("checkpoint: %s (%s), sha256 %s", checkpoint, HumanFormat.size(bytes), expectedSha);

        step("starting a local Kafka broker (KRaft, in a child process)");
        try (BrokerProcess kafka = BrokerProcess.start(work.resolve("broker"));
             LocalPipeline pipeline = LocalPipeline.start(
                     Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), policy, servers,
                     work, Map.of(), Map.of(SinkConfig.HTTP_PORT_CONFIG, 0))) {
            List<BackupSink> sinks = pipeline.sinks();
            step("striper running at %s: %s over %d servers (storage overhead %.2fx, survives %d lost)",
                    kafka.bootstrapServers(), policy.name(), servers, policy.storageOverhead(),
                    policy.toleratedLosses());
            step("%d backup sinks running, HTTP at %s ... %s", servers, sinks.get(0).httpUri(),
                    sinks.get(servers - 1).httpUri());

            PublishResult published;
            try (CheckpointPublisher publisher = new CheckpointPublisher(Map.of(
                    CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    PublisherConfig.SERVERS_CONFIG, servers,
                    PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, PROTECT_TIMEOUT.toMillis()))) {
                published = publisher.publish(
                        PublishRequest.of(APP).withWaitProtected(true).withMetadata(Map.of("origin", "demo")),
                        checkpoint);
            }
            Duration toProtect = published.timeToProtected().orElseThrow();
            step("published %s checkpoint %d in %d segments; committed after %s, protected on all %d servers after %s",
                    APP, published.checkpointId(), published.segments(), HumanFormat.duration(published.elapsed()),
                    servers, HumanFormat.duration(toProtect));

            List<Integer> lost = lose(policy, sinks, work);
            Path restored = work.resolve("restored.bin");
            List<CellSource> sources = new ArrayList<>();
            for (BackupSink sink : sinks) {
                sources.add(sinkSource(sink, work));
            }
            RestoreReport report;
            try {
                report = new Restorer(RestoreOptions.defaults()).restore(APP, sources, restored,
                        OptionalLong.of(published.checkpointId()));
            } finally {
                for (CellSource s : sources) {
                    s.close();
                }
            }
            String restoredSha = sha256(restored);
            boolean match = restoredSha.equals(expectedSha) && Files.size(restored) == bytes;
            summary(policy, bytes, toProtect, lost, report, match);
            return match ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
        }
    }

    /**
     * Loses as many servers as the policy survives: the first one's store is deleted (its sink
     * stopped), every further one's cells are overwritten in place while its sink keeps serving.
     */
    private List<Integer> lose(RedundancyPolicy policy, List<BackupSink> sinks, Path work) throws IOException {
        int losses = policy.toleratedLosses();
        List<Integer> lost = new ArrayList<>();
        for (int i = 0; i < losses; i++) {
            BackupSink sink = sinks.get(i);
            if (i == 0) {
                sink.close();
                DurableFiles.deleteRecursively(sink.dataDir());
                step("server %d lost: sink stopped, store %s deleted", i, sink.dataDir());
            } else {
                long damaged = corrupt(sink.dataDir());
                step("server %d lost: %s of its cell logs overwritten with garbage", i, HumanFormat.size(damaged));
            }
            lost.add(i);
        }
        if (losses == 0) {
            step("%s tolerates no loss: no server is destroyed", policy.name());
        }
        return lost;
    }

    /** The first server is read from its (deleted) data directory, the others over HTTP. */
    private static CellSource sinkSource(BackupSink sink, Path work) {
        if (sink.serverIndex() == 0) {
            return new DirectorySource(sink.dataDir());
        }
        URI uri = sink.httpUri();
        return new HttpSource(uri, RestoreOptions.DEFAULT_CONNECT_TIMEOUT, RestoreOptions.DEFAULT_REQUEST_TIMEOUT);
    }

    /** Overwrites a stretch in the middle of every cell log of a store; returns the bytes damaged. */
    private static long corrupt(Path dataDir) throws IOException {
        long damaged = 0;
        List<Path> logs;
        try (Stream<Path> files = Files.walk(dataDir)) {
            logs = files.filter(p -> p.getFileName().toString().equals(StoreLayout.CELL_LOG)).toList();
        }
        SplittableRandom random = new SplittableRandom(7);
        for (Path log : logs) {
            try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
                long length = raf.length();
                int stretch = (int) Math.min(length / 2, 1 << 20);
                byte[] garbage = new byte[stretch];
                random.nextBytes(garbage);
                raf.seek(length / 4);
                raf.write(garbage);
                raf.getFD().sync();
                damaged += stretch;
            }
        }
        return damaged;
    }

    private void summary(RedundancyPolicy policy, long bytes, Duration toProtect, List<Integer> lost,
                         RestoreReport report, boolean match) {
        out.println();
        out.println("checkstripe demo summary");
        out.printf("  policy            %s over %d servers, storage overhead %.2fx%n", policy.name(), servers,
                policy.storageOverhead());
        out.printf("  checkpoint        %s checkpoint %d, %s%n", APP, report.checkpointId(), HumanFormat.size(bytes));
        out.printf("  time to protect   %s%n", HumanFormat.duration(toProtect));
        out.printf("  servers lost      %s%n", lost.isEmpty() ? "none" : lost);
        out.printf("  servers used      %s%n", report.serversUsed());
        out.printf("  cells rebuilt     %d%n", report.cellsRebuilt());
        out.printf("  bad cells found   %d on live servers (missing %d, corrupt %d, misplaced or stale %d)%n",
                report.badCells().size(), count(report, BadCell.Kind.MISSING), count(report, BadCell.Kind.CORRUPT),
                report.badCells().size() - count(report, BadCell.Kind.MISSING) - count(report, BadCell.Kind.CORRUPT));
        out.printf("  restore rate      %s in %s%n", HumanFormat.rate(report.bytes(), report.elapsed()),
                HumanFormat.duration(report.elapsed()));
        out.printf("  SHA-256 match     %s%n", match ? "yes" : "NO");
        out.flush();
    }

    private static int count(RestoreReport report, BadCell.Kind kind) {
        return (int) report.badCells().stream().filter(c -> c.kind() == kind).count();
    }

    private void step(String format, Object... args) {
        out.printf("* " + format + "%n", args);
        out.flush();
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
