package io.checkstripe.schemas;

import io.checkstripe.crypto.AppKeyDirectory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The configuration keys every checkstripe program shares, defined once so that one properties
 * file configures the producer, the striper and the sinks alike: the topic names
 * ({@value #TOPIC_PREFIX_CONFIG} and {@code checkstripe.topic.<topic>}), the schema registry
 * client's ({@value #SCHEMA_REGISTRY_URL_CONFIG} and the rest of {@link SchemaRegistryClientConfigs}), the
 * applications' public keys the striper and the sinks check signatures with
 * ({@value #APP_KEYS_DIR_CONFIG}), and the rule by which Kafka client settings pass through
 * ({@code producer.}, {@code consumer.} and {@code admin.} prefixed keys reach that client only
 * and win over unprefixed ones).
 *
 * <p>Each program's {@link AbstractConfig} adds the definitions it needs to its {@link ConfigDef}
 * and reads the values back through the static methods here. Stateless and thread-safe.
 */
public final class CommonConfigs {

    /** Prefix of the keys checkstripe owns; they are never passed to a Kafka client. */
    public static final String PREFIX = "checkstripe.";

    /** Prefix of keys meant for the producer only. */
    public static final String PRODUCER_PREFIX = "producer.";

    /** Prefix of keys meant for the consumers only. */
    public static final String CONSUMER_PREFIX = "consumer.";

    /** Prefix of keys meant for the Admin client only. */
    public static final String ADMIN_PREFIX = "admin.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = SchemaRegistryClientConfigs.URL_CONFIG;
    public static final String SCHEMA_REGISTRY_URL_DOC = SchemaRegistryClientConfigs.URL_DOC;

    public static final String TOPIC_PREFIX_CONFIG = "checkstripe.topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Put in front of every default topic name, e.g. 'prod.' gives "
            + "prod.checkpoints, prod.stripes, ... A topic whose name is set individually is not prefixed.";

    public static final String TOPIC_CHECKPOINTS_CONFIG = "checkstripe.topic.checkpoints";
    public static final String TOPIC_CHECKPOINTS_DOC = "Topic of published segments and commits (key: appId), which "
            + "the striper reads; empty: prefix + checkpoints.";

    public static final String TOPIC_STRIPES_CONFIG = "checkstripe.topic.stripes";
    public static final String TOPIC_STRIPES_DOC = "Topic of stripe units and manifests, partition i for backup "
            + "server i, written by the striper (or by a producer with checkstripe.stripe.locally=true); empty: "
            + "prefix + stripes.";

    public static final String TOPIC_MANIFESTS_CONFIG = "checkstripe.topic.manifests";
    public static final String TOPIC_MANIFESTS_DOC = "Compacted topic of checkpoint manifests (key: "
            + "appId/checkpointId), written by the striper (or by a producer with checkstripe.stripe.locally=true) "
            + "and read for the newest committed checkpoint and the number of servers; empty: prefix + "
            + "checkpoint-manifests.";

    public static final String TOPIC_ACKS_CONFIG = "checkstripe.topic.acks";
    public static final String TOPIC_ACKS_DOC = "Topic of the backup servers' durability acknowledgements "
            + "(CheckpointAck), read when waiting until a checkpoint is protected; empty: prefix + checkpoint-acks.";

    public static final String TOPIC_DLQ_CONFIG = "checkstripe.topic.dlq";
    public static final String TOPIC_DLQ_DOC = "Dead-letter topic of the records the striper or a sink refuses, "
            + "the reason in its headers; empty: prefix + checkpoints-dlq.";

    public static final String TOPIC_MAX_MESSAGE_BYTES_CONFIG = "checkstripe.topic.max.message.bytes";
    public static final String TOPIC_MAX_MESSAGE_BYTES_DOC = "Largest record of the checkpoints, stripes and "
            + "dead-letter topics: their max.message.bytes when the striper creates them, and, unless set, the "
            + "max.request.size of the striper's and the sinks' producers and the max.partition.fetch.bytes of "
            + "their consumers. Must hold the largest segment or cell plus about 1 KiB of record overhead; 8 MiB "
            + "fits the default 1 MiB segments with room to spare.";

    public static final String APP_KEYS_DIR_CONFIG = "checkstripe.app.keys.dir";
    public static final String APP_KEYS_DIR_DOC = "Directory of the applications' public keys, one <appId>.pub "
            + "file per application with a key (the K.pub that 'checkstripe keygen --out K' writes, renamed). A "
            + "checkpoint of an application with a file here counts only with a valid signature by one of its keys: "
            + "the striper dead-letters its commit, a sink its manifest, with reason bad-signature. Files are read "
            + "again when they change; an unreadable one refuses every checkpoint of its application. Give the "
            + "striper and every sink the same directory. Default: none, no application is keyed.";

    /**
     * The redundancy policies a checkpoint may ask for, where it is striped: by the striper, or by a publisher
     * with {@code checkstripe.stripe.locally}; {@code checkstripe.policy} must be one of them.
     */
    public static final String ALLOWED_POLICIES_CONFIG = "checkstripe.allowed.policies";

    /** Address a process's HTTP server binds to (the sink's API, the striper's metrics and health). */
    public static final String HTTP_HOST_CONFIG = "checkstripe.http.host";
    public static final String HTTP_HOST_DEFAULT = "127.0.0.1";

    /** Port of a process's HTTP server: 0 picks a free one, {@value #NO_HTTP} runs none. */
    public static final String HTTP_PORT_CONFIG = "checkstripe.http.port";

    /** {@value #HTTP_PORT_CONFIG} value that turns the HTTP server off. */
    public static final int NO_HTTP = -1;

    /** The address of {@value #HTTP_HOST_CONFIG} and {@value #HTTP_PORT_CONFIG}; null when the port is -1. */
    public static InetSocketAddress httpAddress(AbstractConfig config) {
        int port = config.getInt(HTTP_PORT_CONFIG);
        return port == NO_HTTP ? null : new InetSocketAddress(config.getString(HTTP_HOST_CONFIG), port);
    }

    /** A topic whose name a program takes from its configuration, with the key that overrides it. */
    public enum TopicKey {
        CHECKPOINTS(TOPIC_CHECKPOINTS_CONFIG, TOPIC_CHECKPOINTS_DOC, Importance.MEDIUM, TopicNames::withCheckpoints),
        STRIPES(TOPIC_STRIPES_CONFIG, TOPIC_STRIPES_DOC, Importance.MEDIUM, TopicNames::withStripes),
        MANIFESTS(TOPIC_MANIFESTS_CONFIG, TOPIC_MANIFESTS_DOC, Importance.MEDIUM, TopicNames::withManifests),
        ACKS(TOPIC_ACKS_CONFIG, TOPIC_ACKS_DOC, Importance.LOW, TopicNames::withAcks),
        DEAD_LETTERS(TOPIC_DLQ_CONFIG, TOPIC_DLQ_DOC, Importance.MEDIUM, TopicNames::withDeadLetters);

        private final String key;
        private final String doc;
        private final Importance importance;
        private final BiFunction<TopicNames, String, TopicNames> with;

        TopicKey(String key, String doc, Importance importance, BiFunction<TopicNames, String, TopicNames> with) {
            this.key = key;
            this.doc = doc;
            this.importance = importance;
            this.with = with;
        }

        /** The key naming this topic, e.g. {@value #TOPIC_STRIPES_CONFIG}. */
        public String key() {
            return key;
        }
    }

    private CommonConfigs() {
    }

    /**
     * Defines {@value #TOPIC_PREFIX_CONFIG} and the name key of each of {@code topics}, every one
     * a string defaulting to empty (the prefixed default name).
     *
     * @return {@code def}, for chaining
     */
    public static ConfigDef addTopicConfigs(ConfigDef def, Set<TopicKey> topics) {
        def.define(TOPIC_PREFIX_CONFIG, Type.STRING, "", Importance.MEDIUM, TOPIC_PREFIX_DOC);
        for (TopicKey topic : TopicKey.values()) {
            if (topics.contains(topic)) {
                def.define(topic.key, Type.STRING, "", topic.importance, topic.doc);
            }
        }
        return def;
    }

    /**
     * The default topic names with {@value #TOPIC_PREFIX_CONFIG} in front, then each name set
     * individually by a key {@link #addTopicConfigs} defined in {@code config}.
     *
     * @throws ConfigException when a name is not a legal topic name or two topics share one
     */
    public static TopicNames topicNames(AbstractConfig config) {
        Map<String, ?> defined = config.values();
        try {
            TopicNames names = TopicNames.defaults().withPrefix(config.getString(TOPIC_PREFIX_CONFIG));
            for (TopicKey topic : TopicKey.values()) {
                if (defined.containsKey(topic.key)) {
                    String name = config.getString(topic.key);
                    names = name.isEmpty() ? names : topic.with.apply(names, name);
                }
            }
            return names;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid topic names (" + TOPIC_PREFIX_CONFIG + " or " + PREFIX + "topic.*): "
                    + e.getMessage());
        }
    }

    /**
     * Defines {@value #TOPIC_MAX_MESSAGE_BYTES_CONFIG}, an int of at least 1 MiB defaulting to
     * {@link TopicProvisioner.Settings#DEFAULT_MAX_MESSAGE_BYTES}, so that the striper's topics and
     * the sinks' fetch sizes agree.
     *
     * @return {@code def}, for chaining
     */
    public static ConfigDef addMaxMessageBytes(ConfigDef def) {
        return def.define(TOPIC_MAX_MESSAGE_BYTES_CONFIG, Type.INT, TopicProvisioner.Settings.DEFAULT_MAX_MESSAGE_BYTES,
                ConfigDef.Range.atLeast(1 << 20), Importance.LOW, TOPIC_MAX_MESSAGE_BYTES_DOC);
    }

    /**
     * Defines {@value #APP_KEYS_DIR_CONFIG}, a directory path defaulting to none.
     *
     * @return {@code def}, for chaining
     */
    public static ConfigDef addAppKeysDir(ConfigDef def) {
        return def.define(APP_KEYS_DIR_CONFIG, Type.STRING, null, Importance.HIGH, APP_KEYS_DIR_DOC);
    }

    /**
     * The public keys {@value #APP_KEYS_DIR_CONFIG} names, or {@link AppKeyDirectory#none()} when it is not set.
     *
     * @throws ConfigException when the path is not a directory
     */
    public static AppKeyDirectory appKeys(AbstractConfig config) {
        String dir = config.getString(APP_KEYS_DIR_CONFIG);
        if (dir == null || dir.isBlank()) {
            return AppKeyDirectory.none();
        }
        try {
            return AppKeyDirectory.of(Path.of(dir));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(APP_KEYS_DIR_CONFIG, dir, e.getMessage());
        }
    }

    /**
     * Defines the schema registry client's keys: {@value #SCHEMA_REGISTRY_URL_CONFIG}, defaulting to
     * empty (the embedded registry), and the authentication, TLS, timeout and retry settings of
     * {@link SchemaRegistryClientConfigs}.
     *
     * @return {@code def}, for chaining
     */
    public static ConfigDef addSchemaRegistry(ConfigDef def) {
        return SchemaRegistryClientConfigs.define(def);
    }

    /**
     * The registry the keys {@link #addSchemaRegistry} defined describe.
     *
     * @throws ConfigException naming the key when a value is not usable (never quoting a password)
     */
    public static SchemaRegistry schemaRegistry(AbstractConfig config) {
        return SchemaRegistryClientConfigs.registry(config);
    }

    /**
     * The settings of one Kafka client: every original key in {@code known} (the client's own
     * {@code configNames()}), then {@code bootstrap.servers} as one comma-separated string, then
     * the {@code clientPrefix}-prefixed keys with the prefix cut off, which win over both.
     *
     * @param config       a configuration that defines {@code bootstrap.servers} as a list
     * @param known        the keys the client understands
     * @param clientPrefix {@link #PRODUCER_PREFIX}, {@link #CONSUMER_PREFIX} or {@link #ADMIN_PREFIX}
     * @return a new mutable map, for the caller's defaults and forced settings
     */
    public static Map<String, Object> clientProps(AbstractConfig config, Set<String> known, String clientPrefix) {
        Map<String, Object> props = new HashMap<>();
        config.originals().forEach((key, value) -> {
            if (known.contains(key)) {
                props.put(key, value);
            }
        });
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)));
        props.putAll(config.originalsWithPrefix(clientPrefix));
        return props;
    }
}
