package io.checkstripe.testkit;

import io.checkstripe.broker.Records;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedThreeBrokerTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(3)
            .brokerConfig("min.insync.replicas", "2");

    @Test
    void keepsAcceptingAcksAllWithOneBrokerShutDown() throws Exception {
        assertThat(KAFKA.brokerIds()).containsExactly(0, 1, 2);
        KAFKA.createTopic("replicated", 3, 3);
        List<String> values = IntStream.range(0, 60).mapToObj(i -> "value-" + i).toList();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(KAFKA.producerProps(), new StringSerializer(), new StringSerializer())) {
            for (String value : values.subList(0, 30)) {
                producer.send(new ProducerRecord<>("replicated", value, value)).get();
            }
            KAFKA.shutdownBroker(2);
            for (String value : values.subList(30, 60)) {
                producer.send(new ProducerRecord<>("replicated", value, value)).get();
            }
        }
        assertThat(Records.readValues(KAFKA.consumerProps("three"), "replicated", 60))
                .containsExactlyInAnyOrderElementsOf(values);

        KAFKA.startBroker(2);
        KAFKA.awaitReplicasInSync(List.of("replicated"));
        assertThat(KAFKA.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
    }
}
