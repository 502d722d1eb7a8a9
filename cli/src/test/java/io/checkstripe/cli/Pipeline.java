package io.checkstripe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.pipeline.LocalPipeline;
import io.checkstripe.sink.BackupSink;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striper.StriperConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One checkstripe deployment on a test's broker: a {@link LocalPipeline} (the real striper and N real
 * backup sinks, in this JVM) on topics of its own (prefix {@code name.}) and with a striper
 * application id of their own, so several pipelines share one broker without seeing each
 * other; each sink has an HTTP API on a free port and short poll and retry intervals.
 * {@code publish}, {@code restore} and {@code status} go through the real CLI in-process;
 * {@code publish} finds the topics through a {@code --command-config} file naming the prefix, as
 * a user of a non-default deployment would.
 *
 * <p>Not thread-safe; a test closes it (sinks first, then the striper).
 */
final class Pipeline implements AutoCloseable {

    private final String bootstrap;
    private final String name;
    private final Path commandConfig;
    private final LocalPipeline pipeline;
    /** Every sink's HTTP API as started: a stopped sink keeps its address, which no longer answers. */
    private final List<String> uris = new ArrayList<>();

    private Pipeline(String bootstrap, String name, Path commandConfig, LocalPipeline pipeline) {
        this.bootstrap = bootstrap;
        this.name = name;
        this.commandConfig = commandConfig;
        this.pipeline = pipeline;
        pipeline.sinks().forEach(sink -> uris.add(sink.httpUri().toString()));
    }

    /** Starts the striper and every sink (each with an HTTP API on a free port). */
    static Pipeline start(String bootstrap, Path parent, String name, String policy, int servers) throws IOException {
        return start(bootstrap, parent, name, policy, servers, Map.of());
    }

    /** {@link #start(String, Path, String, String, int)} with {@code striperExtra} striper settings. */
    static Pipeline start(String bootstrap, Path parent, String name, String policy, int servers,
                          Map<String, Object> striperExtra) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        String prefix = name + ".";
        Path commandConfig = dir.resolve("client.properties");
        try (Writer w = Files.newBufferedWriter(commandConfig)) {
            w.write("# the topics of pipeline " + name + "\n");
            w.write("checkstripe.topic.prefix=" + prefix + "\n");
        }
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                StriperConfig.TOPIC_PREFIX_CONFIG, prefix);
        Map<String, Object> striper = new HashMap<>(striperExtra);
        striper.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-striper");
        striper.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
        Map<String, Object> sinks = Map.of(SinkConfig.HTTP_PORT_CONFIG, 0, SinkConfig.POLL_TIMEOUT_MS_CONFIG, 100,
                SinkConfig.RETRY_BACKOFF_MS_CONFIG, 100, SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
        return new Pipeline(bootstrap, name, commandConfig, LocalPipeline.start(client,
                RedundancyPolicy.parse(policy), servers, dir, striper, sinks));
    }

    String prefix() {
        return name + ".";
    }

    RedundancyPolicy policy() {
        return pipeline.policy();
    }

    int servers() {
        return pipeline.servers();
    }

    Path commandConfig() {
        return commandConfig;
    }

    Path dataDir(int server) {
        return pipeline.dataDir(server);
    }

    BackupSink sink(int server) {
        return pipeline.sink(server);
    }

    /** Restarts sink {@code server} on its data directory, with {@code extra} sink or client settings. */
    BackupSink startSink(int server, Map<String, Object> extra) throws IOException {
        BackupSink sink = pipeline.restartSink(server, extra);
        uris.set(server, sink.httpUri().toString());
        return sink;
    }

    /** Stops every sink (each one's batch in hand becomes durable first), so the stores can be copied. */
    void stopSinks() {
        pipeline.stopSinks();
    }

    /** Every server's data directory, server i at index i. */
    List<Path> dataDirs() {
        return IntStream.range(0, servers()).mapToObj(this::dataDir).toList();
    }

    /** Every server's data directory, for a restore that reads the stores directly. */
    List<String> directories() {
        return dataDirs().stream().map(Path::toString).toList();
    }

    /** Every server's HTTP API, as started (a stopped sink's address no longer answers). */
    List<String> httpSources() {
        return List.copyOf(uris);
    }

    /**
     * {@code checkstripe publish ... --wait-protected} of {@code file} as the next checkpoint of
     * {@code app}, waiting up to 150 s unless {@code options} name another {@code --protect-timeout}.
     */
    CliRun publish(String app, Path file, String... options) {
        return CliRun.of(publishArgs(app, file.toString(), options));
    }

    /** {@link #publish} of {@code file} through standard input: {@code --file -}. */
    CliRun publishFromStdin(String app, Path file, String... options) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return CliRun.withInput(in, publishArgs(app, "-", options));
        }
    }

    private List<String> publishArgs(String app, String file, String... options) {
        List<String> args = new ArrayList<>(List.of("publish", "--bootstrap-server", bootstrap,
                "--command-config", commandConfig.toString(), "--app", app, "--file", file, "--wait-protected"));
        if (!List.of(options).contains("--protect-timeout")) {
            args.addAll(List.of("--protect-timeout", "150"));
        }
        args.addAll(List.of(options));
        return args;
    }

    @Override
    public void close() {
        pipeline.close();
    }

    /** {@code checkstripe restore --app app --from sources --out out options...}. */
    static CliRun restore(String app, List<String> sources, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("restore", "--app", app, "--from", String.join(",", sources),
                "--out", out.toString()));
        args.addAll(List.of(options));
        return CliRun.of(args);
    }

    /** {@code checkstripe status --app app --from sources options...}: every cell read and checked. */
    static CliRun status(String app, List<String> sources, String... options) {
        List<String> args = new ArrayList<>(List.of("status", "--app", app, "--from", String.join(",", sources)));
        args.addAll(List.of(options));
        return CliRun.of(args);
    }
}
