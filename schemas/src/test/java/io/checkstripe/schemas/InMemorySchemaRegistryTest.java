package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.StripeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

    @Test
    void idIsTheLow31BitsOfTheParsingFingerprint() {
        int checked = 0;
        for (Schema schema : CheckstripeSchemas.written()) {
            int expected = (int) (SchemaNormalization.parsingFingerprint64(schema) & 0x7fffffff);
            assertThat(InMemorySchemaRegistry.idFor(schema)).isEqualTo(expected).isNotNegative();
            assertThat(InMemorySchemaRegistry.forScope("ids").register("s", schema)).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(7);
        assertThat(CheckstripeSchemas.written().stream().map(InMemorySchemaRegistry::idFor).distinct().count())
                .as("distinct ids").isEqualTo(7);
    }

    @Test
    void twoFreshEmbeddedRegistriesAgreeOnEveryIdWithoutRegistering() {
        InMemorySchemaRegistry one = InMemorySchemaRegistry.newEmbedded();
        InMemorySchemaRegistry other = InMemorySchemaRegistry.newEmbedded();
        assertThat(one).isNotSameAs(other);
        for (Schema schema : CheckstripeSchemas.written()) {
            int id = InMemorySchemaRegistry.idFor(schema);
            assertThat(one.byId(id)).isEqualTo(schema);
            assertThat(other.byId(id)).isEqualTo(schema);
            assertThat(one.idOf("any-subject-value", schema)).as("pre-loaded counts as registered").isEqualTo(id);
            assertThat(one.register("stripes-value", schema)).isEqualTo(other.register("x-value", schema));
        }
    }

    @Test
    void recordWrittenWithOneEmbeddedRegistryIsReadWithAnother() {
        ConfluentAvroSerializer writerProcess =
                new ConfluentAvroSerializer(InMemorySchemaRegistry.newEmbedded(), CheckstripeSchemas.STRIPES_TOPIC_VALUE, false);
        ConfluentAvroDeserializer<SpecificRecord> readerProcess =
                new ConfluentAvroDeserializer<>(InMemorySchemaRegistry.newEmbedded());
        for (SpecificRecord record : new SpecificRecord[] {SampleRecords.stripeUnit(), SampleRecords.manifest()}) {
            assertThat(readerProcess.deserialize("stripes", writerProcess.serialize("stripes", record))).isEqualTo(record);
        }
        ConfluentAvroSerializer ownSchema = new ConfluentAvroSerializer(InMemorySchemaRegistry.newEmbedded());
        for (SpecificRecord record : SampleRecords.all()) {
            assertThat(readerProcess.deserialize("t", ownSchema.serialize("t", record))).isEqualTo(record);
        }
    }

    @Test
    void sameScopeIsTheSameRegistryAndScopesAreIsolated() {
        InMemorySchemaRegistry a = InMemorySchemaRegistry.forScope("iso-a");
        assertThat(InMemorySchemaRegistry.forScope("iso-a")).isSameAs(a);
        assertThat(SchemaRegistries.forUrl("mock://iso-a")).isSameAs(a);
        InMemorySchemaRegistry b = InMemorySchemaRegistry.forScope("iso-b");
        int id = a.register("acks-value", CheckpointAck.SCHEMA$);
        assertThat(a.byId(id)).isEqualTo(CheckpointAck.SCHEMA$);
        assertThatThrownBy(() -> b.byId(id))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("mock://iso-b: schema id " + id + " not found")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(a).hasToString("mock://iso-a");
        assertThatThrownBy(() -> InMemorySchemaRegistry.forScope("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lookupWithoutRegistrationReportsSubjectOrSchemaNotFound() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("lookup");
        assertThatThrownBy(() -> registry.idOf("nothing-value", CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("subject \"nothing-value\" not found")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        registry.register("acks-value", CheckpointAck.SCHEMA$);
        registry.register("stripes-value", StripeUnit.SCHEMA$);
        assertThatThrownBy(() -> registry.idOf("acks-value", StripeUnit.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("io.checkstripe.schemas.avro.StripeUnit is not registered under subject \"acks-value\"")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).isNotFound()).isTrue())
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(registry.idOf("acks-value", CheckpointAck.SCHEMA$)).isEqualTo(InMemorySchemaRegistry.idFor(CheckpointAck.SCHEMA$));
    }

    @Test
    void schemasDifferingOnlyInDocsShareAnId() {
        Schema plain = SchemaBuilder.record("R").fields().requiredLong("a").endRecord();
        Schema documented = SchemaBuilder.record("R").doc("explained").fields().name("a").doc("a field").type().longType()
                .noDefault().endRecord();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("docs");
        assertThat(registry.register("s", documented)).isEqualTo(registry.register("s", plain));
    }

    @Test
    void differentSchemasWithTheSameIdAreACollisionNamingBoth() {
        // Found by search: the low 31 bits of these two fingerprints are equal.
        Schema first = SchemaBuilder.record("R").fields().requiredLong("f28348719").endRecord();
        Schema second = SchemaBuilder.record("R").fields().requiredLong("f34004006").endRecord();
        assertThat(InMemorySchemaRegistry.idFor(first)).isEqualTo(InMemorySchemaRegistry.idFor(second)).isEqualTo(1336304060);
        assertThat(SchemaNormalization.toParsingForm(first)).isNotEqualTo(SchemaNormalization.toParsingForm(second));

        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("collision");
        registry.register("a-value", first);
        assertThatThrownBy(() -> registry.register("b-value", second))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("schema id 1336304060 collision")
                .hasMessageContaining("f28348719")
                .hasMessageContaining("f34004006");
        assertThat(registry.byId(1336304060)).isEqualTo(first);
    }

    @Test
    void forUrlChoosesTheImplementation() {
        assertThat(SchemaRegistries.forUrl(null)).isSameAs(InMemorySchemaRegistry.embedded());
        assertThat(SchemaRegistries.forUrl("  ")).isSameAs(InMemorySchemaRegistry.embedded());
        assertThat(SchemaRegistries.forUrl("embedded:")).isSameAs(InMemorySchemaRegistry.embedded()).hasToString("embedded:");
        assertThat(SchemaRegistries.forUrl("mock://urls")).isSameAs(InMemorySchemaRegistry.forScope("urls"));
        assertThat(SchemaRegistries.forUrl("http://127.0.0.1:8081/apis/ccompat/v7/"))
                .isInstanceOf(HttpSchemaRegistry.class)
                .hasToString("http://127.0.0.1:8081/apis/ccompat/v7");
        assertThat(SchemaRegistries.forUrl("https://registry.example.com")).isInstanceOf(HttpSchemaRegistry.class);
        assertThatThrownBy(() -> SchemaRegistries.forUrl("registry:8081"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"registry:8081\"");
        assertThat(SchemaRegistries.forUrl("http://a:1, https://b:2/"))
                .isInstanceOf(HttpSchemaRegistry.class)
                .hasToString("http://a:1,https://b:2");
    }
}
