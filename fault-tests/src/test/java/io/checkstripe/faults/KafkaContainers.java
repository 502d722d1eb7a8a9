package io.checkstripe.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.broker.KafkaFutures;
import io.checkstripe.broker.LocalPorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka cluster of broker containers, as the compose file runs it: the real Apache Kafka broker of the
 * checkstripe image ({@code kafka-broker}), KRaft with every node broker and controller, replication factor 3 and
 * {@code min.insync.replicas} 2 by default. Containers reach broker {@code i} at {@code kafka-i:9092} on the
 * scenario's network; this host reaches it at {@code 127.0.0.1:P}, a port published for its external listener
 * (fixed when the container is created, so that the advertised address stays true across restarts).
 */
final class KafkaContainers implements KafkaBrokers, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaContainers.class);
    private static final String CLUSTER_ID = "Y2hlY2tzdHJpcGUtdGVzdHM";
    private static final Duration START = Duration.ofMinutes(3);

    private final List<GenericContainer<?>> brokers;
    private final List<Containers.Output> outputs;
    private final List<Integer> ports;
    private final Admin admin;

    private KafkaContainers(List<GenericContainer<?>> brokers, List<Containers.Output> outputs, List<Integer> ports) {
        this.brokers = brokers;
        this.outputs = outputs;
        this.ports = ports;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Starts {@code count} brokers of {@code image} on {@code network} and waits until all are in the cluster. */
    static KafkaContainers start(String image, Network network, int count, Path logDir) {
        List<Integer> ports = LocalPorts.free(count);
        String voters = IntStream.rangeClosed(1, count).mapToObj(i -> i + "@kafka-" + i + ":9093")
                .collect(Collectors.joining(","));
        List<GenericContainer<?>> brokers = new ArrayList<>();
        List<Containers.Output> outputs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            outputs.add(new Containers.Output(logDir.resolve("kafka-" + i + ".log")));
            brokers.add(broker(image, network, i, ports.get(i - 1), voters, outputs.get(i - 1)));
        }
        KafkaContainers cluster = null;
        try {
            Startables.deepStart(brokers).join();
            cluster = new KafkaContainers(brokers, outputs, ports);
            cluster.awaitBrokers(IntStream.rangeClosed(1, count).boxed().collect(Collectors.toSet()));
            log.info("{} broker containers up at {}", count, cluster.bootstrapServers());
            return cluster;
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            } else {
                brokers.forEach(GenericContainer::stop);
            }
            throw e;
        }
    }

    private static GenericContainer<?> broker(String image, Network network, int id, int hostPort, String voters,
                                              Containers.Output output) {
        String name = "kafka-" + id;
        Map<String, String> env = new TreeMap<>();
        env.put("CLUSTER_ID", CLUSTER_ID);
        env.put("KAFKA_HEAP_OPTS", "-Xmx384m -Xms128m");
        env.put("KAFKA_NODE_ID", Integer.toString(id));
        env.put("KAFKA_PROCESS_ROLES", "broker,controller");
        env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", voters);
        env.put("KAFKA_LISTENERS", "INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,EXTERNAL://0.0.0.0:" + hostPort);
        env.put("KAFKA_ADVERTISED_LISTENERS", "INTERNAL://" + name + ":9092,EXTERNAL://" + LocalPorts.HOST + ":"
                + hostPort);
        env.put("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT");
        env.put("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL");
        env.put("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
        env.put("KAFKA_DEFAULT_REPLICATION_FACTOR", "3");
        env.put("KAFKA_MIN_INSYNC_REPLICAS", "2");
        env.put("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3");
        env.put("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3");
        env.put("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
        env.put("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        env.put("KAFKA_BROKER_SESSION_TIMEOUT_MS", "6000");
        ExposedPort external = ExposedPort.tcp(hostPort);
        return new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .withNetworkAliases(name)
                .withEnv(env)
                .withLogConsumer(output)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withEntrypoint("/opt/checkstripe/bin/kafka-broker").withHostName(name)
                            .withExposedPorts(external);
                    cmd.getHostConfig().withMemory(1L << 30)
                            .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort(LocalPorts.HOST, hostPort),
                                    external));
                });
    }

    @Override
    public String bootstrapServers() {
        return ports.stream().map(p -> LocalPorts.HOST + ":" + p).collect(Collectors.joining(","));
    }

    /** The bootstrap servers for containers on the scenario's network. */
    String internalBootstrapServers() {
        return IntStream.rangeClosed(1, brokers.size()).mapToObj(i -> "kafka-" + i + ":9092")
                .collect(Collectors.joining(","));
    }

    @Override
    public Admin admin() {
        return admin;
    }

    /** Number of brokers. */
    int size() {
        return brokers.size();
    }

    /** {@code docker kill} of broker {@code id} (1-based): the container stays, with its log directory. */
    void kill(int id) {
        Containers.kill(brokers.get(id - 1));
        log.info("killed broker container kafka-{}", id);
    }

    /** Starts the killed broker's container again and waits until the cluster has it back. */
    void restart(int id) {
        Containers.restart(brokers.get(id - 1), outputs.get(id - 1));
        awaitBrokers(Set.of(id));
        log.info("broker container kafka-{} back", id);
    }

    /** Starts again every broker container that is not running (one a failed scenario left killed). */
    void restartStopped() {
        for (int id = 1; id <= brokers.size(); id++) {
            if (!Containers.running(brokers.get(id - 1))) {
                restart(id);
            }
        }
    }

    private void awaitBrokers(Set<Integer> ids) {
        Awaitility.await("brokers " + ids + " in the cluster").atMost(START).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> KafkaFutures.get(admin.describeCluster().nodes(), Duration.ofSeconds(10), "describe cluster")
                        .stream().map(Node::id).collect(Collectors.toSet()).containsAll(ids));
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        brokers.forEach(GenericContainer::stop);
    }
}
