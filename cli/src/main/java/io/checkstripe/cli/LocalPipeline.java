package io.checkstripe.cli;

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
 * sink with its own store in {@code dir/server-<i>}, on one Kafka cluster. {@code demo} and
 * {@code bench} run it; a real deployment runs the same classes as separate
 * {@code checkstripe striper} and {@code checkstripe sink} processes.
 *
 * <p>{@code client} holds what every part shares (bootstrap servers, a topic prefix, security);
 * {@code striperExtra} and {@code sinkExtra} are added for the striper and the sinks only. Not
 * thread-safe; {@link #close()} stops the sinks first (each one's batch in hand becomes durable),
 * then the striper.
 */
final class LocalPipeline implements AutoCloseable {

    private final RedundancyPolicy policy;
    private final Path dir;
    private final StriperApp striper;
    private final List<BackupSink> sinks = new ArrayList<>();

    private LocalPipeline(RedundancyPolicy policy, Path dir, StriperApp striper) {
        this.policy = policy;
        this.dir = dir;
        this.striper = striper;
    }

    /**
     * Starts the striper (which creates the topics) and then every sink.
     *
     * @throws IllegalArgumentException when {@code servers} is too few for {@code policy}
     * @throws IOException when a sink's store cannot be opened
     */
    static LocalPipeline start(Map<String, Object> client, RedundancyPolicy policy, int servers, Path dir,
                               Map<String, Object> striperExtra, Map<String, Object> sinkExtra) throws IOException {
        Map<String, Object> striperProps = new HashMap<>(client);
        striperProps.putAll(striperExtra);
        striperProps.put(StriperConfig.POLICY_CONFIG, policy.name());
        striperProps.put(StriperConfig.SERVERS_CONFIG, servers);
        LocalPipeline pipeline = new LocalPipeline(policy, dir,
                new StriperApp(Failures.config(() -> new StriperConfig(striperProps))));
        try {
            pipeline.striper.start();
            for (int i = 0; i < servers; i++) {
                Map<String, Object> sinkProps = new HashMap<>(client);
                sinkProps.putAll(sinkExtra);
                sinkProps.put(SinkConfig.SERVER_INDEX_CONFIG, i);
                sinkProps.put(SinkConfig.DATA_DIR_CONFIG, pipeline.dataDir(i).toString());
                BackupSink sink = new BackupSink(Failures.config(() -> new SinkConfig(sinkProps)));
                pipeline.sinks.add(sink);
                sink.start();
            }
            return pipeline;
        } catch (IOException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /** The striper job, for its metrics. */
    StriperApp striper() {
        return striper;
    }

    RedundancyPolicy policy() {
        return policy;
    }

    int servers() {
        return sinks.size();
    }

    /** The sinks, by server index. */
    List<BackupSink> sinks() {
        return List.copyOf(sinks);
    }

    /** Server {@code i}'s data directory. */
    Path dataDir(int i) {
        return dir.resolve("server-" + i);
    }

    @Override
    public void close() {
        try {
            for (BackupSink sink : sinks) {
                sink.close();
            }
        } finally {
            striper.close();
        }
    }
}
