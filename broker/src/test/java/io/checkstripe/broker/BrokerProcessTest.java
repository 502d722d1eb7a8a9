package io.checkstripe.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrokerProcessTest {

    @TempDir
    Path dataDir;

    @Test
    void committedAndAcknowledgedRecordsSurviveSigkillRestartAndReopen() throws Exception {
        List<String> expected = new ArrayList<>();
        String firstAddress;
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            firstAddress = broker.bootstrapServers();
            broker.createTopic("durable", 2, 1);
            expected.addAll(produce(broker, "before-kill", 100));
            expected.add(produceInTransactions(broker));
            assertThat(Records.readValues(broker.consumerProps("reader-1"), "durable", 101))
                    .containsExactlyInAnyOrderElementsOf(expected);

            long killedPid = broker.pid();
            broker.kill();
            assertThat(broker.isRunning()).isFalse();

            broker.restart();
            assertThat(broker.pid()).isNotEqualTo(killedPid);
            assertThat(broker.bootstrapServers()).isEqualTo(firstAddress);
            expected.addAll(produce(broker, "after-restart", 10));
            assertThat(Records.readValues(broker.consumerProps("reader-2"), "durable", 111))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }

        // A new start on the same directory finds the recorded port and the data, without reformatting.
        try (BrokerProcess reopened = BrokerProcess.start(dataDir)) {
            assertThat(reopened.bootstrapServers()).isEqualTo(firstAddress);
            assertThat(Records.readValues(reopened.consumerProps("reader-3"), "durable", 111))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(dataDir.resolve("broker.log")).isNotEmptyFile();
    }

    /** Aborts one transaction and commits another; returns the committed value. */
    private static String produceInTransactions(KafkaBrokers brokers) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                brokers.transactionalProducerProps("process-tx"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("durable", "tx", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("durable", "tx", "committed"));
            producer.commitTransaction();
        }
        return "committed";
    }

    private static List<String> produce(KafkaBrokers brokers, String prefix, int count) throws Exception {
        List<String> values = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(brokers.producerProps(), new StringSerializer(), new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>("durable", value, value)).get();
            }
        }
        return values;
    }
}
