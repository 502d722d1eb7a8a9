package io.checkstripe.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.checkstripe.producer.PublisherConfig;
import io.checkstripe.schemas.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw-Kafka baseline of {@code checkstripe bench}: the ceiling for anything built on the same broker.
 * A transactional producer sends a checkpoint's bytes, cut in the same segment size, as plain records to a
 * one-partition topic in one transaction, while a {@code read_committed} consumer, assigned and polling
 * from before the first send, reads them back; no Avro, no striping, no store.
 *
 * <p>The producer has exactly the publisher's settings ({@link PublisherConfig#producerProps}: batch of one
 * record, {@code linger.ms}, no compression, {@code acks=all}, idempotent, transactional) and the consumer
 * the publisher's reading settings with the striper's fetch sizes, so the pair measures the broker and the
 * clients, not a tuning difference. Not thread-safe; the consumer lives on its own thread.
 */
final class RawKafka implements AutoCloseable {

    /** The consumer's fetch sizes: those the striper's consumer uses ({@code StriperConfig}). */
    private static final int FETCH_MAX_BYTES = 64 << 20;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String APP = "raw";

    /** One checkpoint sent and read back: produce (until committed), consume (after the commit), both. */
    record RoundTrip(long bytes, Duration produce, Duration consume) {
        RoundTrip {
            if (bytes < 0 || produce.isNegative() || consume.isNegative()) {
                throw new IllegalArgumentException("bytes and durations must not be negative, got " + bytes + ", "
                        + produce + ", " + consume);
            }
        }

        Duration total() {
            return produce.plus(consume);
        }
    }

    private final String topic;
    private final int segmentBytes;
    private final Duration timeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkstripe-bench-raw-reader");
        t.setDaemon(true);
        return t;
    });

    private RawKafka(PublisherConfig config, String topic, Duration timeout) {
        this.topic = topic;
        this.segmentBytes = config.segmentBytes();
        this.timeout = timeout;
        Map<String, Object> consumerProps = config.consumerProps();
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicProvisioner.Settings.DEFAULT_MAX_MESSAGE_BYTES);
        consumerProps.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> p = null;
        try {
            p = new KafkaProducer<>(config.producerProps(APP), new ByteArraySerializer(), new ByteArraySerializer());
            p.initTransactions();
        } catch (RuntimeException e) {
            if (p != null) {
                p.close(Duration.ZERO);
            }
            consumer.close();
            throw e;
        }
        this.producer = p;
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition, timeout);
    }

    /**
     * Creates {@code topic} (one partition, the broker's replication factor, records up to the striper's
     * {@code max.message.bytes}) and the clients.
     */
    static RawKafka create(PublisherConfig config, String topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(config.adminProps())) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(TopicProvisioner.Settings.DEFAULT_MAX_MESSAGE_BYTES)))))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new RawKafka(config, topic, timeout);
    }

    /** Sends {@code file} in one transaction and waits until the consumer has read every byte of it. */
    RoundTrip roundTrip(Path file) throws IOException, InterruptedException, ExecutionException, TimeoutException {
        long bytes = Files.size(file);
        Future<Long> lastRead = reader.submit(() -> {
            long read = 0;
            while (read < bytes) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    read += r.value().length;
                }
            }
            return System.nanoTime();
        });
        byte[] buffer = new byte[segmentBytes];
        long start = System.nanoTime();
        producer.beginTransaction();
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.readNBytes(buffer, 0, buffer.length); n > 0; n = in.readNBytes(buffer, 0, buffer.length)) {
                // send() copies the value into the batch before it returns, so the buffer is free again.
                byte[] value = n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.commitTransaction();
        } catch (IOException | RuntimeException e) {
            producer.abortTransaction();
            lastRead.cancel(true);
            throw e;
        }
        long committed = System.nanoTime();
        long end = lastRead.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new RoundTrip(bytes, Duration.ofNanos(committed - start), Duration.ofNanos(Math.max(0, end - committed)));
    }

    /**
     * Sends {@code payload} as one record in its own transaction {@code count} times, one start every
     * {@code interval} (or at once when the previous one took longer), and returns each round trip: from
     * the start of the transaction until the consumer has the record.
     */
    List<Duration> latencies(byte[] payload, int count, Duration interval)
            throws InterruptedException, ExecutionException, TimeoutException {
        BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Future<?> polling = reader.submit(() -> {
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    arrivals.add(System.nanoTime());
                }
            }
        });
        List<Duration> result = new ArrayList<>();
        try {
            Pacer pacer = new Pacer(interval);
            for (int i = 0; i < count; i++) {
                pacer.awaitNext();
                long start = System.nanoTime();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, null, payload));
                producer.commitTransaction();
                Long arrived = arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (arrived == null) {
                    throw new TimeoutException("record " + i + " of the latency series not read back within " + timeout);
                }
                result.add(Duration.ofNanos(arrived - start));
            }
        } finally {
            stop.set(true);
            polling.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return result;
    }

    @Override
    public void close() {
        reader.shutdownNow();
        try {
            reader.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
        consumer.close();
    }
}
