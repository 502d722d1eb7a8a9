package io.checkstripe.schemas;

import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Builds Kafka {@link Serde}s (for Kafka Streams, or anything wanting both halves at once) from
 * a {@link ConfluentAvroSerializer} and a {@link ConfluentAvroDeserializer} sharing one
 * registry and one schema. The one place serdes are made; {@link Topics} holds the ones of
 * checkstripe's topics.
 */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /**
     * A serde writing and reading with {@code schema}.
     *
     * @param registry     where schemas are registered and fetched
     * @param schema       the writer schema and the reader schema (a record, or a topic union)
     * @param autoRegister register the writer schema, or only look up an existing registration
     * @param <T>          a generated class, or {@link org.apache.avro.specific.SpecificRecord}
     *                     for a union; the caller vouches that {@code schema} produces it
     */
    public static <T> Serde<T> forSchema(SchemaRegistry registry, Schema schema, boolean autoRegister) {
        if (schema == null) {
            throw new IllegalArgumentException("schema must not be null");
        }
        // The serializer takes any Object; narrowing its type parameter only restricts callers.
        @SuppressWarnings("unchecked")
        Serializer<T> serializer = (Serializer<T>) (Serializer<?>) new ConfluentAvroSerializer(registry, schema,
                autoRegister);
        return Serdes.serdeFrom(serializer, new ConfluentAvroDeserializer<T>(registry, schema));
    }
}
