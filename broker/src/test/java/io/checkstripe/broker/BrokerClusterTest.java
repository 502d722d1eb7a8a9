package io.checkstripe.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BrokerClusterTest {

    private static final String TOPIC = "replicated";
    private static final int RECORDS = 200;

    @TempDir
    Path dataDir;

    @Test
    void acksAllSurvivesSigkillOfOneOfThreeBrokersDuringAPublish() throws Exception {
        try (BrokerCluster cluster = BrokerCluster.start(dataDir, 3, Map.of("min.insync.replicas", "2"))) {
            cluster.createTopic(TOPIC, 3, 3);
            List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "value-" + i).toList();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(cluster.producerProps(), new StringSerializer(), new StringSerializer())) {
                for (String value : values.subList(0, RECORDS / 2)) {
                    producer.send(new ProducerRecord<>(TOPIC, value, value)).get();
                }
                for (String value : values.subList(RECORDS / 2, RECORDS)) {
                    acks.add(producer.send(new ProducerRecord<>(TOPIC, value, value)));
                }
                long killedPid = cluster.node(1).pid();
                cluster.kill(1);
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(120, TimeUnit.SECONDS);
                }
                assertThat(cluster.node(1).isRunning()).isFalse();
                assertThat(ProcessHandle.of(killedPid).filter(ProcessHandle::isAlive)).isEmpty();
            }
            assertThat(Records.readValues(cluster.consumerProps("while-down"), TOPIC, RECORDS))
                    .containsExactlyInAnyOrderElementsOf(values);

            cluster.restart(1);
            cluster.awaitReplicasInSync(List.of(TOPIC));
            // With node 1 back in every ISR, losing another node still leaves min.insync.replicas.
            cluster.kill(2);
            assertThat(Records.readValues(cluster.consumerProps("after-restart"), TOPIC, RECORDS))
                    .containsExactlyInAnyOrderElementsOf(values);
        }
    }
}
