package io.checkstripe.sink;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Makes the Kafka clients a {@link BackupSink} runs on, in the shape of Kafka Streams' {@code KafkaClientSupplier},
 * so that the sink's loop can run on {@code MockConsumer} and {@code MockProducer} in tests, or on clients wrapped
 * for tracing, with no other change to the sink. {@link DefaultSinkClientSupplier} makes the real clients.
 *
 * <p>The sink asks for each client once, in {@link BackupSink#start()}, with the settings of
 * {@link SinkConfig#consumerProperties()} or {@link SinkConfig#producerProperties()}, byte-array
 * (de)serializers included; it owns what it gets and closes it when it stops. A supplier must make clients that
 * honour those settings ({@code read_committed}, no auto commit, {@code acks=all}, idempotence): the sink's
 * guarantees rest on them. Implementations are called from the thread that starts the sink and must be
 * thread-safe if one supplier is shared by several sinks.
 */
public interface SinkClientSupplier {

    /**
     * The consumer of the sink's stripes partition. The sink {@code assign()}s it and seeks it to the offset its
     * store holds; it never subscribes or commits offsets to a group. Used by the sink's own thread only (and
     * {@code wakeup()} from the thread closing the sink).
     *
     * @param config the consumer's settings, byte-array deserializers included
     */
    Consumer<byte[], byte[]> getConsumer(Map<String, Object> config);

    /**
     * The one producer of both the dead letters (rejected records, sent from the sink's thread, which waits for
     * Kafka's acknowledgement before it commits the batch) and the {@code CheckpointAck}s (sent from the sink's
     * acknowledgement thread): it must be safe to use from several threads, as Kafka's producer is.
     *
     * @param config the producer's settings, byte-array serializers included
     */
    Producer<byte[], byte[]> getProducer(Map<String, Object> config);
}
