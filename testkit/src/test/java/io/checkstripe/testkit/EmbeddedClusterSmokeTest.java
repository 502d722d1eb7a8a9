package io.checkstripe.testkit;

import io.checkstripe.broker.KafkaFutures;
import io.checkstripe.broker.Records;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedClusterSmokeTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    @Test
    void producesAndConsumes() throws Exception {
        KAFKA.createTopic("plain", 2, 1);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(KAFKA.producerProps(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("plain", "k" + i, "v" + i)).get();
            }
        }
        assertThat(Records.readValues(KAFKA.consumerProps("plain-reader"), "plain", 10))
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() throws Exception {
        KAFKA.createTopic("tx", 1, 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                KAFKA.transactionalProducerProps("smoke-tx"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "committed-1"));
            producer.send(new ProducerRecord<>("tx", "a", "committed-2"));
            producer.commitTransaction();
        }
        assertThat(Records.readValues(KAFKA.consumerProps("tx-reader"), "tx", 2))
                .containsExactly("committed-1", "committed-2");
    }

    @Test
    void createsTopicsWithConfigs() {
        KAFKA.createTopic("compacted", 3, 1, Map.of("cleanup.policy", "compact"));
        TopicDescription description = KafkaFutures.get(
                KAFKA.admin().describeTopics(List.of("compacted")).allTopicNames(), Duration.ofSeconds(10), "describe")
                .get("compacted");
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
        String policy = KafkaFutures.get(KAFKA.admin().describeConfigs(List.of(resource)).all(),
                Duration.ofSeconds(10), "describe configs").get(resource).get("cleanup.policy").value();
        assertThat(description.partitions()).hasSize(3);
        assertThat(policy).isEqualTo("compact");
        assertThat(KAFKA.brokerIds()).containsExactly(0);
    }
}
