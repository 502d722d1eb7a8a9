package io.checkstripe.schemas;

import io.checkstripe.core.CheckstripeException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates checkstripe's topics when they are missing and checks them when they exist, so that
 * the striper, the producer and the demo start from the same topic layout:
 *
 * <table>
 *   <caption>Topics created by {@link #specs}</caption>
 *   <tr><th>topic</th><th>partitions</th><th>cleanup</th><th>max.message.bytes</th></tr>
 *   <tr><td>checkpoints</td><td>{@link Settings#checkpointsPartitions()} (default 6), any when it exists</td>
 *       <td>delete</td><td>{@link Settings#maxMessageBytes()}</td></tr>
 *   <tr><td>stripes</td><td>exactly N, one per backup server</td><td>delete</td>
 *       <td>{@link Settings#maxMessageBytes()}</td></tr>
 *   <tr><td>checkpoint-manifests</td><td>{@link Settings#manifestsPartitions()} (default 1)</td>
 *       <td>compact (required)</td><td>broker default</td></tr>
 *   <tr><td>checkpoint-acks</td><td>{@link Settings#acksPartitions()} (default 1)</td><td>delete</td>
 *       <td>broker default</td></tr>
 *   <tr><td>checkpoints-dlq</td><td>1</td><td>delete</td><td>{@link Settings#maxMessageBytes()}
 *       (it keeps rejected segments whole)</td></tr>
 * </table>
 *
 * <p>max.message.bytes defaults to 8 MiB: a 1 MiB segment, or a whole cell of it under
 * {@code MIRROR}, plus record overhead, with room for larger segment sizes. Producers writing
 * these topics need {@code max.request.size} at least as large.
 *
 * <p>An existing topic is accepted when its partition count is right where it must be exact
 * (the stripes topic: partition i is backup server i, so another count would put cells on the
 * wrong servers) and when it is compacted where it must be (the manifests topic). Otherwise
 * {@link #ensure} throws a {@link TopicMismatchException} whose message says what is wrong and
 * what to do; a CLI reports it as a usage error. A smaller max.message.bytes than wanted is only
 * logged, since an operator may have chosen it. When Kafka does not answer within the timeout
 * the call throws Kafka's {@link TimeoutException}.
 *
 * <p>Thread-safe if the {@link Admin} is (Kafka's is); it does not close the Admin.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    /** Pause between descriptions while a created topic is not yet visible. */
    private static final long METADATA_RETRY_MS = 100;

    private final Admin admin;
    private final Duration timeout;

    /**
     * Partition counts, replication factor and message size of created topics.
     *
     * @param checkpointsPartitions partitions of the checkpoints topic (the striper's parallelism)
     * @param manifestsPartitions   partitions of the manifests topic
     * @param acksPartitions        partitions of the acks topic
     * @param replicationFactor     replication factor, or -1 for the broker's default
     * @param maxMessageBytes       max.message.bytes of the checkpoints, stripes and dead-letter topics
     */
    public record Settings(int checkpointsPartitions, int manifestsPartitions, int acksPartitions,
                           short replicationFactor, int maxMessageBytes) {

        public static final int DEFAULT_CHECKPOINTS_PARTITIONS = 6;
        public static final int DEFAULT_MANIFESTS_PARTITIONS = 1;
        public static final int DEFAULT_ACKS_PARTITIONS = 1;
        public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 << 20;

        /** @throws IllegalArgumentException naming the value out of range */
        public Settings {
            if (checkpointsPartitions < 1 || manifestsPartitions < 1 || acksPartitions < 1) {
                throw new IllegalArgumentException("partition counts must be at least 1, got checkpoints "
                        + checkpointsPartitions + ", manifests " + manifestsPartitions + ", acks " + acksPartitions);
            }
            if (replicationFactor != -1 && replicationFactor < 1) {
                throw new IllegalArgumentException("replication factor must be -1 (broker default) or at least 1, got "
                        + replicationFactor);
            }
            if (maxMessageBytes < 1024) {
                throw new IllegalArgumentException("max.message.bytes must be at least 1024, got " + maxMessageBytes);
            }
        }

        /** The defaults with replication factor 1, for one broker. */
        public static Settings defaults() {
            return new Settings(DEFAULT_CHECKPOINTS_PARTITIONS, DEFAULT_MANIFESTS_PARTITIONS, DEFAULT_ACKS_PARTITIONS,
                    (short) 1, DEFAULT_MAX_MESSAGE_BYTES);
        }
    }

    /**
     * One topic as checkstripe wants it.
     *
     * @param name              the topic name
     * @param partitions        partitions when created
     * @param exactPartitions   whether an existing topic must have exactly {@code partitions}
     * @param replicationFactor replication factor when created, -1 for the broker's default
     * @param configs           topic configs when created; a {@code cleanup.policy} here is also
     *                          required of an existing topic
     */
    public record TopicSpec(String name, int partitions, boolean exactPartitions, short replicationFactor,
                            Map<String, String> configs) {

        /** @throws IllegalArgumentException naming the value out of range */
        public TopicSpec {
            if (name == null || name.isEmpty() || partitions < 1 || (replicationFactor != -1 && replicationFactor < 1)) {
                throw new IllegalArgumentException("bad topic spec: name " + name + ", partitions " + partitions
                        + ", replication factor " + replicationFactor);
            }
            configs = Map.copyOf(configs);
        }
    }

    /** An existing topic that checkstripe cannot use as it is; the message says why and what to do. */
    public static final class TopicMismatchException extends CheckstripeException {

        private static final long serialVersionUID = 1L;

        private final String topic;

        /**
         * @param topic   the topic
         * @param message what is wrong and what to do
         */
        public TopicMismatchException(String topic, String message) {
            super(message);
            this.topic = topic;
        }

        /** The topic that does not fit. */
        public String topic() {
            return topic;
        }
    }

    /**
     * @param admin   the Admin client to use (not closed here)
     * @param timeout how long each Admin call may take before Kafka counts as unreachable
     */
    public TopicProvisioner(Admin admin, Duration timeout) {
        if (admin == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("need an Admin client and a positive timeout, got " + admin + " and "
                    + timeout);
        }
        this.admin = admin;
        this.timeout = timeout;
    }

    /** The five checkstripe topics for N backup servers, as the class comment lists them. */
    public static List<TopicSpec> specs(TopicNames names, int servers, Settings settings) {
        if (servers < 1) {
            throw new IllegalArgumentException("servers must be at least 1, got " + servers);
        }
        String maxBytes = Integer.toString(settings.maxMessageBytes());
        Map<String, String> bulk = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        short rf = settings.replicationFactor();
        return List.of(
                new TopicSpec(names.checkpoints(), settings.checkpointsPartitions(), false, rf, bulk),
                new TopicSpec(names.stripes(), servers, true, rf, bulk),
                new TopicSpec(names.manifests(), settings.manifestsPartitions(), false, rf,
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new TopicSpec(names.acks(), settings.acksPartitions(), false, rf,
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)),
                new TopicSpec(names.deadLetters(), 1, false, rf, bulk));
    }

    /**
     * Creates the missing topics (when {@code create}) and checks the existing ones.
     *
     * @return the names of the topics created
     * @throws TopicMismatchException when an existing topic does not fit, or one is missing and
     *     {@code create} is false
     * @throws TimeoutException when Kafka does not answer in time
     */
    public List<String> ensure(List<TopicSpec> specs, boolean create) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        specs.forEach(spec -> byName.put(spec.name(), spec));
        Map<String, TopicDescription> existing = describe(byName.keySet());
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec spec : byName.values()) {
            if (!existing.containsKey(spec.name())) {
                if (!create) {
                    throw new TopicMismatchException(spec.name(), "topic " + spec.name() + " does not exist and "
                            + "topic creation is off; create it with " + spec.partitions() + " partition(s) and "
                            + spec.configs() + ", or allow creation");
                }
                missing.add(newTopic(spec));
            }
        }
        List<String> created = new ArrayList<>();
        for (NewTopic topic : missing) {
            try {
                await(admin.createTopics(List.of(topic)).all(), "create topic " + topic.name());
                created.add(topic.name());
                log.info("created topic {} with {} partition(s) and configs {}", topic.name(), topic.numPartitions(),
                        topic.configs());
            } catch (TopicExistsException e) {
                log.info("topic {} was created concurrently by another process; checking it", topic.name());
            }
        }
        Map<String, TopicDescription> all = describeAll(byName.keySet());
        for (TopicSpec spec : byName.values()) {
            if (!created.contains(spec.name())) {
                check(spec, all.get(spec.name()));
            }
        }
        return created;
    }

    /**
     * Describes topics that exist, waiting (within the timeout) until every one is visible: a
     * topic just created, here or by another process, reaches the broker's metadata cache a
     * moment after the controller accepted it.
     */
    private Map<String, TopicDescription> describeAll(Set<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TopicDescription> found = describe(names);
        while (found.size() < names.size() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(METADATA_RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException("interrupted while waiting for topics " + names, e);
            }
            found = describe(names);
        }
        return found;
    }

    private static NewTopic newTopic(TopicSpec spec) {
        Optional<Short> rf = spec.replicationFactor() == -1 ? Optional.empty() : Optional.of(spec.replicationFactor());
        return new NewTopic(spec.name(), Optional.of(spec.partitions()), rf).configs(spec.configs());
    }

    private void check(TopicSpec spec, TopicDescription description) {
        if (description == null) {
            throw new TopicMismatchException(spec.name(), "topic " + spec.name() + " was created but is still not "
                    + "visible after " + timeout.toMillis() + " ms, or was deleted meanwhile; try again");
        }
        int partitions = description.partitions().size();
        if (spec.exactPartitions() && partitions != spec.partitions()) {
            throw new TopicMismatchException(spec.name(), "topic " + spec.name() + " has " + partitions
                    + " partition(s) but needs exactly " + spec.partitions() + ", one per backup server: use as many "
                    + "servers as it has partitions, another topic name, or delete the topic so that it is "
                    + "recreated");
        }
        String wantedCleanup = spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
        String wantedMaxBytes = spec.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (wantedCleanup == null && wantedMaxBytes == null) {
            return;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config config = await(admin.describeConfigs(List.of(resource)).all(), "describe configs of " + spec.name())
                .get(resource);
        String cleanup = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
        if (wantedCleanup != null && !Set.of(cleanup.split(",")).contains(wantedCleanup)) {
            throw new TopicMismatchException(spec.name(), "topic " + spec.name() + " has cleanup.policy=" + cleanup
                    + " but needs " + wantedCleanup + "; change it with kafka-configs --alter --add-config "
                    + "cleanup.policy=" + wantedCleanup + " or use another topic name");
        }
        String maxBytes = value(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (wantedMaxBytes != null && !maxBytes.isEmpty()
                && Long.parseLong(maxBytes) < Long.parseLong(wantedMaxBytes)) {
            log.warn("topic {} has max.message.bytes={}, less than the {} checkstripe would give it; segments or "
                    + "cells larger than that will be refused by the broker", spec.name(), maxBytes, wantedMaxBytes);
        }
    }

    private static String value(Config config, String key) {
        ConfigEntry entry = config == null ? null : config.get(key);
        return entry == null || entry.value() == null ? "" : entry.value();
    }

    private Map<String, TopicDescription> describe(Set<String> names) {
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        admin.describeTopics(names).topicNameValues().forEach((name, future) -> {
            try {
                found.put(name, await(future, "describe topic " + name));
            } catch (UnknownTopicOrPartitionException e) {
                // Missing: the caller creates it or reports it.
            }
        });
        return found;
    }

    /** Waits for an Admin future; a Kafka error comes out as itself, a wait beyond the timeout as a TimeoutException. */
    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("interrupted while waiting to " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("Kafka did not answer within " + timeout.toMillis() + " ms to " + what, e);
        }
    }
}
