package io.checkstripe.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary
 * body) into generated record classes.
 *
 * <p>The writer schema is fetched from the registry by the id in the frame (and cached); the
 * body is resolved from it to the reader schema, given to the constructor or by
 * {@value AvroSerdeConfig#VALUE_SCHEMA_CONFIG}, or by default
 * {@link CheckstripeSchemas#readerFor(Schema) the generated classes' schemas}. Schema evolution
 * therefore works as Avro defines it: fields the reader lacks are skipped, fields the writer
 * lacks take the reader's default. Records whose class is not on the class path come out as
 * generic records.
 *
 * <p>{@code null} deserializes to {@code null}. Every malformed input fails with a
 * {@link SerializationException} whose message says which fault it is: {@code empty value},
 * {@code unknown magic byte 0x.. (expected 0x00)}, {@code truncated: N bytes} (shorter than the
 * frame header, or the body ends early), {@code unknown schema id N}, or
 * {@code Avro body does not match schema id N: ...}. A corrupt length inside the body cannot
 * make it allocate more than the body's size ({@link BoundedDecoder}).
 *
 * <p>Thread-safe once configured.
 *
 * @param <T> the type produced: a generated class, {@link org.apache.avro.specific.SpecificRecord}
 *            for the topic unions, or {@code Object}; the caller vouches for it
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {

    private final ConcurrentHashMap<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();
    private SchemaRegistry registry;
    private Schema readerSchema;

    /** For Kafka's configuration by properties; {@link #configure} must follow. */
    public ConfluentAvroDeserializer() {
    }

    /** Reads into the generated classes. */
    public ConfluentAvroDeserializer(SchemaRegistry registry) {
        this(registry, null);
    }

    /**
     * @param registry     where writer schemas are fetched by id
     * @param readerSchema the schema to resolve to, or {@code null} for the generated classes'
     */
    public ConfluentAvroDeserializer(SchemaRegistry registry, Schema readerSchema) {
        if (registry == null) {
            throw new IllegalArgumentException("schema registry must not be null");
        }
        this.registry = registry;
        this.readerSchema = readerSchema;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry != null) {
            return;
        }
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        this.registry = config.registry();
        this.readerSchema = config.schema(isKey);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new SerializationException("ConfluentAvroDeserializer is not configured: call configure() or "
                    + "construct it with a SchemaRegistry");
        }
        if (data.length == 0) {
            throw new SerializationException("empty value on topic " + topic
                    + ": a Confluent frame has at least " + WireFormat.HEADER_LENGTH + " bytes");
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new SerializationException(String.format("unknown magic byte 0x%02x (expected 0x%02x) on topic %s: "
                    + "not in the Confluent wire format", data[0] & 0xff, WireFormat.MAGIC_BYTE, topic));
        }
        if (data.length < WireFormat.HEADER_LENGTH) {
            throw new SerializationException("truncated: " + data.length + " bytes on topic " + topic
                    + ", fewer than the " + WireFormat.HEADER_LENGTH + " of the magic byte and schema id");
        }
        int id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        DatumReader<Object> reader = readerFor(id, topic);
        int bodyLength = data.length - WireFormat.HEADER_LENGTH;
        BoundedDecoder decoder = new BoundedDecoder(data, WireFormat.HEADER_LENGTH, bodyLength);
        Object value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new SerializationException("truncated: Avro body of " + bodyLength + " bytes on topic " + topic
                    + " ends before the datum of schema id " + id + " is complete (" + e.getMessage() + ")", e);
        } catch (AvroTypeException e) {
            throw new SerializationException("Avro body does not match schema id " + id + " on topic " + topic
                    + ", or that schema cannot be read as " + ConfluentAvroSerializer.describe(readerSchemaFor(id))
                    + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Avro body does not match schema id " + id + " on topic " + topic
                    + ": " + e, e);
        }
        if (decoder.remaining() > 0) {
            throw new SerializationException("Avro body does not match schema id " + id + " on topic " + topic
                    + ": " + decoder.remaining() + " of its " + bodyLength + " bytes are left after the datum");
        }
        return (T) value;
    }

    private DatumReader<Object> readerFor(int id, String topic) {
        DatumReader<Object> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.byId(id);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw new SerializationException("unknown schema id " + id + " on topic " + topic
                        + ": schema registry " + registry + " does not know it", e);
            }
            throw new SerializationException("cannot fetch schema id " + id + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
        Schema reader = readerSchema != null ? readerSchema : CheckstripeSchemas.readerFor(writer);
        return readers.computeIfAbsent(id, i -> new SpecificDatumReader<>(writer, reader));
    }

    private Schema readerSchemaFor(int id) {
        return readerSchema != null ? readerSchema : CheckstripeSchemas.readerFor(registry.byId(id));
    }
}
