package io.checkstripe.striper;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.schemas.CommonConfigs.TopicKey;
import io.checkstripe.schemas.CommonConfigs;
import io.checkstripe.schemas.SchemaRegistry;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import io.checkstripe.schemas.Topics;
import io.checkstripe.striping.PolicyStripers;
import io.checkstripe.striping.SegmentStriper;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the striper job, in Kafka's own style: the {@code checkstripe.*} keys below,
 * a few Kafka Streams keys with defaults chosen for this job, and every other key passed
 * through unchanged to Kafka Streams and its clients ({@code bootstrap.servers}, security
 * settings, {@code producer.*}/{@code consumer.*}/{@code admin.*} prefixed client settings).
 * A CLI builds the map as Kafka's tools do: the {@code --command-config} file first, then the
 * command-line options over it.
 *
 * <p>The job always runs with {@code processing.guarantee=exactly_once_v2}; any other value is
 * refused, because the per-application progress store and the cells must commit together.
 *
 * <p>Throughput defaults, each overridable by setting the key: producer {@code batch.size} 1 MiB,
 * {@code linger.ms} 5, {@code compression.type} none (cells are dense data that does not
 * compress), {@code buffer.memory} 64 MiB and {@code max.request.size} equal to
 * {@value #TOPIC_MAX_MESSAGE_BYTES_CONFIG}; consumer {@code max.partition.fetch.bytes} equal to
 * it as well, {@code fetch.max.bytes} 64 MiB; {@code buffered.records.per.partition} 32, so a
 * partition full of 1 MiB segments buffers at most 32 MiB. Internal topics (the progress
 * store's changelog) get {@value #TOPIC_REPLICATION_FACTOR_CONFIG} unless
 * {@code replication.factor} is set.
 *
 * <p>Immutable and thread-safe.
 */
public final class StriperConfig extends AbstractConfig {

    /** Prefix of the keys this class owns; they are not passed to Kafka Streams. */
    public static final String PREFIX = CommonConfigs.PREFIX;

    public static final String POLICY_CONFIG = "checkstripe.policy";
    public static final String POLICY_DOC = "Redundancy policy of a checkpoint that names none: STRIPE-K, XOR-K-1, "
            + "RS-K-M or MIRROR-R, optionally with a fixed cell size such as RS-6-3-1024k. It must be one of "
            + CommonConfigs.ALLOWED_POLICIES_CONFIG + ".";
    public static final String POLICY_DEFAULT = "RS-3-2";

    public static final String ALLOWED_POLICIES_CONFIG = CommonConfigs.ALLOWED_POLICIES_CONFIG;
    public static final String ALLOWED_POLICIES_DOC = "Redundancy policies a checkpoint may ask for, comma-separated "
            + "(e.g. RS-3-2,RS-6-3,MIRROR-3), compared by canonical name. Every record of a checkpoint asking for "
            + "another is sent to the dead-letter topic (policy-not-allowed), and so is one of a checkpoint whose "
            + "policy needs more cells per stripe than there are backup servers (too-few-servers). Default: empty, "
            + "which allows only " + POLICY_CONFIG + ".";

    public static final String SERVERS_CONFIG = "checkstripe.servers";
    public static final String SERVERS_DOC = "N, the number of backup servers, which is also the exact number of "
            + "partitions of the stripes topic; at least the policy's cells per stripe (K + M). Required.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = CommonConfigs.SCHEMA_REGISTRY_URL_CONFIG;
    public static final String TOPIC_PREFIX_CONFIG = CommonConfigs.TOPIC_PREFIX_CONFIG;
    public static final String TOPIC_CHECKPOINTS_CONFIG = CommonConfigs.TOPIC_CHECKPOINTS_CONFIG;
    public static final String TOPIC_STRIPES_CONFIG = CommonConfigs.TOPIC_STRIPES_CONFIG;
    public static final String TOPIC_MANIFESTS_CONFIG = CommonConfigs.TOPIC_MANIFESTS_CONFIG;
    public static final String TOPIC_ACKS_CONFIG = CommonConfigs.TOPIC_ACKS_CONFIG;
    public static final String TOPIC_DLQ_CONFIG = CommonConfigs.TOPIC_DLQ_CONFIG;

    public static final String TOPIC_CREATE_CONFIG = "checkstripe.topic.create";
    public static final String TOPIC_CREATE_DOC = "Create missing topics at start. Existing topics are always "
            + "checked: the stripes topic must have exactly N partitions and the manifests topic must be compacted.";

    public static final String TOPIC_CHECKPOINTS_PARTITIONS_CONFIG = "checkstripe.topic.checkpoints.partitions";
    public static final String TOPIC_CHECKPOINTS_PARTITIONS_DOC = "Partitions of the checkpoints topic when the job "
            + "creates it; the number of striper tasks that can run in parallel.";

    public static final String TOPIC_MANIFESTS_PARTITIONS_CONFIG = "checkstripe.topic.manifests.partitions";
    public static final String TOPIC_MANIFESTS_PARTITIONS_DOC = "Partitions of the manifests topic when the job "
            + "creates it.";

    public static final String TOPIC_ACKS_PARTITIONS_CONFIG = "checkstripe.topic.acks.partitions";
    public static final String TOPIC_ACKS_PARTITIONS_DOC = "Partitions of the acks topic when the job creates it.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "checkstripe.topic.replication.factor";
    public static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics the job creates, "
            + "including its internal changelog topic; -1 takes the broker's default.replication.factor. Use 3 on a "
            + "production cluster.";

    public static final String TOPIC_MAX_MESSAGE_BYTES_CONFIG = CommonConfigs.TOPIC_MAX_MESSAGE_BYTES_CONFIG;

    public static final String PROVISION_TIMEOUT_MS_CONFIG = "checkstripe.provision.timeout.ms";
    public static final String PROVISION_TIMEOUT_MS_DOC = "How long creating and checking the topics at start may "
            + "wait for Kafka before the start fails with a Kafka TimeoutException (Kafka unreachable).";

    public static final String HTTP_HOST_CONFIG = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_HOST_DEFAULT = CommonConfigs.HTTP_HOST_DEFAULT;
    public static final String HTTP_HOST_DOC = "Address the striper's HTTP server (GET /metrics, GET /health) binds "
            + "to; 0.0.0.0 for every interface.";

    public static final String HTTP_PORT_CONFIG = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String HTTP_PORT_DOC = "Port of the striper's HTTP server (GET /metrics, GET /health): 0 "
            + "picks a free port, -1 (the default) runs none.";

    public static final String APP_KEYS_DIR_CONFIG = CommonConfigs.APP_KEYS_DIR_CONFIG;

    public static final String APPLICATION_ID_DEFAULT = "checkstripe-striper";
    public static final long COMMIT_INTERVAL_MS_DEFAULT = 100L;

    private static final ConfigDef CONFIG = CommonConfigs.addTopicConfigs(CommonConfigs.addAppKeysDir(
            CommonConfigs.addMaxMessageBytes(CommonConfigs.addSchemaRegistry(new ConfigDef()))),
            EnumSet.allOf(TopicKey.class))
            .define(POLICY_CONFIG, Type.STRING, POLICY_DEFAULT, new PolicyValidator(), Importance.HIGH, POLICY_DOC)
            .define(ALLOWED_POLICIES_CONFIG, Type.LIST, "", Importance.HIGH, ALLOWED_POLICIES_DOC)
            .define(SERVERS_CONFIG, Type.INT, ConfigDef.NO_DEFAULT_VALUE, Range.atLeast(1), Importance.HIGH,
                    SERVERS_DOC)
            .define(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.LambdaValidator.with((name, value) -> {
                        if (((List<?>) value).isEmpty()) {
                            throw new ConfigException(name, value, "name at least one broker, host:port");
                        }
                    }, () -> "host:port[,host:port...]"), Importance.HIGH, "Kafka brokers to connect to.")
            .define(StreamsConfig.APPLICATION_ID_CONFIG, Type.STRING, APPLICATION_ID_DEFAULT,
                    new ConfigDef.NonEmptyString(), Importance.HIGH, "Kafka Streams application id: the consumer "
                            + "group, the transactional id prefix and the prefix of internal topics.")
            .define(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2), Importance.LOW,
                    "Always exactly_once_v2: cells, manifests, dead letters and progress commit atomically.")
            .define(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Type.LONG, COMMIT_INTERVAL_MS_DEFAULT, Range.atLeast(0),
                    Importance.MEDIUM, "How often a transaction commits while checkpoints are in flight: more "
                            + "segments per transaction, fewer commits. A checkpoint's last record commits at once, "
                            + "so this does not delay protection.")
            .define(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
                    "Stream threads of this instance; each stripes the checkpoints partitions assigned to it.")
            .define(TOPIC_CREATE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TOPIC_CREATE_DOC)
            .define(TOPIC_CHECKPOINTS_PARTITIONS_CONFIG, Type.INT, TopicProvisioner.Settings.DEFAULT_CHECKPOINTS_PARTITIONS,
                    Range.atLeast(1), Importance.MEDIUM, TOPIC_CHECKPOINTS_PARTITIONS_DOC)
            .define(TOPIC_MANIFESTS_PARTITIONS_CONFIG, Type.INT, TopicProvisioner.Settings.DEFAULT_MANIFESTS_PARTITIONS,
                    Range.atLeast(1), Importance.LOW, TOPIC_MANIFESTS_PARTITIONS_DOC)
            .define(TOPIC_ACKS_PARTITIONS_CONFIG, Type.INT, TopicProvisioner.Settings.DEFAULT_ACKS_PARTITIONS,
                    Range.atLeast(1), Importance.LOW, TOPIC_ACKS_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, new ReplicationFactorValidator(),
                    Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC)
            .define(PROVISION_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW,
                    PROVISION_TIMEOUT_MS_DOC)
            .define(HTTP_HOST_CONFIG, Type.STRING, HTTP_HOST_DEFAULT, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, HTTP_HOST_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, CommonConfigs.NO_HTTP, Range.between(CommonConfigs.NO_HTTP, 65_535),
                    Importance.MEDIUM, HTTP_PORT_DOC);

    private final RedundancyPolicy policy;
    private final List<RedundancyPolicy> allowedPolicies;
    private final TopicNames topicNames;

    /**
     * @param props the {@code checkstripe.*} keys and any Kafka Streams or client key
     * @throws ConfigException naming the bad key and value, e.g. fewer servers than the policy's
     *     cells per stripe, or a default policy that is not allowed
     */
    public StriperConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
        this.policy = RedundancyPolicy.parse(getString(POLICY_CONFIG));
        try {
            SegmentStriper.checkServers(policy, servers());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SERVERS_CONFIG, servers(), e.getMessage());
        }
        try {
            this.allowedPolicies = PolicyStripers.allowed(policy, getList(ALLOWED_POLICIES_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ALLOWED_POLICIES_CONFIG, getList(ALLOWED_POLICIES_CONFIG), e.getMessage());
        }
        this.topicNames = CommonConfigs.topicNames(this);
    }

    /** A copy of the definition, e.g. for generated documentation or a CLI's help. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** The redundancy policy of a checkpoint that names none. */
    public RedundancyPolicy policy() {
        return policy;
    }

    /** The policies a checkpoint may ask for, the default among them, in the order configured. */
    public List<RedundancyPolicy> allowedPolicies() {
        return allowedPolicies;
    }

    /** A new {@link PolicyStripers} of the default and allowed policies over N servers, for one stream thread. */
    public PolicyStripers policyStripers() {
        return new PolicyStripers(policy, allowedPolicies, servers());
    }

    /** N, the number of backup servers. */
    public int servers() {
        return getInt(SERVERS_CONFIG);
    }

    /** The topic names, after prefix and individual overrides. */
    public TopicNames topicNames() {
        return topicNames;
    }

    /** The schema registry {@value #SCHEMA_REGISTRY_URL_CONFIG} names. */
    public SchemaRegistry schemaRegistry() {
        return CommonConfigs.schemaRegistry(this);
    }

    /** The topics with their serdes, on {@link #schemaRegistry()}. */
    public Topics topics() {
        return new Topics(topicNames, schemaRegistry());
    }

    /**
     * The applications' public keys ({@value #APP_KEYS_DIR_CONFIG}), none when unset.
     *
     * @throws ConfigException when the path is not a directory
     */
    public AppKeyDirectory appKeys() {
        return CommonConfigs.appKeys(this);
    }

    /** The Kafka Streams application id. */
    public String applicationId() {
        return getString(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    /** Whether missing topics are created at start. */
    public boolean createTopics() {
        return getBoolean(TOPIC_CREATE_CONFIG);
    }

    /** Where the HTTP server of metrics and health listens; null when it is off. */
    public InetSocketAddress httpAddress() {
        return CommonConfigs.httpAddress(this);
    }

    /** How long topic provisioning may wait for Kafka. */
    public Duration provisionTimeout() {
        return Duration.ofMillis(getLong(PROVISION_TIMEOUT_MS_CONFIG));
    }

    /** Partition counts, replication and message size of the topics the job creates. */
    public TopicProvisioner.Settings topicSettings() {
        return new TopicProvisioner.Settings(getInt(TOPIC_CHECKPOINTS_PARTITIONS_CONFIG),
                getInt(TOPIC_MANIFESTS_PARTITIONS_CONFIG), getInt(TOPIC_ACKS_PARTITIONS_CONFIG),
                getShort(TOPIC_REPLICATION_FACTOR_CONFIG), getInt(TOPIC_MAX_MESSAGE_BYTES_CONFIG));
    }

    /**
     * Everything Kafka Streams gets: the throughput defaults of the class comment, then every
     * key given that this class does not own, then this job's Streams settings.
     */
    public Properties streamsProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        int maxMessageBytes = getInt(TOPIC_MAX_MESSAGE_BYTES_CONFIG);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 1 << 20);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "none");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), 64L << 20);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxMessageBytes);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxMessageBytes);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 64 << 20);
        props.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 32);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(TOPIC_REPLICATION_FACTOR_CONFIG));
        originals().forEach((key, value) -> {
            if (!key.startsWith(PREFIX) && !key.startsWith("schema.registry.")) {
                props.put(key, value);
            }
        });
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",",
                getList(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        Properties properties = new Properties();
        properties.putAll(props);
        return properties;
    }

    /** Admin client settings for topic provisioning: the Streams view of them, {@code admin.*} overrides included. */
    public Map<String, Object> adminProperties() {
        return new StreamsConfig(streamsProperties()).getAdminConfigs(applicationId() + "-provisioner");
    }

    private static final class PolicyValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                RedundancyPolicy.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "STRIPE-K, XOR-K-1, RS-K-M or MIRROR-R, optionally -<n>k";
        }
    }

    private static final class ReplicationFactorValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            short factor = (Short) value;
            if (factor != -1 && factor < 1) {
                throw new ConfigException(name, value, "must be -1 (broker default) or at least 1");
            }
        }

        @Override
        public String toString() {
            return "-1 or [1,...]";
        }
    }
}
