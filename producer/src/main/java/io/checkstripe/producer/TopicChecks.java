package io.checkstripe.producer;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * Checks, before anything is sent, the topics a publish writes: that they exist and have the
 * layout checkstripe needs (the schemas module's {@link TopicProvisioner}: the stripes topic
 * has exactly one partition per backup server, the manifests topic is compacted), and that the
 * largest record fits the topic's {@code max.message.bytes} (a topic created with Kafka's
 * defaults takes about 1 MiB, which a 1 MiB segment plus its record overhead exceeds). Failing
 * early with the numbers beats a {@code RecordTooLargeException} after streaming part of the
 * checkpoint. The publisher does not create topics: the striper does when it starts. It also
 * notes how many partitions the stripes topic has, when the principal may see it, so that a
 * checkpoint asking for a policy with more cells per stripe than that is refused before it is sent.
 *
 * <p>On a cluster with ACLs it also checks that the principal may do to the topics it writes what a publish does,
 * as the brokers report the operations it is authorized for: Kafka reports some refusals inside a transaction
 * without their type (a missing Read on the topic of the transactional offset commit comes back as an
 * "unexpected error" of the commit), and a check up front names the missing operations instead.
 */
final class TopicChecks {

    private TopicChecks() {
    }

    /**
     * What a publish learns of the topics once.
     *
     * @param recordTopic       the topic its records are sized for: checkpoints, or stripes when striping locally
     * @param maxMessageBytes   that topic's {@code max.message.bytes}
     * @param stripesPartitions the stripes topic's partitions (N), when the principal may see them
     */
    record Facts(String recordTopic, int maxMessageBytes, OptionalInt stripesPartitions) {
    }

