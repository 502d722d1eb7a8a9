package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class ConfluentAvroSerdeTest {

    private static final AtomicInteger SCOPES = new AtomicInteger();

    /** A fresh mock scope per test, so no test sees another's registrations. */
    private static InMemorySchemaRegistry freshRegistry(TestInfo test) {
        return InMemorySchemaRegistry.forScope("serde-" + test.getDisplayName() + "-" + SCOPES.incrementAndGet());
    }

    @Test
    void everyRecordRoundTripsWithItsOwnSchema(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroSerializer serializer = new ConfluentAvroSerializer(registry);
        ConfluentAvroDeserializer<SpecificRecord> deserializer = new ConfluentAvroDeserializer<>(registry);
        int checked = 0;
        for (SpecificRecord record : SampleRecords.all()) {
            byte[] frame = serializer.serialize("topic", record);
            assertThat(frame[0]).isEqualTo((byte) 0);
            assertThat(idIn(frame)).isEqualTo(InMemorySchemaRegistry.idFor(record.getSchema()));
            SpecificRecord back = deserializer.deserialize("topic", frame);
            assertThat(back).isInstanceOf(record.getClass()).isEqualTo(record);
            checked++;
        }
        assertThat(checked).isEqualTo(CheckstripeSchemas.records().size());
    }

    @Test
    void framesOfOneThreadAreIndependentArraysOfExactlyTheirLength(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroSerializer serializer = new ConfluentAvroSerializer(registry);
        ConfluentAvroDeserializer<SpecificRecord> deserializer = new ConfluentAvroDeserializer<>(registry);
        byte[] megabyte = new byte[1 << 20];
        new Random(9).nextBytes(megabyte);
        CheckpointSegment big = CheckpointSegment.newBuilder(SampleRecords.segment())
                .setData(ByteBuffer.wrap(megabyte)).build();
        byte[] bigFrame = serializer.serialize("topic", big);
        byte[] bigCopy = bigFrame.clone();
        byte[] smallFrame = serializer.serialize("topic", SampleRecords.ack());
        byte[] again = serializer.serialize("topic", big);
        assertThat(bigFrame).isEqualTo(bigCopy).isEqualTo(again).isNotSameAs(again);
        assertThat(bigFrame.length).isGreaterThan(1 << 20).isLessThan((1 << 20) + 100);
        assertThat(deserializer.deserialize("topic", bigFrame)).isEqualTo(big);
        assertThat(deserializer.deserialize("topic", smallFrame)).isEqualTo(SampleRecords.ack());
    }

    @Test
    void knownRecordHasExactlyTheseFrameBytes(TestInfo test) {
        CheckpointAck ack = CheckpointAck.newBuilder().setServerIndex(2).setAppId("app").setCheckpointId(7)
                .setAckedAt(1000).build();
        byte[] frame = new ConfluentAvroSerializer(freshRegistry(test)).serialize("checkpoint-acks", ack);
        byte[] expected = {
            0x00,                                   // magic byte
            0x3b, 0x77, 0x37, 0x6b,                 // schema id 997668715, big-endian
            0x02,                                   // formatVersion 1 (zig-zag varint)
            0x04,                                   // serverIndex 2
            0x06, 'a', 'p', 'p',                    // appId: length 3, UTF-8
            0x0e,                                   // checkpointId 7
            (byte) 0xd0, 0x0f,                      // ackedAt 1000 (zig-zag 2000 as varint)
        };
        assertThat(frame).containsExactly(expected);
        assertThat(InMemorySchemaRegistry.idFor(CheckpointAck.SCHEMA$)).isEqualTo(0x3b77376b);
    }

    @Test
    void unionTopicsRoundTripBothMemberTypes(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        Map<Schema, SpecificRecord[]> topics = Map.of(
                CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE, new SpecificRecord[] {SampleRecords.segment(), SampleRecords.commit()},
                CheckstripeSchemas.STRIPES_TOPIC_VALUE, new SpecificRecord[] {SampleRecords.stripeUnit(), SampleRecords.manifest()});
        int checked = 0;
        for (Map.Entry<Schema, SpecificRecord[]> topic : topics.entrySet()) {
            ConfluentAvroSerializer serializer = new ConfluentAvroSerializer(registry, topic.getKey(), true);
            ConfluentAvroDeserializer<SpecificRecord> deserializer =
                    new ConfluentAvroDeserializer<>(registry, topic.getKey());
            for (SpecificRecord member : topic.getValue()) {
                byte[] frame = serializer.serialize("union", member);
                assertThat(idIn(frame)).as("one id for the whole union").isEqualTo(InMemorySchemaRegistry.idFor(topic.getKey()));
                assertThat(deserializer.deserialize("union", frame)).isInstanceOf(member.getClass()).isEqualTo(member);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4);
    }

    @Test
    void unionWriterIsReadIntoGeneratedClassesWithoutAReaderSchema(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        byte[] frame = new ConfluentAvroSerializer(registry, CheckstripeSchemas.STRIPES_TOPIC_VALUE, true)
                .serialize("stripes", SampleRecords.stripeUnit());
        Object back = new ConfluentAvroDeserializer<>(registry).deserialize("stripes", frame);
        assertThat(back).isInstanceOf(StripeUnit.class).isEqualTo(SampleRecords.stripeUnit());
    }

    @Test
    void serializerRefusesARecordItsWriterSchemaDoesNotHold(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroSerializer stripes = new ConfluentAvroSerializer(registry, CheckstripeSchemas.STRIPES_TOPIC_VALUE, true);
        assertThatThrownBy(() -> stripes.serialize("stripes", SampleRecords.segment()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("has no record io.checkstripe.schemas.avro.CheckpointSegment");
        ConfluentAvroSerializer acks = new ConfluentAvroSerializer(registry, CheckpointAck.SCHEMA$, true);
        assertThatThrownBy(() -> acks.serialize("acks", SampleRecords.manifest()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("has no record io.checkstripe.schemas.avro.CheckpointManifest");
        assertThatThrownBy(() -> new ConfluentAvroSerializer(registry).serialize("acks", "a string"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot serialize a java.lang.String");
    }

    @Test
    void incompleteRecordFailsToEncodeNamingTopicAndSchema(TestInfo test) {
        CheckpointAck ack = SampleRecords.ack();
        ack.setAppId(null);
        assertThatThrownBy(() -> new ConfluentAvroSerializer(freshRegistry(test)).serialize("acks", ack))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic acks")
                .hasMessageContaining("record io.checkstripe.schemas.avro.CheckpointAck");
    }

    @Test
    void nullIsATombstoneAndAnEmptyValueIsAnError(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        assertThat(new ConfluentAvroSerializer(registry).serialize("t", null)).isNull();
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(registry);
        assertThat(deserializer.deserialize("t", null)).isNull();
        assertThatThrownBy(() -> deserializer.deserialize("t", new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("empty value");
    }

    @Test
    void wrongMagicByteIsReported(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        byte[] frame = new ConfluentAvroSerializer(registry).serialize("t", SampleRecords.ack());
        frame[0] = 0x01;
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize("t", frame))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unknown magic byte 0x01 (expected 0x00)");
    }

    @Test
    void garbageIsReportedAsNotTheWireFormat(TestInfo test) {
        byte[] garbage = "{\"appId\": \"billing\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(freshRegistry(test)).deserialize("t", garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unknown magic byte 0x7b (expected 0x00)");
    }

    @Test
    void unknownSchemaIdIsReported(TestInfo test) {
        byte[] frame = {0, 0x00, 0x00, 0x30, 0x39, 0x02};
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(freshRegistry(test)).deserialize("t", frame))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unknown schema id 12345 ")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void framesShorterThanTheHeaderAreTruncated(TestInfo test) {
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(freshRegistry(test));
        for (int length = 1; length < 5; length++) {
            byte[] frame = new byte[length];
            assertThatThrownBy(() -> deserializer.deserialize("t", frame))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageStartingWith("truncated: " + length + " bytes");
        }
    }

    @Test
    void everyTruncationOfTheBodyIsReported(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(registry);
        int cases = 0;
        for (SpecificRecord record : SampleRecords.all()) {
            byte[] frame = new ConfluentAvroSerializer(registry).serialize("t", record);
            // Cutting at the header boundary, at every byte of the small fields and into the data.
            for (int length = 5; length < frame.length; length += length < 64 ? 1 : 97) {
                byte[] cut = Arrays.copyOf(frame, length);
                assertThatThrownBy(() -> deserializer.deserialize("t", cut))
                        .isInstanceOf(SerializationException.class)
                        .hasMessageStartingWith("truncated: Avro body of " + (length - 5) + " bytes")
                        .hasMessageContaining("schema id " + idIn(frame));
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(5 * 30);
    }

    @Test
    void bytesLeftAfterTheDatumAreReported(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        byte[] frame = new ConfluentAvroSerializer(registry).serialize("t", SampleRecords.ack());
        byte[] longer = Arrays.copyOf(frame, frame.length + 3);
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize("t", longer))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("Avro body does not match schema id " + idIn(frame))
                .hasMessageContaining("3 of its");
    }

    @Test
    void garbageBodyWithAValidHeaderIsReportedWithoutHugeAllocations(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        int id = registry.register("t-value", StripeUnit.SCHEMA$);
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(registry);
        Random random = new Random(20240611);
        int failures = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] frame = new byte[5 + random.nextInt(64)];
            random.nextBytes(frame);
            frame[0] = 0;
            frame[1] = (byte) (id >>> 24);
            frame[2] = (byte) (id >>> 16);
            frame[3] = (byte) (id >>> 8);
            frame[4] = (byte) id;
            try {
                deserializer.deserialize("t", frame);
            } catch (SerializationException e) {
                assertThat(e.getMessage()).containsAnyOf("Avro body does not match schema id " + id,
                        "truncated: Avro body of " + (frame.length - 5) + " bytes");
                failures++;
            }
        }
        assertThat(failures).as("random bodies almost never form a StripeUnit").isGreaterThan(1990);
    }

    @Test
    void corruptLengthIsRefusedBeforeAllocating(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        Schema schema = SchemaBuilder.record("Blob").namespace("test").fields().requiredBytes("data").endRecord();
        int id = registry.register("t-value", schema);
        // data length 0x3fffffff as a zig-zag varint, then 2 bytes: Avro alone would allocate 1 GiB first.
        byte[] frame = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
            (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2};
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize("t", frame))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("truncated: Avro body of 7 bytes")
                .hasMessageContaining("bytes of 1073741823 bytes but only 2 bytes remain");
    }

    @Test
    void olderWriterSchemaIsResolvedToTheGeneratedClass(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        // An earlier CheckpointAck: no formatVersion, fields in another order, and one since removed.
        Schema old = SchemaBuilder.record("CheckpointAck").namespace("io.checkstripe.schemas.avro").fields()
                .requiredString("appId").requiredLong("checkpointId").requiredInt("serverIndex")
                .requiredLong("ackedAt").optionalString("comment").endRecord();
        GenericRecord written = new GenericData.Record(old);
        written.put("appId", "billing");
        written.put("checkpointId", 42L);
        written.put("serverIndex", 2);
        written.put("ackedAt", 1_700_000_000_500L);
        written.put("comment", "dropped by the reader");
        byte[] frame = new ConfluentAvroSerializer(registry).serialize("acks", written);

        Object read = new ConfluentAvroDeserializer<>(registry).deserialize("acks", frame);

        assertThat(read).isInstanceOf(CheckpointAck.class).isEqualTo(SampleRecords.ack());
        assertThat(((CheckpointAck) read).getFormatVersion()).as("default of the missing field").isEqualTo(1);
    }

    @Test
    void readerSchemaThatCannotReadTheWriterIsReported(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        byte[] frame = new ConfluentAvroSerializer(registry, CheckstripeSchemas.STRIPES_TOPIC_VALUE, true)
                .serialize("stripes", SampleRecords.stripeUnit());
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry, CheckpointManifest.SCHEMA$)
                .deserialize("stripes", frame))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot be read as record io.checkstripe.schemas.avro.CheckpointManifest");
    }

    @Test
    void withoutAutoRegisterAMissingRegistrationFailsClearlyAndAnExistingOneIsUsed(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroSerializer lookupOnly = new ConfluentAvroSerializer(registry, CheckpointAck.SCHEMA$, false);
        assertThatThrownBy(() -> lookupOnly.serialize("acks", SampleRecords.ack()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("no registered record io.checkstripe.schemas.avro.CheckpointAck under subject acks-value")
                .hasMessageContaining("auto.register.schemas is false")
                .hasRootCauseInstanceOf(SchemaRegistryException.class);

        int id = registry.register("acks-value", CheckpointAck.SCHEMA$);
        assertThat(idIn(lookupOnly.serialize("acks", SampleRecords.ack()))).isEqualTo(id);
    }

    @Test
    void keySerializerUsesTheKeySubject(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        ConfluentAvroSerializer keys = new ConfluentAvroSerializer(registry);
        keys.configure(Map.of(), true);
        keys.serialize("acks", SampleRecords.ack());
        assertThat(registry.idOf("acks-key", CheckpointAck.SCHEMA$)).isEqualTo(InMemorySchemaRegistry.idFor(CheckpointAck.SCHEMA$));
        assertThatThrownBy(() -> registry.idOf("acks-value", CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void configuredByPropertiesAsKafkaDoes(TestInfo test) {
        String scope = "serde-props-" + SCOPES.incrementAndGet();
        Map<String, Object> props = new HashMap<>();
        props.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope);
        props.put(AvroSerdeConfig.VALUE_SCHEMA_CONFIG, CheckstripeSchemas.STRIPES_TOPIC_VALUE_NAME);
        props.put("bootstrap.servers", "ignored:9092");
        try (ConfluentAvroSerializer serializer = new ConfluentAvroSerializer();
             ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>()) {
            serializer.configure(props, false);
            deserializer.configure(props, false);
            byte[] frame = serializer.serialize("stripes", SampleRecords.manifest());
            assertThat(idIn(frame)).isEqualTo(InMemorySchemaRegistry.idFor(CheckstripeSchemas.STRIPES_TOPIC_VALUE));
            assertThat(deserializer.deserialize("stripes", frame)).isEqualTo(SampleRecords.manifest());
        }
        assertThat(InMemorySchemaRegistry.forScope(scope).idOf("stripes-value", CheckstripeSchemas.STRIPES_TOPIC_VALUE))
                .isEqualTo(InMemorySchemaRegistry.idFor(CheckstripeSchemas.STRIPES_TOPIC_VALUE));
    }

    @Test
    void schemaConfigAcceptsNamesAndJson() {
        assertThat(new AvroSerdeConfig(Map.of(AvroSerdeConfig.VALUE_SCHEMA_CONFIG, "StripeUnit")).schema(false))
                .isSameAs(StripeUnit.SCHEMA$);
        assertThat(new AvroSerdeConfig(Map.of(AvroSerdeConfig.VALUE_SCHEMA_CONFIG,
                "io.checkstripe.schemas.avro.CheckpointSegment")).schema(false)).isSameAs(CheckpointSegment.SCHEMA$);
        assertThat(new AvroSerdeConfig(Map.of(AvroSerdeConfig.KEY_SCHEMA_CONFIG, "checkpoints-value")).schema(true))
                .isSameAs(CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE);
        assertThat(new AvroSerdeConfig(Map.of(AvroSerdeConfig.VALUE_SCHEMA_CONFIG,
                CheckpointCommit.SCHEMA$.toString())).schema(false)).isEqualTo(CheckpointCommit.SCHEMA$);
        AvroSerdeConfig defaults = new AvroSerdeConfig(Map.of());
        assertThat(defaults.schema(false)).isNull();
        assertThat(defaults.autoRegisterSchemas()).isTrue();
        assertThat(defaults.registry()).isSameAs(InMemorySchemaRegistry.embedded());
    }

    @Test
    void badConfigurationIsAConfigExceptionNamingTheKey() {
        assertThatThrownBy(() -> new AvroSerdeConfig(Map.of(AvroSerdeConfig.VALUE_SCHEMA_CONFIG, "NoSuchRecord")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.VALUE_SCHEMA_CONFIG)
                .hasMessageContaining("unknown schema \"NoSuchRecord\"");
        assertThatThrownBy(() -> new ConfluentAvroSerializer().configure(
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "ftp://registry"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url")
                .hasMessageContaining("ftp://registry");
        assertThatThrownBy(() -> new AvroSerdeConfig(Map.of(SchemaRegistryClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfigs.REQUEST_TIMEOUT_MS_CONFIG);
    }

    @Test
    void unconfiguredSerdesSayWhatIsMissing() {
        assertThatThrownBy(() -> new ConfluentAvroSerializer().serialize("t", SampleRecords.ack()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not configured");
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>().deserialize("t", new byte[] {0, 0, 0, 0, 1}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not configured");
    }

    @Test
    void serdeFactoryPairsBothHalves(TestInfo test) {
        InMemorySchemaRegistry registry = freshRegistry(test);
        try (var serde = AvroSerdes.<CheckpointManifest>forSchema(registry, CheckpointManifest.SCHEMA$, true)) {
            byte[] frame = serde.serializer().serialize("m", SampleRecords.manifest());
            CheckpointManifest back = serde.deserializer().deserialize("m", frame);
            assertThat(back).isEqualTo(SampleRecords.manifest());
        }
    }

    static int idIn(byte[] frame) {
        return ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16) | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
    }
}
