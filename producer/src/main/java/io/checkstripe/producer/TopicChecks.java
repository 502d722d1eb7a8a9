package io.checkstripe.producer;

import io.checkstripe.codec.RedundancyPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before anything is sent, that the topics a publish writes exist, that the stripes
 * topic has a partition per backup server, and that the largest record fits the topic's
 * {@code max.message.bytes} (a topic created with Kafka's defaults takes about 1 MiB, which a
 * 1 MiB segment plus its record overhead exceeds): failing early with the numbers beats
 * failing with a {@code RecordTooLargeException} after streaming part of the checkpoint.
 */
final class TopicChecks {

    private TopicChecks() {
    }

    /**
     * Checks the topics the configured mode writes.
     *
     * @throws IllegalStateException     when a topic is missing or has too few partitions
     * @throws IllegalArgumentException  when the segment size makes records the topic refuses
     * @throws KafkaUnavailableException when the cluster does not answer in time
     */
    static void check(Admin admin, PublisherConfig config) {
        String bootstrap = config.bootstrapServers();
        Duration timeout = config.kafkaTimeout();
        String recordTopic = config.stripeLocally() ? config.topics().names().stripes()
                : config.topics().names().checkpoints();
        List<String> needed = config.stripeLocally() ? List.of(recordTopic, config.topics().names().manifests())
                : List.of(recordTopic);
        for (String topic : needed) {
            TopicDescription description = describe(admin, topic, timeout, bootstrap);
            if (config.stripeLocally() && topic.equals(recordTopic) && description.partitions().size() < config.servers()) {
                throw new IllegalStateException("topic " + topic + " has " + description.partitions().size()
                        + " partitions but " + PublisherConfig.SERVERS_CONFIG + " is " + config.servers()
                        + ": the stripes topic needs one partition per backup server");
            }
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, recordTopic);
        Map<ConfigResource, Config> configs = KafkaCalls.get(admin.describeConfigs(List.of(resource)).all(), timeout,
                bootstrap, "describe the configuration of topic " + recordTopic);
        ConfigEntry entry = configs.get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (entry == null || entry.value() == null) {
            throw new IllegalStateException("topic " + recordTopic + " reports no " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        }
        checkFits(recordTopic, Integer.parseInt(entry.value()), config.segmentBytes(),
                config.stripeLocally() ? config.policy() : Optional.empty());
    }

    private static TopicDescription describe(Admin admin, String topic, Duration timeout, String bootstrap) {
        try {
            return KafkaCalls.get(admin.describeTopics(List.of(topic)).topicNameValues().get(topic), timeout, bootstrap,
                    "describe topic " + topic);
        } catch (UnknownTopicOrPartitionException e) {
            throw new IllegalStateException("topic " + topic + " does not exist; create checkstripe's topics first "
                    + "(the striper creates them when it starts)", e);
        }
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
