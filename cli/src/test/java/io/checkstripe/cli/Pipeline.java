package io.checkstripe.cli;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.sink.BackupSink;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striper.StriperApp;
import io.checkstripe.striper.StriperConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One checkstripe deployment on a test's broker: the real striper (Kafka Streams) and N real
 * backup sinks, in this JVM, on topics of their own (prefix {@code name.}) and with a striper
 * application id of their own, so several pipelines share one broker without seeing each
 * other. {@code publish}, {@code restore} and {@code status} go through the real CLI in-process;
 * {@code publish} finds the topics through a {@code --command-config} file naming the prefix, as
 * a user of a non-default deployment would.
 *
 * <p>Not thread-safe; a test closes it (sinks first, then the striper).
 */
final class Pipeline implements AutoCloseable {

    private final String bootstrap;
    private final String name;
    private final RedundancyPolicy policy;
    private final int servers;
    private final Path dir;
    private final Path commandConfig;
    private final StriperApp striper;
    private final BackupSink[] sinks;
    private final URI[] uris;

    private Pipeline(String bootstrap, String name, RedundancyPolicy policy, int servers, Path dir) {
        this.bootstrap = bootstrap;
        this.name = name;
        this.policy = policy;
        this.servers = servers;
        this.dir = dir;
        this.commandConfig = dir.resolve("client.properties");
        this.sinks = new BackupSink[servers];
        this.uris = new URI[servers];
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StriperConfig.POLICY_CONFIG, policy.name());
        props.put(StriperConfig.SERVERS_CONFIG, servers);
        props.put(StriperConfig.TOPIC_PREFIX_CONFIG, prefix());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-striper");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
        this.striper = new StriperApp(new StriperConfig(props));
    }

    /** Starts the striper and every sink (each with an HTTP API on a free port). */
    static Pipeline start(String bootstrap, Path parent, String name, String policy, int servers) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        Pipeline p = new Pipeline(bootstrap, name, RedundancyPolicy.parse(policy), servers, dir);
        try {
            try (Writer w = Files.newBufferedWriter(p.commandConfig)) {
                w.write("# the topics of pipeline " + name + "\n");
                w.write("checkstripe.topic.prefix=" + p.prefix() + "\n");
            }
            p.striper.start();
            for (int i = 0; i < servers; i++) {
                p.startSink(i, Map.of());
            }
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    String prefix() {
        return name + ".";
    }

    RedundancyPolicy policy() {
        return policy;
    }

    int servers() {
        return servers;
    }

    Path commandConfig() {
        return commandConfig;
    }

    Path dataDir(int server) {
        return dir.resolve("server-" + server);
    }

    BackupSink sink(int server) {
        return sinks[server];
    }

    /** Starts sink {@code server} on its data directory, with {@code extra} sink or client settings. */
    BackupSink startSink(int server, Map<String, Object> extra) throws IOException {
        if (sinks[server] != null) {
            sinks[server].close();
        }
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(SinkConfig.SERVER_INDEX_CONFIG, server);
        props.put(SinkConfig.DATA_DIR_CONFIG, dataDir(server).toString());
        props.put(SinkConfig.TOPIC_PREFIX_CONFIG, prefix());
        props.put(SinkConfig.HTTP_PORT_CONFIG, 0);
        props.put(SinkConfig.POLL_TIMEOUT_MS_CONFIG, 100);
        props.put(SinkConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        props.put(SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
        props.putAll(extra);
        BackupSink sink = new BackupSink(new SinkConfig(props));
        sinks[server] = sink;
        sink.start();
        uris[server] = sink.httpUri();
        return sink;
    }

    /** Stops every sink (each one's batch in hand becomes durable first), so the stores can be copied. */
    void stopSinks() {
        for (BackupSink sink : sinks) {
            if (sink != null) {
                sink.close();
            }
        }
    }

    /** Every server's data directory, for a restore that reads the stores directly. */
    List<String> directories() {
        return IntStream.range(0, servers).mapToObj(i -> dataDir(i).toString()).toList();
    }

    /** Every server's HTTP API, as started (a stopped sink's address no longer answers). */
    List<String> httpSources() {
        List<String> all = new ArrayList<>();
        for (URI uri : uris) {
            all.add(uri.toString());
        }
        return all;
    }

    /**
     * {@code checkstripe publish ... --wait-protected} of {@code file} as the next checkpoint of
     * {@code app}, waiting up to 150 s unless {@code options} name another {@code --protect-timeout}.
     */
    CliRun publish(String app, Path file, String... options) {
        List<String> args = new ArrayList<>(List.of("publish", "--bootstrap-server", bootstrap,
                "--command-config", commandConfig.toString(), "--app", app, "--file", file.toString(),
                "--wait-protected"));
        if (!List.of(options).contains("--protect-timeout")) {
            args.addAll(List.of("--protect-timeout", "150"));
        }
        args.addAll(List.of(options));
        return CliRun.of(args);
    }

    @Override
    public void close() {
        stopSinks();
        striper.close();
    }

    /** {@code checkstripe restore --app app --from sources --out out options...}. */
    static CliRun restore(String app, List<String> sources, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("restore", "--app", app, "--from", String.join(",", sources),
                "--out", out.toString()));
        args.addAll(List.of(options));
        return CliRun.of(args);
    }

    /** {@code checkstripe status --app app --from sources}: every cell read and checked. */
    static CliRun status(String app, List<String> sources) {
        return CliRun.of("status", "--app", app, "--from", String.join(",", sources));
    }
}
