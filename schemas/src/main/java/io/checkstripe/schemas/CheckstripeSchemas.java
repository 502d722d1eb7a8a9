package io.checkstripe.schemas;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every Avro schema checkstripe writes, and the value schemas of its topics.
 *
 * <p>Two topics carry two record types each, so their value schema is a union: the
 * checkpoints topic's value is [{@link CheckpointSegment}, {@link CheckpointCommit}] (segments
 * and their commit must stay in one partition, in order) and the stripes topic's value is
 * [{@link StripeUnit}, {@link CheckpointManifest}] (a backup server reads its cells and the
 * manifests from its one partition). Built from the generated classes' {@code SCHEMA$}, so the
 * {@code .avsc} files stay the one source of truth.
 *
 * <p>{@link Schema} objects accept new properties; treat these as read-only. Thread-safe.
 */
public final class CheckstripeSchemas {

    /** Value schema of the checkpoints topic: union [CheckpointSegment, CheckpointCommit]. */
    public static final Schema CHECKPOINTS_TOPIC_VALUE =
            Schema.createUnion(CheckpointSegment.SCHEMA$, CheckpointCommit.SCHEMA$);

    /** Value schema of the stripes topic: union [StripeUnit, CheckpointManifest]. */
    public static final Schema STRIPES_TOPIC_VALUE = Schema.createUnion(StripeUnit.SCHEMA$, CheckpointManifest.SCHEMA$);

    /** {@link #named(String) Name} of {@link #CHECKPOINTS_TOPIC_VALUE} (its subject under the default topic name). */
    public static final String CHECKPOINTS_TOPIC_VALUE_NAME = "checkpoints-value";

    /** {@link #named(String) Name} of {@link #STRIPES_TOPIC_VALUE} (its subject under the default topic name). */
    public static final String STRIPES_TOPIC_VALUE_NAME = "stripes-value";

    private static final List<Schema> RECORDS = List.of(CheckpointSegment.SCHEMA$, CheckpointCommit.SCHEMA$,
            StripeUnit.SCHEMA$, CheckpointManifest.SCHEMA$, CheckpointAck.SCHEMA$);

    private static final List<Schema> WRITTEN;

    private static final Map<String, Schema> BY_NAME;

    static {
        List<Schema> written = new ArrayList<>(RECORDS);
        written.add(CHECKPOINTS_TOPIC_VALUE);
        written.add(STRIPES_TOPIC_VALUE);
        WRITTEN = List.copyOf(written);

        Map<String, Schema> byName = new LinkedHashMap<>();
        for (Schema record : RECORDS) {
            byName.put(record.getName(), record);
            byName.put(record.getFullName(), record);
        }
        byName.put(CHECKPOINTS_TOPIC_VALUE_NAME, CHECKPOINTS_TOPIC_VALUE);
        byName.put(STRIPES_TOPIC_VALUE_NAME, STRIPES_TOPIC_VALUE);
        BY_NAME = Map.copyOf(byName);
    }

    private CheckstripeSchemas() {
    }

    /** The five record schemas. */
    public static List<Schema> records() {
        return RECORDS;
    }

    /** Every schema checkstripe writes to a topic: the five records and the two topic unions. */
    public static List<Schema> written() {
        return WRITTEN;
    }

    /**
     * Resolves a schema given by name or as Avro JSON, as serde configuration gives it.
     *
     * @param nameOrJson a record's simple or full name ({@code StripeUnit},
     *                   {@code io.checkstripe.schemas.avro.StripeUnit}), {@value #CHECKPOINTS_TOPIC_VALUE_NAME},
     *                   {@value #STRIPES_TOPIC_VALUE_NAME}, or an Avro schema in JSON
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static Schema named(String nameOrJson) {
        if (nameOrJson == null || nameOrJson.isBlank()) {
            throw new IllegalArgumentException("schema name must not be empty; known names: " + knownNames());
        }
        String text = nameOrJson.strip();
        Schema known = BY_NAME.get(text);
        if (known != null) {
            return known;
        }
        char first = text.charAt(0);
        if (first == '{' || first == '[' || first == '"') {
            try {
                return new Schema.Parser().parse(text);
            } catch (SchemaParseException e) {
                throw new IllegalArgumentException("invalid Avro schema JSON " + text + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("unknown schema \"" + text + "\": expected Avro JSON or one of "
                + knownNames());
    }

    /**
     * The schema to read data written with {@code writer} into generated classes: every record
     * of {@code writer} (at top level or as a union branch) for which a generated
     * {@link SpecificRecord} class is on the class path is replaced by that class's schema, so
     * schema resolution fills the class's fields by name, whatever order or version the writer
     * used. Records without a class are read as generic records.
     */
    public static Schema readerFor(Schema writer) {
        switch (writer.getType()) {
            case RECORD:
                Class<?> generated = SpecificData.get().getClass(writer);
                return generated != null && SpecificRecord.class.isAssignableFrom(generated)
                        ? SpecificData.get().getSchema(generated)
                        : writer;
            case UNION:
                List<Schema> branches = new ArrayList<>(writer.getTypes().size());
                for (Schema branch : writer.getTypes()) {
                    branches.add(readerFor(branch));
                }
                return Schema.createUnion(branches);
            default:
                return writer;
        }
    }

    private static String knownNames() {
        return BY_NAME.keySet().stream().filter(n -> !n.contains(".")).sorted().toList().toString();
    }
}
