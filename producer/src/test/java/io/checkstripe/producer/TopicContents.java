package io.checkstripe.producer;

import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** Test helpers: topics created as the striper creates them, and a topic's whole content read back. */
final class TopicContents {

    private TopicContents() {
    }

    /** Creates checkstripe's five topics for {@code servers} backup servers, as the striper would. */
    static void createTopics(KafkaBrokers kafka, TopicNames names, int servers) {
        new TopicProvisioner(kafka.admin(), Duration.ofSeconds(30))
                .ensure(TopicProvisioner.specs(names, servers, TopicProvisioner.Settings.defaults()), true);
    }

    /** Every record of {@code topic} a {@code read_committed} reader sees, partition by partition, in offset order. */
    static List<ConsumerRecord<String, byte[]>> committed(KafkaBrokers kafka, String topic) {
        return read(kafka, topic, "read_committed");
    }

    /** Every record of {@code topic}, aborted ones included. */
    static List<ConsumerRecord<String, byte[]>> uncommitted(KafkaBrokers kafka, String topic) {
        return read(kafka, topic, "read_uncommitted");
    }

    private static List<ConsumerRecord<String, byte[]>> read(KafkaBrokers kafka, String topic, String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Awaitility.await("read " + topic + " to " + ends)
                    .atMost(Duration.ofSeconds(60))
                    .pollInSameThread()
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    });
        }
        records.sort(Comparator.<ConsumerRecord<String, byte[]>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return records;
    }
}
