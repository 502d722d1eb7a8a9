package io.checkstripe.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real multi-node Kafka cluster, one OS process per node ({@link BrokerProcess}), for fault
 * tests that SIGKILL a broker mid-publish and restart it later. Every node is a combined
 * broker+controller and a voter of a static KRaft quorum ({@code controller.quorum.voters}), so
 * a 3-node cluster keeps its metadata quorum with one node down. Node {@code i} lives in
 * {@code dataDir/node-i}, has node id {@code i}, and keeps its ports across restarts.
 *
 * <p>Defaults fit the node count: internal topics replicated min(3, nodes) times with min ISR
 * min(2, nodes), default replication factor min(3, nodes). Topic min ISR stays Kafka's 1 unless
 * the caller sets {@code min.insync.replicas}.
 *
 * <p>Each node has a 512 MiB heap. Not thread-safe: one thread drives the lifecycle, clients
 * may run anywhere.
 */
public final class BrokerCluster implements KafkaBrokers, AutoCloseable {

    private final List<BrokerProcess> nodes;
    private Admin admin;

    private BrokerCluster(List<BrokerProcess> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts {@code nodes} broker processes under {@code dataDir} and waits until all serve clients. */
    public static BrokerCluster start(Path dataDir, int nodes) {
        return start(dataDir, nodes, Map.of());
    }

    /**
     * Starts {@code nodes} (1 to 9) broker processes under {@code dataDir}, formatting the
     * directories not formatted yet with the cluster id of those that are (or a new one), and waits until every node
     * serves clients. {@code brokerConfig} applies to every node over the defaults.
     */
    public static BrokerCluster start(Path dataDir, int nodes, Map<String, String> brokerConfig) {
        BrokerDefaults.checkBrokerCount(nodes);
        List<Integer> free = LocalPorts.free(2 * nodes);
        List<BrokerSpec.Ports> ports = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            BrokerSpec.Ports fresh = new BrokerSpec.Ports(free.get(2 * i), free.get(2 * i + 1));
            ports.add(BrokerSpec.recordedPorts(nodeDir(dataDir, i)).orElse(fresh));
        }
        String voters = IntStream.range(0, nodes)
                .mapToObj(i -> BrokerSpec.controllerVoter(i, ports.get(i).controller()))
                .collect(Collectors.joining(","));
        Map<String, String> config = BrokerDefaults.forBrokerCount(nodes);
        config.putAll(brokerConfig);
        // A directory formatted by an earlier run fixes the id for the nodes formatted now.
        String clusterId = IntStream.range(0, nodes)
                .mapToObj(i -> BrokerSpec.recordedClusterId(nodeDir(dataDir, i)))
                .flatMap(Optional::stream)
                .findFirst()
                .orElseGet(() -> Uuid.randomUuid().toString());
        List<BrokerProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                BrokerSpec spec = new BrokerSpec(i, nodeDir(dataDir, i), ports.get(i).broker(),
                        ports.get(i).controller(), voters, config);
                started.add(BrokerProcess.launch(spec, clusterId));
            }
            started.forEach(BrokerProcess::awaitReady);
        } catch (RuntimeException e) {
            for (BrokerProcess node : started) {
                try {
                    node.kill();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new BrokerCluster(started);
    }

    private static Path nodeDir(Path dataDir, int index) {
        return dataDir.resolve("node-" + index);
    }

    /** Every node's address, so clients survive the loss of any one of them. */
    @Override
    public String bootstrapServers() {
        return nodes.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    /** An Admin bootstrapped on every node, closed by {@link #close()}. */
    @Override
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        }
        return admin;
    }

    public int size() {
        return nodes.size();
    }

    /** Node {@code index} (also its node id). */
    public BrokerProcess node(int index) {
        if (index < 0 || index >= nodes.size()) {
            throw new IllegalArgumentException("node index must be between 0 and " + (nodes.size() - 1) + ": " + index);
        }
        return nodes.get(index);
    }

    /** SIGKILL node {@code index}. */
    public void kill(int index) {
        node(index).kill();
    }

    /** Graceful stop (SIGTERM) of node {@code index}. */
    public void stop(int index) {
        node(index).stop();
    }

    /** Restarts node {@code index} on its data directory and waits until it is back in the cluster. */
    public void restart(int index) {
        node(index).restart();
    }

    /**
     * Closes the Admin clients and SIGKILLs every node; the data directories stay, and a later
     * start on them recovers like after a power cut. Not a graceful stop, because the nodes of a
     * cluster that a test left without a quorum would each wait up to a minute for it.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ZERO);
                admin = null;
            }
        }
        for (BrokerProcess node : nodes) {
            try {
                node.closeAdmin(Duration.ZERO);
                node.kill();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
