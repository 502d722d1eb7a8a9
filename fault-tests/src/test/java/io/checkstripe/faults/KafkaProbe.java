package io.checkstripe.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.checkstripe.broker.KafkaBrokers;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;

/** Looks at topics from outside the pipeline: end offsets, whole committed contents, a group's lag. */
final class KafkaProbe {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final KafkaBrokers kafka;

    KafkaProbe(KafkaBrokers kafka) {
        this.kafka = kafka;
    }

    /** End offset of every partition of {@code topic}: the high watermark, or with read_committed the LSO. */
    Map<TopicPartition, Long> endOffsets(String topic, IsolationLevel isolation) {
        try {
            int partitions = kafka.admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            kafka.admin().listOffsets(request, new ListOffsetsOptions(isolation)).all()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the end offsets of " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Records written to {@code topic}, committed or not (sum of high watermarks). */
    long written(String topic) {
        return endOffsets(topic, IsolationLevel.READ_UNCOMMITTED).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every committed record of {@code topic}, read with read_committed up to each partition's LSO. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Map<TopicPartition, Long> ends = endOffsets(topic, IsolationLevel.READ_COMMITTED);
        Map<String, Object> props = kafka.consumerProps("fault-probe");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            Awaitility.await("read " + topic + " up to " + ends).atMost(WAIT).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    });
        }
        return records;
    }

    /** Records of {@code topic} that consumer group {@code group} has not committed yet (its lag). */
    long lag(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            long lag = 0;
            for (var e : endOffsets(topic, IsolationLevel.READ_COMMITTED).entrySet()) {
                OffsetAndMetadata at = committed.get(e.getKey());
                lag += e.getValue() - (at == null ? 0 : at.offset());
            }
            return lag;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
