package io.checkstripe.testkit;

import io.checkstripe.broker.BrokerCluster;
import io.checkstripe.broker.BrokerDefaults;
import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.broker.KafkaFutures;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft cluster inside this JVM, built with Kafka's own {@link KafkaClusterTestKit}:
 * real brokers, real replication, real transactions, started in seconds and without a child
 * process. Nodes are combined broker+controller with a single-voter quorum on node 0, listeners
 * on free localhost ports, data in a temporary directory deleted on {@link #close()}.
 *
 * <p>Limits: all brokers share this JVM, so a broker "crash" here is a clean
 * {@link #shutdownBroker(int) shutdown}, never a SIGKILL; tests that need a real process death
 * use {@link BrokerProcess} or {@link BrokerCluster}. Node 0 also hosts the controller, so shutting
 * its broker down leaves the cluster's metadata quorum running.
 *
 * <p>Thread-safe once started. Most tests use it through {@link KafkaClusterExtension}.
 */
public final class EmbeddedKafkaCluster implements KafkaBrokers, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration BROKER_WAIT = Duration.ofSeconds(60);

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    /** Starts {@code brokers} brokers with the test defaults and waits until all are ready. */
    public static EmbeddedKafkaCluster start(int brokers) {
        return start(brokers, Map.of());
    }

    /**
     * Starts {@code brokers} brokers (1 to 9) and waits until all are ready. {@code brokerConfig}
     * is applied to every broker over the test defaults (internal topics replicated to
     * min(3, brokers), min ISR min(2, brokers), no initial rebalance delay).
     */
    public static EmbeddedKafkaCluster start(int brokers, Map<String, String> brokerConfig) {
        BrokerDefaults.checkBrokerCount(brokers);
        long startNanos = System.nanoTime();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(1)
                .setBootstrapMetadata(productionBootstrapMetadata())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        BrokerDefaults.forBrokerCount(brokers).forEach(builder::setConfigProp);
        brokerConfig.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = null;
        try {
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafkaCluster started = new EmbeddedKafkaCluster(cluster);
            log.info("in-JVM Kafka cluster of {} broker(s) at {} started in {} ms", brokers,
                    cluster.bootstrapServers(), (System.nanoTime() - startNanos) / 1_000_000);
            return started;
        } catch (Exception e) {
            closeQuietly(cluster, e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start an in-JVM Kafka cluster of " + brokers + " broker(s)", e);
        }
    }

    /**
     * The metadata version and feature levels {@code kafka-storage format} gives a production
     * broker of this Kafka release (for instance transaction.version 2). The test kit would
     * otherwise bootstrap the newest, unstable metadata version.
     */
    private static BootstrapMetadata productionBootstrapMetadata() {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> levels = new TreeMap<>();
        Feature.PRODUCTION_FEATURES.forEach(feature -> levels.put(feature.featureName(), feature.defaultLevel(version)));
        levels.put(MetadataVersion.FEATURE_NAME, version.featureLevel());
        return BootstrapMetadata.fromVersions(version, levels, "checkstripe testkit");
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public Admin admin() {
        return admin;
    }

    /** The broker node ids, 0 to brokers − 1. */
    public Set<Integer> brokerIds() {
        return new TreeSet<>(cluster.brokers().keySet());
    }

    /** Controlled shutdown of one broker; its partitions move to the others. */
    public void shutdownBroker(int brokerId) {
        broker(brokerId).shutdown();
        log.info("in-JVM broker {} shut down", brokerId);
    }

    /**
     * Starts a broker shut down by {@link #shutdownBroker(int)} and waits until the cluster
     * lists it again (it is unfenced, so it has caught up with the metadata).
     */
    public void startBroker(int brokerId) {
        broker(brokerId).startup();
        Awaitility.await("broker " + brokerId + " back in the cluster")
                .atMost(BROKER_WAIT)
                .ignoreExceptions()
                .until(() -> KafkaFutures.get(admin.describeCluster().nodes(), BROKER_WAIT, "describe cluster")
                        .stream().anyMatch(node -> node.id() == brokerId));
        log.info("in-JVM broker {} restarted", brokerId);
    }

    /** Closes the Admin client, stops every node and deletes the data directories. */
    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot close the in-JVM Kafka cluster", e);
        }
    }

    private BrokerServer broker(int brokerId) {
        BrokerServer broker = cluster.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + brokerId + "; brokers are " + brokerIds());
        }
        return broker;
    }

    private static void closeQuietly(KafkaClusterTestKit cluster, Exception cause) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
