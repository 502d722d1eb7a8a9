package io.checkstripe.broker;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Running Kafka brokers a test (or the CLI) can talk to, whatever runs them: the test kit's in-JVM
 * cluster, one broker process
 * ({@link BrokerProcess}) or several ({@link BrokerCluster}). The default methods hold the
 * client settings every checkstripe test wants, so they are written once.
 *
 * <p>Implementations are safe to call from several threads once started.
 */
public interface KafkaBrokers {

    /** How long {@link #createTopic} and {@link #awaitReplicasInSync} wait before failing. */
    Duration ADMIN_WAIT = Duration.ofSeconds(60);

    /** How often those waits ask the cluster again. */
    Duration POLL = Duration.ofMillis(100);

    /** The {@code bootstrap.servers} value for clients, {@code host:port[,host:port...]}. */
    String bootstrapServers();

    /** An Admin client owned by these brokers: do not close it, it is closed with them. */
    Admin admin();

    /** Creates a topic and waits until every partition has a leader. */
    default void createTopic(String name, int partitions, int replicationFactor) {
        createTopic(name, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates a topic with topic-level configs (for example {@code cleanup.policy=compact}) and
     * waits until every partition has a leader, so a producer's first send does not race the
     * metadata propagation.
     */
    default void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1: " + replicationFactor);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) replicationFactor).configs(configs);
        KafkaFutures.get(admin().createTopics(List.of(topic)).all(), ADMIN_WAIT, "create topic " + name);
        Waits.until("leaders of " + name, ADMIN_WAIT, POLL, true, () -> describe(Set.of(name)).get(name).partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    }

    /**
     * Waits until every partition of the given topics has its full replica set in sync, for
     * instance after a broker restart, before a test kills the next one.
     */
    default void awaitReplicasInSync(Collection<String> topics) {
        Waits.until("replicas in sync for " + topics, ADMIN_WAIT, POLL, true, () -> describe(topics).values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(KafkaBrokers::fullyInSync));
    }

    /**
     * Producer settings: bootstrap servers, {@code acks=all}, idempotence on. Serializers are
     * left to the caller's constructor. A new mutable map on every call.
     */
    default Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    /** {@link #producerProps()} plus a {@code transactional.id}. */
    default Map<String, Object> transactionalProducerProps(String transactionalId) {
        Map<String, Object> props = producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return props;
    }

    /**
     * Consumer settings: bootstrap servers, the group, {@code auto.offset.reset=earliest},
     * {@code isolation.level=read_committed} (every checkstripe reader reads committed data only)
     * and auto-commit off. A new mutable map on every call.
     */
    default Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private Map<String, TopicDescription> describe(Collection<String> topics) {
        return KafkaFutures.get(admin().describeTopics(topics).allTopicNames(), ADMIN_WAIT,
                "describe topics " + topics);
    }

    private static boolean fullyInSync(TopicPartitionInfo partition) {
        Set<Integer> replicas = partition.replicas().stream().map(n -> n.id()).collect(Collectors.toSet());
        Set<Integer> isr = partition.isr().stream().map(n -> n.id()).collect(Collectors.toSet());
        return isr.equals(replicas);
    }
}
