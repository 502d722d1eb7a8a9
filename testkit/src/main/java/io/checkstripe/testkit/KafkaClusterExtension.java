package io.checkstripe.testkit;

import io.checkstripe.broker.BrokerDefaults;
import io.checkstripe.broker.KafkaBrokers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class one real in-JVM KRaft cluster
 * ({@link EmbeddedKafkaCluster}), started before the first test and closed after the last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(3)
 *         .brokerConfig("min.insync.replicas", "2");
 * }</pre>
 *
 * <p>Register it on a {@code static} field: a class-wide cluster is the point, and JUnit calls
 * {@code beforeAll} only for static registrations. {@code @Nested} classes share the outer
 * class's cluster. Tests share the cluster, so each should use its own topic and group names.
 *
 * <p>Configuration methods return a new extension; the started one is safe to use from
 * several threads.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, KafkaBrokers {

    private final int brokers;
    private final Map<String, String> brokerConfig;
    private volatile EmbeddedKafkaCluster cluster;
    private volatile String ownerId;

    private KafkaClusterExtension(int brokers, Map<String, String> brokerConfig) {
        this.brokers = BrokerDefaults.checkBrokerCount(brokers);
        this.brokerConfig = Map.copyOf(brokerConfig);
    }

    /** A cluster of {@code brokers} brokers (1 or 3 are the usual choices). */
    public static KafkaClusterExtension withBrokers(int brokers) {
        return new KafkaClusterExtension(brokers, Map.of());
    }

    /** A copy of this extension with one more broker setting, applied to every broker. */
    public KafkaClusterExtension brokerConfig(String key, String value) {
        Map<String, String> config = new LinkedHashMap<>(brokerConfig);
        config.put(key, value);
        return new KafkaClusterExtension(brokers, config);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (cluster == null) {
            cluster = EmbeddedKafkaCluster.start(brokers, brokerConfig);
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null && context.getUniqueId().equals(ownerId)) {
            try {
                cluster.close();
            } finally {
                cluster = null;
                ownerId = null;
            }
        }
    }

    /** The running cluster. */
    public EmbeddedKafkaCluster cluster() {
        EmbeddedKafkaCluster running = cluster;
        if (running == null) {
            throw new IllegalStateException("the Kafka cluster is not running: register KafkaClusterExtension "
                    + "on a static field with @RegisterExtension and use it inside tests");
        }
        return running;
    }

    @Override
    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    @Override
    public Admin admin() {
        return cluster().admin();
    }

    /** See {@link EmbeddedKafkaCluster#brokerIds()}. */
    public Set<Integer> brokerIds() {
        return cluster().brokerIds();
    }

    /** See {@link EmbeddedKafkaCluster#shutdownBroker(int)}. */
    public void shutdownBroker(int brokerId) {
        cluster().shutdownBroker(brokerId);
    }

    /** See {@link EmbeddedKafkaCluster#startBroker(int)}. */
    public void startBroker(int brokerId) {
        cluster().startBroker(brokerId);
    }
}
