package io.checkstripe.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.sink.BackupSink;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.striper.StriperApp;
import io.checkstripe.striper.StriperConfig;

/**
 * One checkstripe deployment in this JVM: the striper job and one backup sink per server, each
 * sink with its own store in {@code dir/server-<i>}, on one Kafka cluster. {@code demo}, the
 * end-to-end benchmark and the tests run it; a real deployment runs the same classes as separate
 * {@code checkstripe striper} and {@code checkstripe sink} processes, so what is measured or
 * shown here is what those run.
 *
 * <p>{@code client} holds what every part shares (bootstrap servers, a topic prefix, security);
 * {@code striperExtra} and {@code sinkExtra} are added for the striper and the sinks only. A bad
 * setting fails with Kafka's {@link org.apache.kafka.common.config.ConfigException}. Not
 * thread-safe; {@link #close()} stops the sinks first (each one's batch in hand becomes durable),
 * then the striper.
 */
public final class LocalPipeline implements AutoCloseable {

    private final RedundancyPolicy policy;
    private final Path dir;
    private final Map<String, Object> sinkProps;
    private final StriperApp striper;
    private final List<BackupSink> sinks = new ArrayList<>();

    private LocalPipeline(RedundancyPolicy policy, Path dir, Map<String, Object> sinkProps, StriperApp striper) {
        this.policy = policy;
        this.dir = dir;
        this.sinkProps = Map.copyOf(sinkProps);
        this.striper = striper;
    }

    /**
     * Starts the striper (which creates the topics) and then every sink.
     *
     * @throws IllegalArgumentException when {@code servers} is too few for {@code policy}
     * @throws IOException when a sink's store cannot be opened
     */
    public static LocalPipeline start(Map<String, Object> client, RedundancyPolicy policy, int servers, Path dir,
                                      Map<String, Object> striperExtra, Map<String, Object> sinkExtra)
            throws IOException {
        Map<String, Object> striperProps = new HashMap<>(client);
        striperProps.putAll(striperExtra);
        striperProps.put(StriperConfig.POLICY_CONFIG, policy.name());
        striperProps.put(StriperConfig.SERVERS_CONFIG, servers);
        Map<String, Object> sinkProps = new HashMap<>(client);
        sinkProps.putAll(sinkExtra);
        LocalPipeline pipeline = new LocalPipeline(policy, dir, sinkProps,
                new StriperApp(new StriperConfig(striperProps)));
        try {
            pipeline.striper.start();
            for (int i = 0; i < servers; i++) {
                pipeline.sinks.add(null);
                pipeline.restartSink(i, Map.of());
            }
            return pipeline;
        } catch (IOException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /** The striper job, for its metrics. */
    public StriperApp striper() {
        return striper;
    }

    public RedundancyPolicy policy() {
        return policy;
    }

    public int servers() {
        return sinks.size();
    }

    /** The sinks, by server index. */
    public List<BackupSink> sinks() {
        return List.copyOf(sinks);
    }

    /** Server {@code server}'s sink, as last started. */
    public BackupSink sink(int server) {
        return sinks.get(server);
    }

    /** Server {@code i}'s data directory. */
    public Path dataDir(int i) {
        return dir.resolve("server-" + i);
    }

    /**
     * Stops server {@code server}'s sink and starts a new one on the same data directory, with {@code extra}
     * over the pipeline's sink settings: a backup server's restart, or a try of other settings on it.
     *
     * @throws IOException when the store cannot be opened
     */
    public BackupSink restartSink(int server, Map<String, Object> extra) throws IOException {
        BackupSink old = sinks.get(server);
        if (old != null) {
            old.close();
        }
        Map<String, Object> props = new HashMap<>(sinkProps);
        props.putAll(extra);
        props.put(SinkConfig.SERVER_INDEX_CONFIG, server);
        props.put(SinkConfig.DATA_DIR_CONFIG, dataDir(server).toString());
        BackupSink sink = new BackupSink(new SinkConfig(props));
        sinks.set(server, sink);
        sink.start();
        return sink;
    }

    /** Stops every sink (each one's batch in hand becomes durable first) and leaves the striper running. */
    public void stopSinks() {
        for (BackupSink sink : sinks) {
            if (sink != null) {
                sink.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            stopSinks();
        } finally {
            striper.close();
        }
    }
}
