package io.checkstripe.e2e;

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
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.DirectorySource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.Restorer;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striper.StriperConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.rocksdb.RocksDBException;

/**
 * What incremental checkpoints save ({@code checkstripe bench --incremental}), on one real broker process (or a
 * given cluster) with the striper and RS-3-2 over five sinks in this JVM, every publish waiting until protected:
 *
 * <ul>
 *   <li>a random file published in full, then again with 1% of it rewritten in scattered 4 KiB writes and 100
 *       bytes inserted near its start: the bytes the broker stored for each and the time to protected, with
 *       8 KiB chunks through the striper job and with local striping, and with the default chunk size through the
 *       striper as the contrast; every checkpoint restored byte-exact from all five stores and from three;</li>
 *   <li>a RocksDB database, compacted, checkpointed and published as a directory, then 1% more keys flushed and
 *       published again; both restored and every key read back with RocksDB;</li>
 *   <li>JSON-like state published with and without zstd per chunk: the bytes on the servers and the time;</li>
 *   <li>ten checkpoints of a state changing by 1% each, on sinks keeping three: what the stores hold after the
 *       tenth against after the first alone; the newest restored byte-exact.</li>
 * </ul>
 *
 * "Bytes the broker stored" are what its log directories report for every replica of every partition of the
 * pipeline's topics (the checkpoints, the stripes, the manifests, the acks and the striper's own), before and after
 * the publish, so they count what the striper wrote on top of the publisher and every record's overhead; Kafka's
 * {@code __consumer_offsets} and {@code __transaction_state} are not counted. Every row's size is the one asked
 * for: the random file's, about the JSON state's, and the RocksDB part writes one key of
 * {@value RocksState#VALUE_BYTES} bytes per KiB of it. Every run deploys its
 * pipelines on topics of its own and removes them with their stores. Not thread-safe; one run at a time.
 */
public final class IncrementalBench {

    static final String FILE = "file checkpoint: random, then 1% rewritten in scattered 4 KiB writes and 100 bytes "
            + "inserted near the start; through the striper job or striped locally (--stripe-locally), chunks of "
            + "8 KiB average (2 to 32 KiB) or the default size as the contrast; broker bytes are all replicas of the "
            + "pipeline's topics";
    static final String ROCKS = "RocksDB checkpoint directory: keys of 1 KiB compacted, then 1% more keys flushed";
    static final String COMPRESSION = "compressible JSON-lines state, first checkpoint, with and without zstd per "
            + "chunk";
    static final String RETENTION = "10 checkpoints, each 1% rewritten in scattered 4 KiB writes, sinks keeping 3 "
            + "(checkstripe.retain=3)";

    private static final RedundancyPolicy POLICY = RedundancyPolicy.parse("RS-3-2");
    private static final int SERVERS = 5;
    private static final double CHANGED = 0.01;
    private static final int CHECKPOINTS = 10;
    private static final int RETAIN = 3;
    private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(1);

