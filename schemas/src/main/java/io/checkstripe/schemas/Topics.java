package io.checkstripe.schemas;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * checkstripe's topics with their serdes, in one immutable place.
 *
 * <table>
 *   <caption>Topics</caption>
 *   <tr><th>topic</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@link #checkpoints()}</td><td>appId</td>
 *       <td>union [CheckpointSegment, CheckpointCommit]</td></tr>
 *   <tr><td>{@link #stripes()}</td><td>appId/checkpointId</td>
 *       <td>union [StripeUnit, CheckpointManifest]</td></tr>
 *   <tr><td>{@link #manifests()}</td><td>appId/checkpointId</td><td>CheckpointManifest (compacted)</td></tr>
 *   <tr><td>{@link #acks()}</td><td>appId/checkpointId</td><td>CheckpointAck</td></tr>
 *   <tr><td>{@link #deadLetters()}</td><td>original key bytes</td>
 *       <td>original value bytes, reason in the {@code DLQ_*_HEADER} headers</td></tr>
 * </table>
 *
 * <p>Keys are plain UTF-8 strings; values use the Confluent wire format through
 * {@link AvroSerdes}, with the subject {@code <topic>-value}. Values of the union topics come
 * out as {@link SpecificRecord}; tell the members apart with {@code instanceof}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Topics {

    /** DLQ header: why the record could not be processed (UTF-8 text). */
    public static final String DLQ_REASON_HEADER = "checkstripe.dlq.reason";

    /** DLQ header: the topic the record came from. */
    public static final String DLQ_TOPIC_HEADER = "checkstripe.dlq.topic";

    /** DLQ header: the partition it came from (decimal text). */
    public static final String DLQ_PARTITION_HEADER = "checkstripe.dlq.partition";

    /** DLQ header: its offset there (decimal text). */
    public static final String DLQ_OFFSET_HEADER = "checkstripe.dlq.offset";

    /** DLQ header: the exception that rejected it, class name and message. */
    public static final String DLQ_EXCEPTION_HEADER = "checkstripe.dlq.exception";

    /**
     * DLQ header of a record refused for its redundancy policy ({@code policy-not-allowed},
     * {@code too-few-servers}): the policy its checkpoint asked for, as the record names it.
     */
    public static final String DLQ_POLICY_HEADER = "checkstripe.dlq.policy";

    /** DLQ header of a {@code policy-not-allowed} record: the policies the striper allows, comma-separated. */
    public static final String DLQ_ALLOWED_POLICIES_HEADER = "checkstripe.dlq.allowed.policies";

    /** DLQ header of a {@code too-few-servers} record: N, the backup servers (stripes topic partitions) there are. */
    public static final String DLQ_SERVERS_HEADER = "checkstripe.dlq.servers";

    private final TopicNames names;
    private final SchemaRegistry registry;
    private final Topic<String, SpecificRecord> checkpoints;
    private final Topic<String, SpecificRecord> stripes;
    private final Topic<String, CheckpointManifest> manifests;
    private final Topic<String, CheckpointAck> acks;
    private final Topic<byte[], byte[]> deadLetters;

    /** Topics with these names whose serdes register their schemas in {@code registry}. */
    public Topics(TopicNames names, SchemaRegistry registry) {
        this(names, registry, true);
    }

    /**
     * @param names        the topic names
     * @param registry     where the value serdes register and fetch schemas
     * @param autoRegister whether the serializers register their schemas or only look them up
     */
    public Topics(TopicNames names, SchemaRegistry registry, boolean autoRegister) {
        if (names == null || registry == null) {
            throw new IllegalArgumentException("topic names and schema registry must not be null, got " + names
                    + " and " + registry);
        }
        this.names = names;
        this.registry = registry;
        Serde<String> keys = Serdes.String();
        this.checkpoints = new Topic<>(names.checkpoints(), keys,
                AvroSerdes.forSchema(registry, CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE, autoRegister));
        this.stripes = new Topic<>(names.stripes(), keys,
                AvroSerdes.forSchema(registry, CheckstripeSchemas.STRIPES_TOPIC_VALUE, autoRegister));
        this.manifests = new Topic<>(names.manifests(), keys,
                AvroSerdes.forSchema(registry, CheckpointManifest.SCHEMA$, autoRegister));
        this.acks = new Topic<>(names.acks(), keys, AvroSerdes.forSchema(registry, CheckpointAck.SCHEMA$, autoRegister));
        this.deadLetters = new Topic<>(names.deadLetters(), Serdes.ByteArray(), Serdes.ByteArray());
    }

    /** Default names, embedded registry: what every checkstripe program uses unless told otherwise. */
    public static Topics defaults() {
        return new Topics(TopicNames.defaults(), InMemorySchemaRegistry.embedded());
    }

    /** The names. */
    public TopicNames names() {
        return names;
    }

    /** The registry the value serdes use. */
    public SchemaRegistry registry() {
        return registry;
    }

    /** Published segments and commits; key appId; value a CheckpointSegment or CheckpointCommit. */
    public Topic<String, SpecificRecord> checkpoints() {
        return checkpoints;
    }

    /** Stripe units and manifests, partition i for backup server i; value a StripeUnit or CheckpointManifest. */
    public Topic<String, SpecificRecord> stripes() {
        return stripes;
    }

    /** Compacted manifests, one per checkpoint key. */
    public Topic<String, CheckpointManifest> manifests() {
        return manifests;
    }

    /** Backup servers' acknowledgements. */
    public Topic<String, CheckpointAck> acks() {
        return acks;
    }

    /** Dead letters, raw bytes as they arrived. */
    public Topic<byte[], byte[]> deadLetters() {
        return deadLetters;
    }

    /**
     * The key of a checkpoint's records on the stripes, manifests and acks topics:
     * {@code appId/checkpointId}.
     *
     * @throws IllegalArgumentException naming a bad application id or a negative checkpoint id
     */
    public static String checkpointKey(String appId, long checkpointId) {
        return new CheckpointKey(appId, checkpointId).toString();
    }

    /**
     * Parses a key made by {@link #checkpointKey(String, long)}.
     *
     * @throws IllegalArgumentException naming the key when it is malformed
     */
    public static CheckpointKey parseCheckpointKey(String key) {
        return CheckpointKey.parse(key);
    }
}
