package io.checkstripe.schemas;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * <p>Earlier versions of the schemas stay {@linkplain #previous() known}: records that a previous
 * release wrote (a checkpoint still on its topic during an upgrade) carry those versions' ids, and a
 * registry that no server holds (the embedded one) can only resolve ids it was given. The first version
 * of the checkpoints topic's union, before segments and commits named their policy, is kept as a resource
 * ({@value #CHECKPOINTS_TOPIC_VALUE_V1}).
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

    /** Resource holding version 1 of {@link #CHECKPOINTS_TOPIC_VALUE}, as the Avro JSON of the union. */
    static final String CHECKPOINTS_TOPIC_VALUE_V1 = "checkpoints-value-v1.avsc";

    private static final List<Schema> WRITTEN;

    private static final List<Schema> PREVIOUS;

    private static final Map<String, Schema> BY_NAME;

    static {
        List<Schema> written = new ArrayList<>(RECORDS);
        written.add(CHECKPOINTS_TOPIC_VALUE);
        written.add(STRIPES_TOPIC_VALUE);
        WRITTEN = List.copyOf(written);

        Schema checkpointsV1 = resource(CHECKPOINTS_TOPIC_VALUE_V1);
        List<Schema> previous = new ArrayList<>(checkpointsV1.getTypes());
        previous.add(checkpointsV1);
        PREVIOUS = List.copyOf(previous);

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
     * Earlier versions of the schemas that records on the topics may still carry: version 1 of
     * CheckpointSegment and CheckpointCommit and of their union. Readable into the generated
     * classes, their newer fields taking their defaults; never written.
     */
    public static List<Schema> previous() {
        return PREVIOUS;
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

    private static Schema resource(String name) {
        try (InputStream in = CheckstripeSchemas.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + name + " is missing from the class path");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + name, e);
        }
    }

    private static String knownNames() {
        return BY_NAME.keySet().stream().filter(n -> !n.contains(".")).sorted().toList().toString();
    }
}
