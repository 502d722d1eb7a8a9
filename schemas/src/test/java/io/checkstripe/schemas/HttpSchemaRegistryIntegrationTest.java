package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.testkit.ApicurioRegistryExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link HttpSchemaRegistry} and the serdes against a real Apicurio Registry (its Confluent-compatible API). */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpSchemaRegistryIntegrationTest {

    private static final AtomicInteger SUBJECTS = new AtomicInteger();

    @RegisterExtension
    static final ApicurioRegistryExtension APICURIO = new ApicurioRegistryExtension();

    /** A new client, with empty caches, so every call below reaches the server. */
    private static HttpSchemaRegistry client() {
        return new HttpSchemaRegistry(APICURIO.confluentApiUrl());
    }

    private static String subject(String name) {
        return "it-" + name + "-" + SUBJECTS.incrementAndGet() + "-value";
    }

    @Test
    void registrationIsIdempotentAndLookupsAgree() {
        String subject = subject("acks");
        int id = client().register(subject, CheckpointAck.SCHEMA$);
        assertThat(client().register(subject, CheckpointAck.SCHEMA$)).as("re-registration").isEqualTo(id);
        assertThat(client().idOf(subject, CheckpointAck.SCHEMA$)).as("lookup").isEqualTo(id);

        Schema fetched = client().byId(id);
        assertThat(SchemaNormalization.toParsingForm(fetched))
                .isEqualTo(SchemaNormalization.toParsingForm(CheckpointAck.SCHEMA$));
        assertThat(fetched.getField("appId").doc()).isEqualTo(CheckpointAck.SCHEMA$.getField("appId").doc());
    }

    @Test
    void unionSchemasOfTheTopicsRegister() {
        HttpSchemaRegistry registry = client();
        int checkpoints = registry.register(subject("checkpoints"), CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE);
        int stripes = registry.register(subject("stripes"), CheckstripeSchemas.STRIPES_TOPIC_VALUE);
        assertThat(checkpoints).isNotEqualTo(stripes);
        assertThat(client().byId(stripes).getTypes()).extracting(Schema::getFullName)
                .containsExactly(StripeUnit.SCHEMA$.getFullName(), CheckpointManifest.SCHEMA$.getFullName());
    }

    @Test
    void unknownIdIsNotFoundWithErrorCode40403() {
        assertThatThrownBy(() -> client().byId(987_654_321))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("schema registry at " + APICURIO.confluentApiUrl() + " failed fetching schema id 987654321")
                .hasMessageContaining("HTTP 404, error_code 40403")
                .satisfies(e -> {
                    SchemaRegistryException failure = (SchemaRegistryException) e;
                    assertThat(failure.httpStatus()).isEqualTo(404);
                    assertThat(failure.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                });
    }

    @Test
    void lookupOfAnUnregisteredSchemaIsNotFound() {
        String missingSubject = subject("missing");
        assertThatThrownBy(() -> client().idOf(missingSubject, CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("under subject \"" + missingSubject + "\"")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));

        String subject = subject("other");
        client().register(subject, CheckpointAck.SCHEMA$);
        assertThatThrownBy(() -> client().idOf(subject, StripeUnit.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void fieldWithoutDefaultIsIncompatibleUnderBackwardCompatibility() {
        String subject = subject("evolving");
        HttpSchemaRegistry registry = client();
        registry.setCompatibility(subject, "BACKWARD");
        Schema v1 = SchemaBuilder.record("Evolving").namespace("test").fields().requiredString("a").endRecord();
        Schema v2WithoutDefault = SchemaBuilder.record("Evolving").namespace("test").fields()
                .requiredString("a").requiredLong("b").endRecord();
        Schema v2WithDefault = SchemaBuilder.record("Evolving").namespace("test").fields()
                .requiredString("a").name("b").type().longType().longDefault(0).endRecord();
        int v1Id = registry.register(subject, v1);

        assertThatThrownBy(() -> registry.register(subject, v2WithoutDefault))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("registering schema test.Evolving under subject \"" + subject + "\"")
                .hasMessageContaining("HTTP 409")
                .satisfies(e -> {
                    SchemaRegistryException failure = (SchemaRegistryException) e;
                    assertThat(failure.httpStatus()).isEqualTo(409);
                    assertThat(failure.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
        assertThat(registry.register(subject, v2WithDefault)).as("compatible v2").isNotEqualTo(v1Id);
    }

    @Test
    void theCheckpointsUnionWithAPolicyPassesTheBackwardCheckAgainstVersionOne() {
        String subject = subject("checkpoints-evolving");
        HttpSchemaRegistry registry = client();
        registry.setCompatibility(subject, "BACKWARD");
        Schema v1 = CheckstripeSchemas.previous().get(2);
        int v1Id = registry.register(subject, v1);

        int currentId = registry.register(subject, CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE);

        assertThat(currentId).isNotEqualTo(v1Id);
        ConfluentAvroDeserializer<SpecificRecord> reader = new ConfluentAvroDeserializer<>(client());
        byte[] old = new ConfluentAvroSerializer(client(), v1, false).serialize(subject.replace("-value", ""),
                oldSegment(v1));
        assertThat(reader.deserialize("t", old)).isEqualTo(SampleRecords.segment());
    }

    private static GenericRecord oldSegment(Schema v1) {
        GenericRecord old = new GenericData.Record(v1.getTypes().get(0));
        for (Schema.Field field : old.getSchema().getFields()) {
            old.put(field.name(), SampleRecords.segment().get(field.name()));
        }
        return old;
    }

    @Test
    void everyTopicRoundTripsThroughTheRealRegistry() {
        TopicNames names = TopicNames.defaults().withPrefix("it" + SUBJECTS.incrementAndGet() + ".");
        Topics writer = new Topics(names, client());
        Topics reader = new Topics(names, client());
        int checked = 0;
        checked += roundTrip(writer.checkpoints(), reader.checkpoints(), SampleRecords.segment());
        checked += roundTrip(writer.checkpoints(), reader.checkpoints(), SampleRecords.commit());
        checked += roundTrip(writer.stripes(), reader.stripes(), SampleRecords.stripeUnit());
        checked += roundTrip(writer.stripes(), reader.stripes(), SampleRecords.manifest());
        checked += roundTrip(writer.manifests(), reader.manifests(), SampleRecords.manifest());
        checked += roundTrip(writer.acks(), reader.acks(), SampleRecords.ack());
        assertThat(checked).isEqualTo(6);
    }

    @Test
    void serdesConfiguredByPropertiesUseTheRegistryAndHonourAutoRegister() {
        String topic = "it-props-" + SUBJECTS.incrementAndGet();
        Map<String, Object> lookupOnly = Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, APICURIO.confluentApiUrl(),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false,
                AvroSerdeConfig.VALUE_SCHEMA_CONFIG, "CheckpointAck");
        try (ConfluentAvroSerializer serializer = new ConfluentAvroSerializer();
             ConfluentAvroDeserializer<SpecificRecord> deserializer = new ConfluentAvroDeserializer<>()) {
            serializer.configure(lookupOnly, false);
            deserializer.configure(lookupOnly, false);
            assertThatThrownBy(() -> serializer.serialize(topic, SampleRecords.ack()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("no registered record io.checkstripe.schemas.avro.CheckpointAck under subject "
                            + topic + "-value")
                    .hasMessageContaining("error_code 40401");

            int id = client().register(topic + "-value", CheckpointAck.SCHEMA$);
            byte[] frame = serializer.serialize(topic, SampleRecords.ack());
            assertThat(ConfluentAvroSerdeTest.idIn(frame)).isEqualTo(id);
            assertThat(deserializer.deserialize(topic, frame)).isEqualTo(SampleRecords.ack());
        }
    }

    private static <V> int roundTrip(Topic<String, V> writer, Topic<String, V> reader, V value) {
        byte[] frame = writer.valueSerde().serializer().serialize(writer.name(), value);
        assertThat(frame[0]).isZero();
        V back = reader.valueSerde().deserializer().deserialize(reader.name(), frame);
        assertThat(back).isEqualTo(value);
        return 1;
    }
}
