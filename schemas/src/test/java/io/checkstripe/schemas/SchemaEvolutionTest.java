package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointSegment;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The checkpoints topic's records gained a policy: what earlier releases wrote must stay readable, and back. */
class SchemaEvolutionTest {

    private static final Schema V1 = CheckstripeSchemas.previous().get(2);

    @Test
    void theCurrentSchemasReadVersionOneAndVersionOneReadsTheCurrent() {
        assertThat(V1.getType()).isEqualTo(Schema.Type.UNION);
        int checked = 0;
        for (Schema current : List.of(CheckpointSegment.SCHEMA$, CheckpointCommit.SCHEMA$,
                CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE)) {
            Schema old = current.getType() == Schema.Type.UNION ? V1 : V1.getTypes().stream()
                    .filter(s -> s.getFullName().equals(current.getFullName())).findFirst().orElseThrow();
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
                    .as("backward: %s reads what version 1 wrote", current.getName())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(old, current).getType())
                    .as("forward: version 1 reads %s", current.getName())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void aRecordVersionOneWroteIsReadWithoutAPolicyByAnotherProcess() {
        ConfluentAvroSerializer oldWriter = new ConfluentAvroSerializer(InMemorySchemaRegistry.newEmbedded(), V1,
                false);
        ConfluentAvroDeserializer<SpecificRecord> reader =
                new ConfluentAvroDeserializer<>(InMemorySchemaRegistry.newEmbedded());
        CheckpointSegment segment = SampleRecords.segment();
        GenericRecord written = new GenericData.Record(V1.getTypes().get(0));
        for (Schema.Field field : written.getSchema().getFields()) {
            written.put(field.name(), segment.get(field.name()));
        }

        SpecificRecord read = reader.deserialize("checkpoints", oldWriter.serialize("checkpoints", written));

        assertThat(read).isEqualTo(segment);
        assertThat(((CheckpointSegment) read).getPolicy()).isNull();
    }

    @Test
    void aPolicyRoundTripsThroughTheTopicsUnion() {
        Topics topics = new Topics(TopicNames.defaults(), InMemorySchemaRegistry.newEmbedded(), false);
        CheckpointSegment segment = SampleRecords.segment();
        segment.setPolicy("RS-6-3");
        CheckpointCommit commit = SampleRecords.commit();
        commit.setPolicy("RS-6-3");
        for (SpecificRecord record : List.<SpecificRecord>of(segment, commit)) {
            byte[] frame = topics.checkpoints().valueSerde().serializer().serialize("checkpoints", record);
            assertThat(topics.checkpoints().valueSerde().deserializer().deserialize("checkpoints", frame))
                    .isEqualTo(record);
        }
    }
}
