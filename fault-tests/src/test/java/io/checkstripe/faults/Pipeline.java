package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.TopicNames;
import org.awaitility.Awaitility;

/**
 * One checkstripe deployment on given brokers, every part a real {@code checkstripe} process: striper instances,
 * one sink per backup server (each with its own data directory and HTTP API), publishes and restores. Its topics
 * carry their own prefix, so several pipelines can share the brokers of a test class without seeing each other.
 *
 * <p>Settings are written to {@code --command-config} files per role ({@link RoleConfigs}).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class Pipeline implements Deployment, AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern STRIPER_RUNNING = Pattern.compile("striper running: ");
    private static final Pattern SINK_RUNNING = Pattern.compile("sink \\d+ running: .*HTTP (http://\\S+);");

    private final KafkaBrokers kafka;
    private final Path dir;
    private final String prefix;
    private final RedundancyPolicy policy;
    private final int servers;
    private RoleConfigs configs;
    private final List<String> sinkOptions = new ArrayList<>();
    private final Map<Integer, Sink> sinks = new TreeMap<>();
    private final Map<String, CheckstripeProcess> stripers = new LinkedHashMap<>();
    private final Map<Integer, Path> dataDirs = new TreeMap<>();
    private final TopicNames topics;
    private short replicationFactor = -1;
    private String applicationId;
    private int runs;

    /**
     * @param dir    where the pipeline keeps its config files, sink stores, process output and restored files
     * @param prefix prefix of its topic names, Streams application id and transactional ids
     */
    Pipeline(KafkaBrokers kafka, Path dir, String prefix, String policy, int servers) {
        this.kafka = kafka;
        this.dir = dir;
        this.prefix = prefix;
        this.policy = RedundancyPolicy.parse(policy);
        this.servers = servers;
        this.topics = TopicNames.defaults().withPrefix(prefix);
        this.configs = new RoleConfigs(prefix);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The replication factor of the topics the striper creates (default: the brokers' default). */
    Pipeline replicationFactor(int r) {
        replicationFactor = (short) r;
        return this;
    }

    /**
     * Settings every {@code --command-config} file of {@code role} ({@link RoleConfigs#CLIENT},
     * {@link RoleConfigs#STRIPER}, {@link RoleConfigs#SINK}) gets: its credentials on a secured cluster, say.
     */
    Pipeline roleSettings(String role, Map<String, String> settings) {
        configs = configs.with(role, settings);
        return this;
    }

    /** Extra command-line options of every sink, e.g. {@code --retain 10}. */
    Pipeline sinkOptions(String... options) {
        sinkOptions.addAll(List.of(options));
        return this;
    }

    RedundancyPolicy policy() {
        return policy;
    }

    @Override
    public int servers() {
        return servers;
    }

    @Override
    public TopicNames topics() {
        return topics;
    }

    @Override
    public KafkaBrokers kafka() {
        return kafka;
    }

    @Override
    public Path dir() {
        return dir;
    }

    /** The Kafka Streams application id of the striper instances (also their consumer group). */
    String striperApplicationId() {
        return applicationId != null ? applicationId : prefix + "striper";
    }

    /** Another application id for the striper instances than {@code <prefix>striper}. */
    Pipeline striperApplicationId(String id) {
        applicationId = id;
        return this;
    }

    @Override
    public List<String> kafkaArgs() {
        return List.of("--bootstrap-server", kafka.bootstrapServers(), "--command-config",
                RoleConfigs.write(configDir(), "client", configs.client()).toString());
    }

    // ------------------------------------------------------------------ striper

    /** Starts a striper instance named {@code name} and waits until it says it runs. */
    CheckstripeProcess startStriper(String name) {
        var settings = configs.striper(Map.of("state.dir", dir.resolve("state-" + name).toString()));
        List<String> args = new ArrayList<>(List.of("striper", "--bootstrap-server", kafka.bootstrapServers(),
                "--command-config", RoleConfigs.write(configDir(), "striper-" + name, settings).toString(), "--policy", policy.name(),
                "--servers", Integer.toString(servers), "--application-id", striperApplicationId()));
        if (replicationFactor > 0) {
            args.addAll(List.of("--replication-factor", Short.toString(replicationFactor)));
        }
        CheckstripeProcess striper = CheckstripeProcess.start(name + "-" + (++runs), dir.resolve("logs"),
                CheckstripeProcess.Options.service("384m"), args);
        striper.awaitStdout(STRIPER_RUNNING, START_TIMEOUT);
        stripers.put(name, striper);
        return striper;
    }

    CheckstripeProcess striper(String name) {
        return stripers.get(name);
    }

    // ------------------------------------------------------------------ sinks

    /** Starts the sink of every server that has none running, and waits until each serves HTTP. */
    void startSinks() {
        List<Sink> starting = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            Sink sink = sinks.computeIfAbsent(i, Sink::new);
            if (!sink.isAlive()) {
                sink.launch();
                starting.add(sink);
            }
        }
        starting.forEach(Sink::awaitRunning);
    }

    Sink sink(int index) {
        return sinks.computeIfAbsent(index, Sink::new);
    }

    /** Every server's data directory, in server order, comma-separated: the {@code --from} of a local restore. */
    String sinkDirs() {
        return sources();
    }

    Path sinkDir(int index) {
        return dataDirs.getOrDefault(index, dir.resolve("stores").resolve("server-" + index));
    }

    /** Puts server {@code index}'s store somewhere else (a small disk, say); before its sink first starts. */
    Pipeline sinkDir(int index, Path dataDir) {
        dataDirs.put(index, dataDir);
        return this;
    }

    /** Waits until every server holds the checkpoint's manifest and all its cells. */
    void awaitProtected(String app, long checkpointId, Duration timeout) {
        for (int i = 0; i < servers; i++) {
            Sink sink = sinks.get(i);
            Awaitility.await("server " + i + " holds " + app + "/" + checkpointId).atMost(timeout)
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> SinkApi.complete(sink.http(), app, checkpointId));
        }
    }

    @Override
    public int assertExactlyOnce(String app, long checkpointId, long bytes, int segmentBytes) {
        int segments = (int) ((bytes + segmentBytes - 1) / segmentBytes);
        int cells = 0;
        for (int i = 0; i < servers; i++) {
            cells += Stores.assertExactlyOnce(sinkDir(i), i, servers, policy, app, checkpointId, segments);
        }
        assertThat(cells).as("cells of %s/%d on all servers", app, checkpointId)
                .isEqualTo(segments * policy.totalCells());
        return cells;
    }

    // ------------------------------------------------------------------ Deployment

    @Override
    public String sources(int... servers) {
        List<String> dirs = new ArrayList<>();
        for (int i : Deployment.orAll(servers, this.servers)) {
            dirs.add(sinkDir(i).toString());
        }
        return String.join(",", dirs);
    }

    @Override
    public int nextRun() {
        return ++runs;
    }

    /** Every process the pipeline started that may still run: stripers and sinks. */
    List<CheckstripeProcess> processes() {
        List<CheckstripeProcess> all = new ArrayList<>(stripers.values());
        sinks.values().stream().map(s -> s.process).filter(p -> p != null).forEach(all::add);
        return all;
    }

    /** Stops every process (SIGTERM, as an operator would), sinks last so that they drain what was striped. */
    @Override
    public void close() {
        stripers.values().forEach(CheckstripeProcess::stop);
        sinks.values().forEach(Sink::stop);
    }

    private Path configDir() {
        return dir.resolve("config");
    }

    @Override
    public String toString() {
        return "pipeline " + prefix + " (" + policy.name() + " over " + servers + " servers, sinks "
                + sinks.values().stream().map(Sink::toString).collect(Collectors.joining(", ")) + ")";
    }

    /** The sink process of one backup server; restarts reuse its data directory. */
    final class Sink {
        private final int index;
        private CheckstripeProcess process;
        private URI http;
        private int starts;

        private Sink(int index) {
            this.index = index;
        }

        int index() {
            return index;
        }

        Path dataDir() {
            return sinkDir(index);
        }

        /** The HTTP API of the running incarnation. */
        URI http() {
            if (http == null) {
                throw new IllegalStateException("sink " + index + " is not running");
            }
            return http;
        }

        CheckstripeProcess process() {
            return process;
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** Starts the sink (again, on the same store) and waits until it serves HTTP. */
        Sink start() {
            launch();
            awaitRunning();
            return this;
        }

        void kill() {
            if (process != null) {
                process.kill();
            }
            http = null;
        }

        void stop() {
            if (process != null) {
                process.stop();
            }
            http = null;
        }

        private void launch() {
            List<String> args = new ArrayList<>(List.of("sink", "--bootstrap-server", kafka.bootstrapServers(),
                    "--command-config", RoleConfigs.write(configDir(), "sink", configs.sink()).toString(), "--server-index",
                    Integer.toString(index), "--data-dir", dataDir().toString(), "--http-port", "0"));
            args.addAll(sinkOptions);
            process = CheckstripeProcess.start("sink-" + index + "-" + (++starts), dir.resolve("logs"),
                    CheckstripeProcess.Options.service("256m"), args);
            http = null;
        }

        private void awaitRunning() {
            http = URI.create(process.awaitStdout(SINK_RUNNING, START_TIMEOUT).group(1));
        }

        @Override
        public String toString() {
            return index + (isAlive() ? "@" + http : " (down)");
        }
    }
}