    /**
     * Checks the topics the configured mode writes; whether a checkpoint's records fit them is
     * {@link #checkFits}'s check, per policy.
     *
     * @throws TopicProvisioner.TopicMismatchException when a topic is missing or has the wrong layout
     * @throws TopicAuthorizationException when the principal may not do to a topic what a publish does
     * @throws KafkaUnavailableException when the cluster does not answer in time
     */
    static Facts check(Admin admin, PublisherConfig config) {
        String bootstrap = config.bootstrapServers();
        Duration timeout = config.kafkaTimeout();
        TopicNames names = config.topics().names();
        String recordTopic = config.stripeLocally() ? names.stripes() : names.checkpoints();
        Set<String> written = config.stripeLocally() ? Set.of(names.stripes(), names.manifests())
                : Set.of(names.checkpoints());
        // Only the layout of existing topics is checked, so the creation settings do not matter.
        List<TopicProvisioner.TopicSpec> specs = TopicProvisioner.specs(names, Math.max(1, config.servers()),
                TopicProvisioner.Settings.defaults()).stream().filter(spec -> written.contains(spec.name())).toList();
        try {
            new TopicProvisioner(admin, timeout).ensure(specs, false);
        } catch (TimeoutException e) {
            throw KafkaCalls.unavailable(bootstrap, "check topics " + written, timeout, e);
        }
        Map<String, Set<AclOperation>> needed = config.stripeLocally()
                ? Map.of(names.stripes(), Set.of(AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS),
                        names.manifests(), Set.of(AclOperation.WRITE, AclOperation.READ))
                : Map.of(names.checkpoints(), Set.of(AclOperation.WRITE, AclOperation.READ,
                        AclOperation.DESCRIBE_CONFIGS));
        Map<String, TopicDescription> described = KafkaCalls.get(admin.describeTopics(needed.keySet(),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames(), timeout, bootstrap,
                "describe what topics " + needed.keySet() + " allow");
        Map<String, Set<AclOperation>> authorized = new HashMap<>();
        described.forEach((topic, description) -> {
            if (description.authorizedOperations() != null) {
                authorized.put(topic, description.authorizedOperations());
            }
        });
        checkAuthorized(needed, authorized);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, recordTopic);
        Map<ConfigResource, Config> configs = KafkaCalls.get(admin.describeConfigs(List.of(resource)).all(), timeout,
                bootstrap, "describe the configuration of topic " + recordTopic);
        ConfigEntry entry = configs.get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (entry == null || entry.value() == null) {
            throw new IllegalStateException("topic " + recordTopic + " reports no " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        }
        OptionalInt stripesPartitions = config.stripeLocally() ? OptionalInt.of(config.servers())
                : partitions(admin, names.stripes(), timeout, bootstrap);
        return new Facts(recordTopic, Integer.parseInt(entry.value()), stripesPartitions);
    }

    /** The partitions of {@code topic}, or empty when it does not exist (yet) or the principal may not see it. */
    private static OptionalInt partitions(Admin admin, String topic, Duration timeout, String bootstrap) {
        try {
            return OptionalInt.of(KafkaCalls.get(admin.describeTopics(List.of(topic)).allTopicNames(), timeout,
                    bootstrap, "describe topic " + topic).get(topic).partitions().size());
        } catch (UnknownTopicOrPartitionException | TopicAuthorizationException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Checks that the principal may do what a publish does to each topic.
     *
     * @param needed     the operations a publish needs, by topic
     * @param authorized the operations the brokers authorize the principal for, by topic; a topic they did not
     *                   report is not checked
     * @throws TopicAuthorizationException naming the topic, the operations missing and those the publish needs
     */
    static void checkAuthorized(Map<String, Set<AclOperation>> needed, Map<String, Set<AclOperation>> authorized) {
        for (String topic : new TreeSet<>(needed.keySet())) {
            Set<AclOperation> may = authorized.get(topic);
            if (may == null || may.contains(AclOperation.ALL)) {
                continue;
            }
            List<AclOperation> missing = needed.get(topic).stream().filter(op -> !may.contains(op)).sorted()
                    .toList();
            if (!missing.isEmpty()) {
                throw new TopicAuthorizationException("a publish needs " + names(needed.get(topic)) + " on topic "
                        + topic + ", and the principal lacks " + names(missing), Set.of(topic));
            }
        }
    }

    private static String names(Collection<AclOperation> operations) {
        return operations.stream().sorted().map(SecurityUtils::operationName).collect(Collectors.joining(", "));
    }

    /**
     * Checks that records of segments of {@code segmentBytes} fit a topic.
     *
     * @param localPolicy the policy when the records are cells of a locally striped segment,
     *                    empty when they are whole segments
     * @throws IllegalArgumentException naming the record size, the limit, the largest segment
     *     size that fits and the topic setting that would admit the records
     */
    static void checkFits(String topic, int maxMessageBytes, int segmentBytes, Optional<RedundancyPolicy> localPolicy) {
        int payload = localPolicy.map(p -> p.cellLength(segmentBytes)).orElse(segmentBytes);
        long record = (long) payload + PublisherConfig.RECORD_OVERHEAD_BYTES;
        if (record <= maxMessageBytes) {
            return;
        }
        long room = (long) maxMessageBytes - PublisherConfig.RECORD_OVERHEAD_BYTES;
        String lower;
        if (room < 1 || localPolicy.map(RedundancyPolicy::hasFixedCellSize).orElse(false)) {
            lower = localPolicy.isPresent() ? "use a policy with smaller cells" : "no segment size fits";
        } else {
            long largest = localPolicy.map(p -> room * p.dataCells()).orElse(room);
            lower = "set " + PublisherConfig.SEGMENT_BYTES_CONFIG + " to at most " + Math.min(largest,
                    PublisherConfig.MAX_SEGMENT_BYTES);
        }
        throw new IllegalArgumentException(PublisherConfig.SEGMENT_BYTES_CONFIG + "=" + segmentBytes + " makes records "
                + "of up to " + record + " bytes" + localPolicy.map(p -> " (cells of " + payload + " bytes under " + p
                + ")").orElse("") + ", but topic " + topic + " accepts at most " + maxMessageBytes + " ("
                + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + "): " + lower + ", or raise the topic's "
                + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + " to at least " + record + " (kafka-configs.sh --alter "
                + "--entity-type topics --entity-name " + topic + " --add-config " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG
                + "=" + record + ")");
    }
}
