package io.checkstripe.sink;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The {@link SinkClientSupplier} of a sink in production: Kafka's own {@link KafkaConsumer} and {@link KafkaProducer}
 * with the settings it is given, as Kafka Streams' {@code DefaultKafkaClientSupplier} makes them. Stateless and
 * thread-safe.
 */
public final class DefaultSinkClientSupplier implements SinkClientSupplier {

    /** The one instance; the class holds no state. */
    public static final DefaultSinkClientSupplier INSTANCE = new DefaultSinkClientSupplier();

    private DefaultSinkClientSupplier() {
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new KafkaProducer<>(config);
    }
}
