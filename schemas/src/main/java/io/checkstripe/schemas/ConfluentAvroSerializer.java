package io.checkstripe.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
 * Avro binary body), so that every tool of the Kafka ecosystem that reads Confluent-framed Avro
 * reads checkstripe's topics.
 *
 * <p>The writer schema is the one given to the constructor or by
 * {@value AvroSerdeConfig#VALUE_SCHEMA_CONFIG} (a topic union such as
 * {@link CheckstripeSchemas#STRIPES_TOPIC_VALUE}, whose member records are then accepted), or,
 * when none is given, each record's own schema. It is registered under the subject
 * {@code <topic>-value} ({@code <topic>-key} for keys), Confluent's TopicNameStrategy; with
 * {@value AvroSerdeConfig#AUTO_REGISTER_SCHEMAS_CONFIG} false the id of an existing
 * registration is looked up instead, and serializing fails when there is none. Ids are cached
 * per subject and schema.
 *
 * <p>{@code null} serializes to {@code null} (a tombstone). Every failure is a
 * {@link SerializationException} naming the topic, subject and schema.
 *
 * <p>Thread-safe once configured: Kafka calls {@link #configure} before the first
 * {@link #serialize}. An instance built with a registry ignores the registry settings of
 * {@code configure}.
 */
public final class ConfluentAvroSerializer implements Serializer<Object> {

    /**
     * Each thread's output buffer, kept between records: a cell or segment of a megabyte is then copied once,
     * into the returned array, instead of at every doubling of a fresh stream and again at the end. It holds
     * as much as the largest record its thread serialized (bounded by the topics' record size).
     */
    private static final ThreadLocal<ByteArrayOutputStream> BUFFERS =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(1024));

    private final ConcurrentHashMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private SchemaRegistry registry;
    private Schema writerSchema;
    private boolean autoRegister = true;
    private boolean isKey;

    private record SubjectSchema(String subject, Schema schema) {
    }

    /** For Kafka's configuration by properties; {@link #configure} must follow. */
    public ConfluentAvroSerializer() {
    }

    /** Writes each record with its own schema, registering it as needed. */
    public ConfluentAvroSerializer(SchemaRegistry registry) {
        this(registry, null, true);
    }

    /**
     * @param registry     where schemas are registered or looked up
     * @param writerSchema the schema to write with, or {@code null} for each record's own
     * @param autoRegister register the schema, or only look up an existing registration
     */
    public ConfluentAvroSerializer(SchemaRegistry registry, Schema writerSchema, boolean autoRegister) {
        if (registry == null) {
            throw new IllegalArgumentException("schema registry must not be null");
        }
        this.registry = registry;
        this.writerSchema = writerSchema;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry != null) {
            return;
        }
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        this.registry = config.registry();
        this.writerSchema = config.schema(isKey);
        this.autoRegister = config.autoRegisterSchemas();
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new SerializationException("ConfluentAvroSerializer is not configured: call configure() or "
                    + "construct it with a SchemaRegistry");
        }
        Schema schema = schemaFor(topic, data);
        String subject = WireFormat.subject(topic, isKey);
        int id = idOf(subject, schema);
        ByteArrayOutputStream out = BUFFERS.get();
        out.reset();
        out.write(WireFormat.MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writerFor(schema).write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + typeOf(data) + " for topic " + topic
                    + " with schema id " + id + " (" + describe(schema) + "): " + e, e);
        }
        return out.toByteArray();
    }

    /** The writer schema for {@code data}, checking that a configured schema admits it. */
    private Schema schemaFor(String topic, Object data) {
        Schema own = data instanceof GenericContainer ? ((GenericContainer) data).getSchema() : null;
        if (writerSchema == null) {
            if (own == null) {
                throw new SerializationException("cannot serialize " + typeOf(data) + " for topic " + topic
                        + ": expected an Avro record (SpecificRecord or GenericRecord) or a configured writer schema");
            }
            return own;
        }
        if (own != null && own.getFullName() != null && !admits(writerSchema, own)) {
            throw new SerializationException("cannot serialize " + typeOf(data) + " for topic " + topic
                    + ": writer schema " + describe(writerSchema) + " has no record " + own.getFullName());
        }
        return writerSchema;
    }

    private static boolean admits(Schema writer, Schema record) {
        if (writer.getType() == Schema.Type.UNION) {
            return writer.getTypes().stream().anyMatch(branch -> record.getFullName().equals(branch.getFullName()));
        }
        return record.getFullName().equals(writer.getFullName());
    }

    private int idOf(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException((autoRegister ? "cannot register " : "no registered ")
                    + describe(schema) + " under subject " + subject + " in schema registry " + registry
                    + (autoRegister ? "" : " (" + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG + " is false)")
                    + ": " + e.getMessage(), e);
        }
        ids.put(key, id);
        return id;
    }

    private DatumWriter<Object> writerFor(Schema schema) {
        return writers.computeIfAbsent(schema, SpecificDatumWriter::new);
    }

    private static String typeOf(Object data) {
        return "a " + data.getClass().getName();
    }

    /** A record's or union's name; Avro JSON for anything else. */
    static String describe(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return "union " + schema.getTypes().stream().map(Schema::getName).toList();
        }
        return schema.getType() == Schema.Type.RECORD ? "record " + schema.getFullName() : "schema " + schema;
    }
}