    /** How one file's pair of checkpoints is published. */
    private record Variant(String label, boolean stripeLocally, boolean smallChunks) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("striper, 8 KiB chunks", false, true),
            new Variant("local striping, 8 KiB chunks", true, true),
            new Variant("striper, default chunks", false, false));

    /** One publish until protected and what it cost. */
    private record Published(PublishResult result, long brokerBytes, long storeBytes, Duration toProtected) {

        long checkpointId() {
            return result.checkpointId();
        }

        double ms() {
            return toProtected.toNanos() / 1e6;
        }
    }

    /** A publish through a given publisher, of a file or a directory. */
    private interface Publish {
        PublishResult publish(CheckpointPublisher publisher, PublishRequest request) throws IOException;
    }

    private final Map<String, Object> client;
    private final long size;
    private final Path work;
    private final PrintWriter progress;
    private final BenchReport report = new BenchReport();
    private final String stamp = Long.toString(Instant.now().getEpochSecond(), 36);
    private Path original;
    private Path edited;
    private Path json;

    private IncrementalBench(Map<String, Object> client, long size, Path work, PrintWriter progress) {
        this.client = Map.copyOf(client);
        this.size = size;
        this.work = work;
        this.progress = progress;
    }

    /**
     * Runs every part {@code runs} times, prints the table and writes the rows as JSON.
     *
     * @param bootstrap    a cluster to use, or empty to start a broker process of its own
     * @param clientConfig Kafka client settings for every client (security, timeouts)
     * @param size         the size of the file checkpoints, and about that of the RocksDB state
     * @param workDir      where the broker, the stores and the inputs go; deleted afterwards unless {@code keep}
     * @param out          where progress and the results go
     */
    public static void run(Optional<String> bootstrap, Map<String, String> clientConfig, long size, int runs,
            Path workDir, Path jsonFile, boolean keep, PrintWriter out) throws Exception {
        if (size < 1 << 20 || runs < 1) {
            throw new IllegalArgumentException("the size must be at least 1 MiB and the runs at least 1, got " + size
                    + " and " + runs);
        }
        Files.createDirectories(workDir);
        BrokerProcess broker = null;
        double loadBefore = BenchReport.loadAverage();
        Instant started = Instant.now();
        try {
            String servers;
            if (bootstrap.isPresent()) {
                servers = bootstrap.get();
            } else {
                out.println("* starting a Kafka broker (KRaft, child JVM with " + String.join(" ",
                        BrokerProcess.THROUGHPUT_JVM_ARGS) + ")");
                out.flush();
                broker = BrokerProcess.start(workDir.resolve("broker"), 0, Map.of(),
                        BrokerProcess.THROUGHPUT_JVM_ARGS);
                servers = broker.bootstrapServers();
            }
            Map<String, Object> client = new HashMap<>(clientConfig);
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
            IncrementalBench bench = new IncrementalBench(client, size, workDir, out);
            bench.inputs();
            for (int run = 1; run <= runs; run++) {
                bench.runOnce(run);
            }
            BenchReport report = bench.report;
            report.info("started", started.toString());
            report.info("finished", Instant.now().toString());
            report.info("load average", String.format(Locale.ROOT, "%.2f before, %.2f after", loadBefore,
                    BenchReport.loadAverage()));
            EndToEndBench.describeMachine(report, broker != null ? "child JVM " + String.join(" ",
                    BrokerProcess.THROUGHPUT_JVM_ARGS) : servers);
            report.info("runs", runs);
            report.info("size", HumanFormat.size(size));
            report.info("policy", POLICY.name() + " over " + SERVERS + " sinks in this JVM, striper in this JVM");
            out.println();
            report.print(out);
            report.writeJson(jsonFile);
            out.println("\nrows written to " + jsonFile);
            out.flush();
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (keep) {
                out.println("work directory kept: " + workDir);
            } else {
                DurableFiles.deleteRecursively(workDir);
            }
        }
    }

    /** The file pair (the original and its edit) and the JSON state, shared by every run. */
    private void inputs() throws IOException {
        Path dir = Files.createDirectories(work.resolve("input"));
        original = SeededCheckpoints.generate(dir.resolve("original.bin"), size, 1);
        edited = IncrementalInputs.insert(original, dir.resolve("edited.bin"), 2);
        IncrementalInputs.scatter(edited, CHANGED, 3);
        json = IncrementalInputs.jsonState(dir.resolve("state.jsonl"), size, 4);
        say("inputs generated: %s random and its edit, %s of JSON lines", HumanFormat.size(size),
                HumanFormat.size(Files.size(json)));
    }

    private void runOnce(int run) throws Exception {
        String prefix = "inc-" + stamp + "-r" + run + ".";
        Path runDir = Files.createDirectories(work.resolve("run-" + run));
        say("run %d, topics %s*, load %.1f", run, prefix, BenchReport.loadAverage());
        try (Admin admin = Admin.create(new HashMap<>(client))) {
            try (Deployment d = Deployment.start(client, admin, prefix + "main.", runDir.resolve("main"), RETAIN + 1)) {
                warmUp(d);
                for (Variant v : VARIANTS) {
                    files(d, v);
                }
                rocks(d, runDir);
                compression(d, run);
            }
            try (Deployment d = Deployment.start(client, admin, prefix + "retain.", runDir.resolve("retain"),
                    RETAIN)) {
                retention(d, runDir);
            }
        } finally {
            EndToEndBench.deleteTopics(client, prefix);
            DurableFiles.deleteRecursively(runDir);
        }
    }

    // ---------------------------------------------------------------- the parts

    /**
     * One unrecorded full publish through each path first: a fresh pipeline's first checkpoint pays for the
     * transaction coordinator, producer start-up and a JVM whose hot loops C2 has not compiled yet, which would
     * flatter the first publish's time against the second's.
     */
    private void warmUp(Deployment d) throws Exception {
        for (boolean local : List.of(false, true)) {
            Map<String, Object> props = incremental(true, local);
            try (CheckpointPublisher publisher = d.publisher(props)) {
                d.publish(publisher, local ? "warm-up-local" : "warm-up-streams", (p, r) -> p.publish(r, original));
            }
        }
        say("warmed up with %s through the striper and through local striping", HumanFormat.size(size));
    }

    private void files(Deployment d, Variant v) throws Exception {
        String app = "file-" + (v.stripeLocally ? "local" : "streams") + (v.smallChunks ? "-8k" : "-default");
        Map<String, Object> props = incremental(v.smallChunks, v.stripeLocally);
        Published first;
        Published second;
        try (CheckpointPublisher publisher = d.publisher(props)) {
            first = d.publish(publisher, app, (p, r) -> p.publish(r, original));
            second = d.publish(publisher, app, (p, r) -> p.publish(r, edited));
        }
        String name = v.label + ": ";
        report.record(FILE, name + "first, broker bytes", size, "MB", null, first.brokerBytes / 1e6);
        report.record(FILE, name + "second, broker bytes", size, "MB", null, second.brokerBytes / 1e6);
        report.record(FILE, name + "second / first, broker bytes", size, "x",
                v.smallChunks ? BenchReport.Goal.atMost(0.05) : null,
                (double) second.brokerBytes / first.brokerBytes);
        report.record(FILE, name + "second, delta the publisher sent", size, "MB", null,
                second.result.totalBytes() / 1e6);
        report.record(FILE, name + "first, time to protected", size, "ms", null, first.ms());
        report.record(FILE, name + "second, time to protected", size, "ms", null, second.ms());
        report.record(FILE, name + "first / second, time to protected", size, "x",
                v.smallChunks ? BenchReport.Goal.atLeast(5) : null, first.ms() / second.ms());
        for (int lost : List.of(0, POLICY.toleratedLosses())) {
            d.restoreFile(app, first.checkpointId(), original, lost);
            d.restoreFile(app, second.checkpointId(), edited, lost);
        }
        say("%s: %s then %s on the broker, %.0f then %.0f ms; both restored byte-exact from %d and from %d servers",
                v.label, HumanFormat.size(first.brokerBytes), HumanFormat.size(second.brokerBytes), first.ms(),
                second.ms(), SERVERS, SERVERS - POLICY.toleratedLosses());
    }

    private void rocks(Deployment d, Path runDir) throws Exception {
        Path dir = Files.createDirectories(runDir.resolve("rocks"));
        long keys = size / RocksState.VALUE_BYTES;
        Path one = dir.resolve("checkpoint-1");
        Path two = dir.resolve("checkpoint-2");
        long keysOne;
        try (RocksState state = RocksState.create(dir.resolve("db"))) {
            state.append(keys);
            state.settle();
            state.checkpoint(one);
            keysOne = state.keys();
            state.append(Math.max(1, (long) (keys * CHANGED)));
            state.checkpoint(two);
        }
        long keysTwo = keysOne + Math.max(1, (long) (keys * CHANGED));
        String app = "rocks";
        Published first;
        Published second;
        try (CheckpointPublisher publisher = d.publisher(incremental(false))) {
            first = d.publish(publisher, app, (p, r) -> p.publishDirectory(r, one));
            second = d.publish(publisher, app, (p, r) -> p.publishDirectory(r, two));
        }
        long bytes = size;
        report.record(ROCKS, "state directory, first checkpoint", bytes, "MB", null, directoryBytes(one) / 1e6);
        report.record(ROCKS, "first (" + keysOne + " keys), broker bytes", bytes, "MB", null, first.brokerBytes / 1e6);
        report.record(ROCKS, "second (+" + (keysTwo - keysOne) + " keys), broker bytes", bytes, "MB", null,
                second.brokerBytes / 1e6);
        report.record(ROCKS, "second / first, broker bytes", bytes, "x", BenchReport.Goal.atMost(0.2),
                (double) second.brokerBytes / first.brokerBytes);
        report.record(ROCKS, "first, time to protected", bytes, "ms", null, first.ms());
        report.record(ROCKS, "second, time to protected", bytes, "ms", null, second.ms());
        long read = d.restoreRocks(app, first.checkpointId(), keysOne, dir.resolve("restored-1"))
                + d.restoreRocks(app, second.checkpointId(), keysTwo, dir.resolve("restored-2"));
        report.record(ROCKS, "keys read back from both restored databases and checked", bytes, "keys", null, read);
        say("RocksDB: %s then %s on the broker; both restored, all %d keys read back and checked",
                HumanFormat.size(first.brokerBytes), HumanFormat.size(second.brokerBytes), read);
        DurableFiles.deleteRecursively(dir);
    }

    private void compression(Deployment d, int run) throws Exception {
        long bytes = size;
        Map<Boolean, Published> published = new HashMap<>();
        // The order alternates from run to run, so drift in the machine's load falls on both alike.
        for (boolean zstd : run % 2 == 1 ? List.of(true, false) : List.of(false, true)) {
            Map<String, Object> props = incremental(false);
            props.put(PublisherConfig.CHUNKING_COMPRESSION_CONFIG, zstd);
            String app = zstd ? "json-zstd" : "json-plain";
            try (CheckpointPublisher publisher = d.publisher(props)) {
                Published p = d.publish(publisher, app, (pub, r) -> pub.publish(r, json));
                published.put(zstd, p);
                d.restoreFile(app, p.checkpointId(), json, 0);
            }
        }
        Published zstd = published.get(true);
        Published plain = published.get(false);
        report.record(COMPRESSION, "zstd per chunk: bytes on the servers", bytes, "MB", null, zstd.storeBytes / 1e6);
        report.record(COMPRESSION, "no compression: bytes on the servers", bytes, "MB", null, plain.storeBytes / 1e6);
        report.record(COMPRESSION, "zstd / none, bytes on the servers", bytes, "x", null,
                (double) zstd.storeBytes / plain.storeBytes);
        report.record(COMPRESSION, "zstd per chunk: broker bytes", bytes, "MB", null, zstd.brokerBytes / 1e6);
        report.record(COMPRESSION, "no compression: broker bytes", bytes, "MB", null, plain.brokerBytes / 1e6);
        report.record(COMPRESSION, "zstd per chunk: time to protected", bytes, "ms", null, zstd.ms());
        report.record(COMPRESSION, "no compression: time to protected", bytes, "ms", null, plain.ms());
        report.record(COMPRESSION, "zstd / none, time to protected", bytes, "x", null, zstd.ms() / plain.ms());
        say("JSON state: %s on the servers with zstd (%.0f ms), %s without (%.0f ms); both restored byte-exact",
                HumanFormat.size(zstd.storeBytes), zstd.ms(), HumanFormat.size(plain.storeBytes), plain.ms());
    }

    private void retention(Deployment d, Path runDir) throws Exception {
        Path state = Files.copy(original, runDir.resolve("state.bin"));
        String app = "slow";
        long afterFirst = 0;
        long newest = -1;
        try (CheckpointPublisher publisher = d.publisher(incremental(true))) {
            for (int i = 1; i <= CHECKPOINTS; i++) {
                if (i > 1) {
                    IncrementalInputs.scatter(state, CHANGED, 100 + i);
                }
                newest = d.publish(publisher, app, (p, r) -> p.publish(r, state)).checkpointId();
                if (i == 1) {
                    afterFirst = d.storeBytes();
                }
            }
        }
        // Stopped, each sink has finished its last pass of retention.
        d.pipeline.stopSinks();
        long afterLast = d.storeBytes();
        report.record(RETENTION, "bytes on the servers after the 1st", size, "MB", null, afterFirst / 1e6);
        report.record(RETENTION, "bytes on the servers after the " + CHECKPOINTS + "th", size, "MB", null,
                afterLast / 1e6);
        report.record(RETENTION, CHECKPOINTS + "th / 1st, bytes on the servers", size, "x",
                BenchReport.Goal.atMost(1.5), (double) afterLast / afterFirst);
        report.record(RETENTION, "checkpoints held on server 0 after the " + CHECKPOINTS + "th", size, "", null,
                d.held(0, app));
        d.restoreFile(app, newest, state, 0);
        say("%d checkpoints, retain %d: %s on the servers after the first, %s after the last; the newest restored "
                + "byte-exact", CHECKPOINTS, RETAIN, HumanFormat.size(afterFirst), HumanFormat.size(afterLast));
    }

    /** Publisher settings of an incremental publish, 8 KiB chunks or the default size, through the striper. */
    private static Map<String, Object> incremental(boolean smallChunks) {
        return incremental(smallChunks, false);
    }

    /** Publisher settings of an incremental publish, 8 KiB chunks or the default size, maybe striped locally. */
    private static Map<String, Object> incremental(boolean smallChunks, boolean stripeLocally) {
        Map<String, Object> props = new HashMap<>();
        if (stripeLocally) {
            props.put(PublisherConfig.STRIPE_LOCALLY_CONFIG, true);
            props.put(PublisherConfig.POLICY_CONFIG, POLICY.name());
        }
        props.put(PublisherConfig.CHUNKING_ENABLED_CONFIG, true);
        if (smallChunks) {
            props.put(PublisherConfig.CHUNKING_MIN_BYTES_CONFIG, 2 << 10);
            props.put(PublisherConfig.CHUNKING_AVG_BYTES_CONFIG, 8 << 10);
            props.put(PublisherConfig.CHUNKING_MAX_BYTES_CONFIG, 32 << 10);
        }
        return props;
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, "* " + format + "%n", args);
        progress.flush();
    }

    /** A pipeline on topics of its own, with what measures and restores through it. */
    private static final class Deployment implements AutoCloseable {
        final Map<String, Object> common;
        final Admin admin;
        final String topicPrefix;
        final Path dir;
        final LocalPipeline pipeline;

        private Deployment(Map<String, Object> common, Admin admin, String topicPrefix, Path dir,
                LocalPipeline pipeline) {
            this.common = common;
            this.admin = admin;
            this.topicPrefix = topicPrefix;
            this.dir = dir;
            this.pipeline = pipeline;
        }

        static Deployment start(Map<String, Object> client, Admin admin, String topicPrefix, Path dir, int retain)
                throws IOException {
            Map<String, Object> common = new HashMap<>(client);
            common.put(StriperConfig.TOPIC_PREFIX_CONFIG, topicPrefix);
            Map<String, Object> striper = Map.of(StreamsConfig.APPLICATION_ID_CONFIG, topicPrefix + "striper",
                    StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
            Map<String, Object> sink = Map.of(SinkConfig.HTTP_PORT_CONFIG, SinkConfig.NO_HTTP,
                    SinkConfig.RETAIN_CONFIG, retain);
            return new Deployment(common, admin, topicPrefix, dir,
                    LocalPipeline.start(common, POLICY, SERVERS, dir.resolve("pipeline"), striper, sink));
        }

        CheckpointPublisher publisher(Map<String, Object> extra) {
            Map<String, Object> props = new HashMap<>(common);
            props.putAll(extra);
            props.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, topicPrefix + "publish-");
            props.put(PublisherConfig.SERVERS_CONFIG, SERVERS);
            props.put(PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, 600_000L);
            props.put(PublisherConfig.CHUNK_INDEX_DIR_CONFIG, dir.resolve("chunk-index").toString());
            return new CheckpointPublisher(props);
        }

        Published publish(CheckpointPublisher publisher, String app, Publish publish) throws Exception {
            long brokerBefore = brokerBytes();
            long storeBefore = storeBytes();
            PublishResult result = publish.publish(publisher, PublishRequest.of(app).withWaitProtected(true));
            return new Published(result, brokerBytes() - brokerBefore, storeBytes() - storeBefore,
                    result.timeToProtected().orElseThrow());
        }

        /** Bytes of every replica of every partition of this pipeline's topics, as the brokers' log dirs say. */
        long brokerBytes() throws InterruptedException, ExecutionException, TimeoutException {
            List<Integer> brokers = admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).stream().map(Node::id).toList();
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(brokers).allDescriptions()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long total = 0;
            for (Map<String, LogDirDescription> byDir : dirs.values()) {
                for (LogDirDescription logDir : byDir.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> e : logDir.replicaInfos().entrySet()) {
                        if (e.getKey().topic().startsWith(topicPrefix)) {
                            total += e.getValue().size();
                        }
                    }
                }
            }
            return total;
        }

        /** Bytes of every file in the sinks' data directories. */
        long storeBytes() throws IOException {
            long total = 0;
            for (int i = 0; i < SERVERS; i++) {
                total += directoryBytes(pipeline.dataDir(i));
            }
            return total;
        }

        /** Checkpoints of {@code app} in server {@code server}'s store. */
        long held(int server, String app) throws IOException {
            try (Stream<Path> checkpoints = Files.list(pipeline.dataDir(server).resolve("apps").resolve(app))) {
                return checkpoints.count();
            }
        }

        /** Restores from every server but the first {@code lost} and checks the bytes against {@code expected}. */
        void restoreFile(String app, long checkpointId, Path expected, int lost) throws IOException {
            Path out = dir.resolve("restored.bin");
            Files.deleteIfExists(out);
            try {
                withSources(lost, sources -> new Restorer(RestoreOptions.defaults()).restore(app, sources, out,
                        OptionalLong.of(checkpointId)));
                long mismatch = Files.mismatch(out, expected);
                if (mismatch != -1) {
                    throw new IllegalStateException("checkpoint " + checkpointId + " of " + app + " restored from "
                            + (SERVERS - lost) + " servers differs from its input at byte " + mismatch);
                }
            } finally {
                Files.deleteIfExists(out);
            }
        }

        /** Restores a RocksDB checkpoint into {@code out} and reads every key back; returns the keys read. */
        long restoreRocks(String app, long checkpointId, long keys, Path out) throws IOException, RocksDBException {
            withSources(0, sources -> new Restorer(RestoreOptions.defaults()).restoreDirectory(app, sources, out,
                    OptionalLong.of(checkpointId)));
            return RocksState.verify(out, keys);
        }

        private interface Restore {
            void restore(List<CellSource> sources) throws IOException;
        }

        private void withSources(int lost, Restore restore) throws IOException {
            List<CellSource> sources = new ArrayList<>();
            try {
                for (int i = lost; i < SERVERS; i++) {
                    sources.add(new DirectorySource(pipeline.dataDir(i)));
                }
                restore.restore(sources);
            } finally {
                for (CellSource s : sources) {
                    s.close();
                }
            }
        }

        @Override
        public void close() {
            pipeline.close();
        }
    }
}
