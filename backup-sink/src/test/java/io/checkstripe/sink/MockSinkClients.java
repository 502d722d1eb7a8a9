package io.checkstripe.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link SinkClientSupplier} handing a {@link BackupSink} Kafka's mock clients, so that its loop runs without a
 * broker: a {@link Stripes} consumer over an in-memory stripes partition and one {@link Sends} producer. Keeps the
 * settings the sink asked for. Thread-safe as the mocks are.
 */
final class MockSinkClients implements SinkClientSupplier {

    final Stripes consumer;
    final Sends producer;
    private volatile Map<String, Object> consumerConfig;
    private volatile Map<String, Object> producerConfig;

    MockSinkClients(Stripes consumer, Sends producer) {
        this.consumer = consumer;
        this.producer = producer;
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        consumerConfig = Map.copyOf(config);
        return consumer;
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        producerConfig = Map.copyOf(config);
        return producer;
    }

    /** The consumer settings the sink passed, or null before it started. */
    Map<String, Object> consumerConfig() {
        return consumerConfig;
    }

    /** The producer settings the sink passed, or null before it started. */
    Map<String, Object> producerConfig() {
        return producerConfig;
    }

    /**
     * A stripes partition as a broker would serve it to an assigned consumer: records appended here stay in the
     * log, so a seek back (after a stall) reads them again, and each poll returns what lies at or after the
     * position, waiting up to its timeout when nothing does (a bare {@link MockConsumer} returns at once, which
     * would make the sink spin). {@link #wakeup()} ends a waiting poll, as it ends a real one.
     */
    static final class Stripes extends MockConsumer<byte[], byte[]> {

        private final TopicPartition partition;
        private final long logStart;
        private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
        private boolean woken;
        private Long groupOffset;

        /**
         * @param partition the sink's stripes partition
         * @param servers   partitions of the stripes topic, as {@code partitionsFor} describes it
         * @param logStart  the partition's first offset (the beginning a consumer seeks to)
         */
        Stripes(TopicPartition partition, int servers, long logStart) {
            super("earliest");
            this.partition = partition;
            this.logStart = logStart;
            List<PartitionInfo> infos = new ArrayList<>();
            for (int p = 0; p < servers; p++) {
                infos.add(new PartitionInfo(partition.topic(), p, Node.noNode(), new Node[0], new Node[0]));
            }
            updatePartitions(partition.topic(), infos);
            updateBeginningOffsets(Map.of(partition, logStart));
            updateEndOffsets(Map.of(partition, logStart));
        }

        /** Appends {@code values} (keyed {@code key}) to the partition at once; returns the offset after them. */
        synchronized long append(String key, List<byte[]> values) {
            byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            for (byte[] v : values) {
                long offset = logStart + log.size();
                log.add(new ConsumerRecord<>(partition.topic(), partition.partition(), offset,
                        1_700_000_000_000L + offset, TimestampType.CREATE_TIME, k == null ? -1 : k.length,
                        v == null ? -1 : v.length, k, v, new RecordHeaders(), java.util.Optional.empty()));
            }
            long end = logStart + log.size();
            updateEndOffsets(Map.of(partition, end));
            notifyAll();
            return end;
        }

        /**
         * Gives the partition an offset committed by a consumer group, as a broker would hold it: an assigned
         * consumer that neither seeks nor resets starts there ({@link MockConsumer#assign} alone forgets it).
         */
        synchronized void groupCommitted(long offset) {
            groupOffset = offset;
        }

        @Override
        public synchronized void assign(Collection<TopicPartition> partitions) {
            super.assign(partitions);
            if (groupOffset != null && partitions.contains(partition)) {
                commitSync(Map.of(partition, new OffsetAndMetadata(groupOffset)));
            }
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (woken || closed()) {
                    woken = false;
                    return super.poll(timeout); // throws the wakeup, or that it is closed
                }
                // Only what this poll returns is handed to the mock, so it never holds records behind a seek.
                long position = position(partition);
                for (long o = Math.max(position, logStart); o < logStart + log.size(); o++) {
                    addRecord(log.get((int) (o - logStart)));
                }
                ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
                long left = deadline - System.nanoTime();
                if (!records.isEmpty() || left <= 0) {
                    return records;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                }
            }
        }

        @Override
        public synchronized void wakeup() {
            super.wakeup();
            woken = true;
            notifyAll();
        }
    }

    /**
     * The sink's one producer. Auto-completing, every send succeeds at once. Otherwise each send stays pending
     * until the test calls {@link #completeNext()} or {@link #errorNext}, and {@link #flush()} leaves them so
     * (a {@code MockProducer}'s would complete them all): the test decides when Kafka answers, and the sink still
     * waits for each dead letter's answer through its future. Hooks run on the sending thread before the send.
     */
    static final class Sends extends MockProducer<byte[], byte[]> {

        private final boolean autoComplete;
        private final List<java.util.function.Consumer<ProducerRecord<byte[], byte[]>>> hooks =
                new CopyOnWriteArrayList<>();

        Sends(boolean autoComplete) {
            super(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.autoComplete = autoComplete;
        }

        /** Runs {@code hook} on each record sent from now on, in the sending thread, before it is sent. */
        void onSend(java.util.function.Consumer<ProducerRecord<byte[], byte[]>> hook) {
            hooks.add(hook);
        }

        @Override
        public java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record,
                Callback callback) {
            hooks.forEach(h -> h.accept(record));
            return super.send(record, callback);
        }

        @Override
        public synchronized void flush() {
            if (autoComplete) {
                super.flush();
            }
        }

        /** The records sent to {@code topic} so far, in order. */
        List<ProducerRecord<byte[], byte[]>> sentTo(String topic) {
            return history().stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }
}
