package io.checkstripe.producer;

import io.checkstripe.chunking.ChunkingConfig;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.schemas.CommonConfigs.TopicKey;
import io.checkstripe.schemas.CommonConfigs;
import io.checkstripe.schemas.Topics;
import io.checkstripe.striping.PolicyStripers;
import io.checkstripe.striping.SegmentStriper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of {@link CheckpointPublisher} and {@link ProtectionWatcher}, in Kafka's
 * style: every key has a {@code *_CONFIG} name, a {@code *_DOC}, a validator and a documented
 * default, and a properties file given to {@code --command-config} configures it.
 *
 * <p>checkstripe's own keys start with {@code checkstripe.} and mean what they mean for the
 * striper ({@code checkstripe.policy}, {@code checkstripe.servers},
 * {@code checkstripe.topic.*}), so one properties file can configure both.
 *
 * <p><b>Kafka clients.</b> Every other key that a Kafka producer, consumer or Admin client
 * knows ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.dns.lookup},
 * ...) is passed to each client that knows it; {@code producer.}, {@code consumer.} and
 * {@code admin.} prefixed keys reach that client only and win over unprefixed ones. The
 * producer is tuned for few large, dense records; these are defaults a user may override:
 * {@code compression.type=none} (checkpoint bytes rarely compress and compression would cost
 * CPU on the critical path), {@code linger.ms=5}, {@code batch.size} one record of the largest
 * size, {@code delivery.timeout.ms=120000} and {@code transaction.timeout.ms=300000}. These are
 * raised to at least what one record needs: {@code max.request.size} and
 * {@code buffer.memory} (at least two records; by default the smaller of 32 MiB and an eighth of
 * the heap, so that a small-heap publisher never fills its heap with buffered segments: G1 keeps
 * a batch of just over 1 MiB in two regions). These are forced, because
 * publishing relies on them: {@code transactional.id} (see {@link #transactionalId(String)}),
 * {@code enable.idempotence=true}, {@code acks=all}, {@code max.block.ms} =
 * {@value #KAFKA_TIMEOUT_MS_CONFIG}, and {@code isolation.level=read_committed} for consumers.
 *
 * <p><b>Transactions.</b> {@code transaction.timeout.ms} must exceed the longest publish (the
 * largest checkpoint's size over the slowest publish rate expected) and at most the brokers'
 * {@code transaction.max.timeout.ms} (15 min by default). It is also how long a publish that
 * was killed can hold back {@code read_committed} readers of the partitions it wrote to, unless
 * the same application publishes again first, which aborts it at once.
 *
 * <p>Immutable and thread-safe.
 */
public final class PublisherConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to connect to first, host:port[,host:port...].";

    public static final String SEGMENT_BYTES_CONFIG = "checkstripe.segment.bytes";
    public static final int SEGMENT_BYTES_DEFAULT = 1 << 20;
    /** Largest segment accepted: far above any sensible record size, low enough to keep one buffer cheap. */
    public static final int MAX_SEGMENT_BYTES = 256 << 20;
    public static final String SEGMENT_BYTES_DOC = "Bytes per segment: every segment but the last has exactly this "
            + "length and is one Kafka record (one stripe when striping). Default 1 MiB; at most " + MAX_SEGMENT_BYTES
            + ". The record must fit the topic's max.message.bytes, which is checked before publishing. When "
            + "checkstripe.policy fixes a cell size (e.g. RS-6-3-128k) and this key is not set, segments are "
            + "K x cell size.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = CommonConfigs.SCHEMA_REGISTRY_URL_CONFIG;
    public static final String TOPIC_PREFIX_CONFIG = CommonConfigs.TOPIC_PREFIX_CONFIG;
    public static final String TOPIC_CHECKPOINTS_CONFIG = CommonConfigs.TOPIC_CHECKPOINTS_CONFIG;
    public static final String TOPIC_STRIPES_CONFIG = CommonConfigs.TOPIC_STRIPES_CONFIG;
    public static final String TOPIC_MANIFESTS_CONFIG = CommonConfigs.TOPIC_MANIFESTS_CONFIG;
    public static final String TOPIC_ACKS_CONFIG = CommonConfigs.TOPIC_ACKS_CONFIG;

    public static final String STRIPE_LOCALLY_CONFIG = "checkstripe.stripe.locally";
    public static final String STRIPE_LOCALLY_DOC = "Form the stripes in this producer and write stripe "
            + "units and manifests straight to the stripes and manifests topics, instead of publishing segments to "
            + "the checkpoints topic for the striper. Needs checkstripe.policy and checkstripe.servers. Nothing is "
            + "written to the checkpoints topic then.";

    public static final String KEY_FILE_CONFIG = "checkstripe.key.file";
    public static final String KEY_FILE_DOC = "The application's key file (written by checkstripe keygen --out K): "
            + "every segment is then encrypted with AES-256-GCM under its newest key before it leaves the process, "
            + "and every commit is signed with that key's Ed25519 key, so brokers and backup servers hold only "
            + "ciphertext and a restore with the key refuses checkpoints the application did not make. Each "
            + "encrypted segment is " + SegmentCipher.OVERHEAD + " bytes longer than its plaintext, so the "
            + "plaintext is cut into segments that much shorter than " + SEGMENT_BYTES_CONFIG + ". No default: "
            + "checkpoints are published in the clear.";

    public static final String POLICY_CONFIG = "checkstripe.policy";
    public static final String POLICY_DOC = "Redundancy policy, e.g. RS-3-2, XOR-4-1, MIRROR-3, STRIPE-4 or RS-6-3-128k. "
            + "Required with checkstripe.stripe.locally=true, where it is the policy of a checkpoint that names none; "
            + "otherwise it only sets the default segment size of policies with a fixed cell size. No default.";

    public static final String PUBLISH_POLICY_CONFIG = "checkstripe.publish.policy";
    public static final String PUBLISH_POLICY_DOC = "Redundancy policy every checkpoint asks for unless its request "
            + "names one (e.g. RS-6-3); the striper refuses a policy it does not allow. Before sending, the publisher "
            + "checks that the stripes topic has a partition for every cell of a stripe. Empty (the default): the "
            + "striper's default policy, or " + POLICY_CONFIG + " when striping locally.";

    public static final String ALLOWED_POLICIES_CONFIG = CommonConfigs.ALLOWED_POLICIES_CONFIG;
    public static final String ALLOWED_POLICIES_DOC = "With " + STRIPE_LOCALLY_CONFIG + "=true, the policies a "
            + "checkpoint may ask for, comma-separated, as the striper's setting of the same name: a checkpoint asking "
            + "for another is refused before anything is sent. Default: empty, which allows only " + POLICY_CONFIG
            + ".";

    public static final String SERVERS_CONFIG = "checkstripe.servers";
    public static final String SERVERS_DOC = "N, the number of backup servers (stripes topic partitions), at least the "
            + "policy's cells per stripe. Required with checkstripe.stripe.locally=true and used only then: otherwise "
            + "the number of servers a checkpoint needs acknowledgements from comes from the striper's manifest. "
            + "0 = not set.";

    public static final String PROTECT_TIMEOUT_MS_CONFIG = "checkstripe.protect.timeout.ms";
    public static final long PROTECT_TIMEOUT_MS_DEFAULT = 120_000L;
    public static final String PROTECT_TIMEOUT_MS_DOC = "How long to wait, after the commit, for every backup server "
            + "to acknowledge a checkpoint before failing with the list of servers that have not. Default 2 minutes.";

    public static final String TRANSACTIONAL_ID_PREFIX_CONFIG = "checkstripe.transactional.id.prefix";
    public static final String TRANSACTIONAL_ID_PREFIX_DEFAULT = "checkstripe-publish-";
    public static final String TRANSACTIONAL_ID_PREFIX_DOC = "The producer's transactional.id is this prefix followed by "
            + "the application id, so the next publish of an application fences a previous publisher of it and aborts "
            + "its unfinished transaction. The same string names the consumer group whose transactional offset "
            + "commit records each application's newest committed checkpoint id. Default "
            + TRANSACTIONAL_ID_PREFIX_DEFAULT + ".";

    public static final String KAFKA_TIMEOUT_MS_CONFIG = "checkstripe.kafka.timeout.ms";
    public static final int KAFKA_TIMEOUT_MS_DEFAULT = 20_000;
    public static final String KAFKA_TIMEOUT_MS_DOC = "How long a Kafka request may block (Admin calls, the producer's "
            + "max.block.ms, consumer metadata and offsets) before the publish fails with KafkaUnavailableException. "
            + "Default 20 s.";

    public static final String CHUNKING_ENABLED_CONFIG = "checkstripe.chunking.enabled";
    public static final String CHUNKING_ENABLED_DOC = "Publish incrementally: cut the content at content-defined "
            + "boundaries, send only the chunks the application's previous checkpoint does not already hold on the "
            + "servers, and describe the rest by reference (docs/INCREMENTAL.md). Directory checkpoints are always "
            + "chunked; this key decides whether they reference the previous checkpoint. Default false.";

    public static final String CHUNKING_MIN_BYTES_CONFIG = "checkstripe.chunking.min.bytes";
    public static final String CHUNKING_MIN_BYTES_DOC = "Smallest chunk (but the last of a file). Default "
            + ChunkingConfig.defaults().minSize() + ".";

    public static final String CHUNKING_AVG_BYTES_CONFIG = "checkstripe.chunking.avg.bytes";
    public static final String CHUNKING_AVG_BYTES_DOC = "Average chunk, a power of two: smaller chunks find more "
            + "unchanged data in scattered small edits at the price of more recipe and index entries. Default "
            + ChunkingConfig.defaults().avgSize() + ".";

    public static final String CHUNKING_MAX_BYTES_CONFIG = "checkstripe.chunking.max.bytes";
    public static final String CHUNKING_MAX_BYTES_DOC = "Largest chunk. Default " + ChunkingConfig.defaults().maxSize()
            + ".";

    public static final String CHUNKING_COMPRESSION_CONFIG = "checkstripe.chunking.compression";
    public static final String CHUNKING_COMPRESSION_DOC = "zstd-compress each new chunk, kept only where it saves at "
            + "least checkstripe.chunking.compression.min.saving; the recipe records which. Default true.";

    public static final String CHUNKING_MIN_SAVING_CONFIG = "checkstripe.chunking.compression.min.saving";
    public static final String CHUNKING_MIN_SAVING_DOC = "Share of a chunk's bytes compression must save for the "
            + "chunk to be stored compressed, 0 to 1. Default " + ChunkingConfig.DEFAULT_MIN_COMPRESSION_SAVING + ".";

    public static final String CHUNK_INDEX_DIR_CONFIG = "checkstripe.chunking.index.dir";
    public static final String CHUNK_INDEX_DIR_DEFAULT = Path.of(System.getProperty("user.home"), ".cache",
            "checkstripe", "chunk-index").toString();
    public static final String CHUNK_INDEX_DIR_DOC = "Where the publisher keeps, per cluster and application, the "
            + "chunk index of its previous checkpoint. Losing it costs one full publish, never correctness. Default "
            + "~/.cache/checkstripe/chunk-index.";

    /** Prefix of keys meant for the producer only. */
    public static final String PRODUCER_PREFIX = CommonConfigs.PRODUCER_PREFIX;
    /** Prefix of keys meant for the consumers only. */
    public static final String CONSUMER_PREFIX = CommonConfigs.CONSUMER_PREFIX;
    /** Prefix of keys meant for the Admin client only. */
    public static final String ADMIN_PREFIX = CommonConfigs.ADMIN_PREFIX;

    /**
     * Bytes a record adds to its segment or cell: wire-format header, the other Avro fields
     * (the application id at most 128 bytes), key, record and batch headers. An upper bound,
     * about 500 bytes in fact, rounded up.
     */
    public static final int RECORD_OVERHEAD_BYTES = 1024;

    private static final long DEFAULT_BUFFER_MEMORY = 32 << 20;
    private static final int HEAP_SHARE_OF_BUFFER = 8;
    private static final int MIN_RECORDS_IN_BUFFER = 2;
    private static final ConfigDef CONFIG = configDef();

    private final Topics topics;
    private final Optional<RedundancyPolicy> policy;
    private final Optional<RedundancyPolicy> publishPolicy;
    private final List<RedundancyPolicy> allowedPolicies;
    private final int segmentBytes;
    private final ChunkingConfig chunking;

    /**
     * @throws ConfigException naming the key when a value is missing, malformed or
     *     inconsistent with another (local striping without a policy, with too few servers or with a
     *     default policy it does not allow, a segment longer than one stripe of a fixed cell size,
     *     two topics with one name)
     */
    public PublisherConfig(Map<?, ?> props) {
        // Not logged: schema.registry.url may carry user info (a password), as in the sink and striper configs.
        super(CONFIG, props, false);
        String policyName = getString(POLICY_CONFIG);
        this.policy = policyName == null ? Optional.empty() : Optional.of(RedundancyPolicy.parse(policyName));
        String publishPolicyName = getString(PUBLISH_POLICY_CONFIG);
        this.publishPolicy = publishPolicyName.isBlank() ? Optional.empty()
                : Optional.of(RedundancyPolicy.parse(publishPolicyName));
        this.segmentBytes = effectiveSegmentBytes(props.containsKey(SEGMENT_BYTES_CONFIG));
        if (getBoolean(STRIPE_LOCALLY_CONFIG)) {
            RedundancyPolicy required = policy.orElseThrow(() -> new ConfigException(STRIPE_LOCALLY_CONFIG + "=true needs "
                    + POLICY_CONFIG + " (e.g. RS-3-2) and " + SERVERS_CONFIG));
            try {
                SegmentStriper.checkServers(required, getInt(SERVERS_CONFIG));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SERVERS_CONFIG, getInt(SERVERS_CONFIG), e.getMessage());
            }
            try {
                this.allowedPolicies = PolicyStripers.allowed(required, getList(ALLOWED_POLICIES_CONFIG));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(ALLOWED_POLICIES_CONFIG, getList(ALLOWED_POLICIES_CONFIG), e.getMessage());
            }
        } else {
            this.allowedPolicies = List.of();
        }
        if (keyFile().isPresent() && segmentBytes <= SegmentCipher.OVERHEAD) {
            throw new ConfigException(SEGMENT_BYTES_CONFIG, segmentBytes, "an encrypted segment ("
                    + KEY_FILE_CONFIG + ") needs at least " + (SegmentCipher.OVERHEAD + 1) + " bytes: AES-GCM adds "
                    + SegmentCipher.OVERHEAD);
        }
        this.topics = new Topics(CommonConfigs.topicNames(this), CommonConfigs.schemaRegistry(this));
        try {
            this.chunking = new ChunkingConfig(getInt(CHUNKING_MIN_BYTES_CONFIG), getInt(CHUNKING_AVG_BYTES_CONFIG),
                    getInt(CHUNKING_MAX_BYTES_CONFIG), getBoolean(CHUNKING_COMPRESSION_CONFIG),
                    getDouble(CHUNKING_MIN_SAVING_CONFIG), ChunkingConfig.defaults().compressionLevel(),
                    ChunkingConfig.defaults().rewriteBelowLiveShare());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(CHUNKING_AVG_BYTES_CONFIG, getInt(CHUNKING_AVG_BYTES_CONFIG), e.getMessage());
        }
    }

    /** Whether checkpoints reference what the application's previous checkpoint already stored. */
    public boolean incremental() {
        return getBoolean(CHUNKING_ENABLED_CONFIG);
    }

    /** How content is chunked: for incremental publishes and directory checkpoints. */
    public ChunkingConfig chunking() {
        return chunking;
    }

    /** Where the chunk indexes of previous checkpoints are kept. */
    public Path chunkIndexDir() {
        return Path.of(getString(CHUNK_INDEX_DIR_CONFIG));
    }

    /** The definition of every key, for documentation and for tools that list them. */
    public static ConfigDef configDef() {
        // Every topic: the dead-letter one is read to learn that the striper refused a checkpoint waited for.
        ConfigDef def = CommonConfigs.addTopicConfigs(new ConfigDef(), EnumSet.allOf(TopicKey.class));
        return CommonConfigs.addSchemaRegistry(def)
                .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, PublisherConfig::validateBootstrap,
                        Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
                .define(SEGMENT_BYTES_CONFIG, Type.INT, SEGMENT_BYTES_DEFAULT, Range.between(1, MAX_SEGMENT_BYTES),
                        Importance.MEDIUM, SEGMENT_BYTES_DOC)
                .define(STRIPE_LOCALLY_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, STRIPE_LOCALLY_DOC)
                .define(POLICY_CONFIG, Type.STRING, null, PublisherConfig::validatePolicy, Importance.MEDIUM,
                        POLICY_DOC)
                .define(PUBLISH_POLICY_CONFIG, Type.STRING, "", PublisherConfig::validatePolicy, Importance.MEDIUM,
                        PUBLISH_POLICY_DOC)
                .define(ALLOWED_POLICIES_CONFIG, Type.LIST, "", Importance.MEDIUM, ALLOWED_POLICIES_DOC)
                .define(KEY_FILE_CONFIG, Type.STRING, null, Importance.HIGH, KEY_FILE_DOC)
                .define(SERVERS_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM, SERVERS_DOC)
                .define(PROTECT_TIMEOUT_MS_CONFIG, Type.LONG, PROTECT_TIMEOUT_MS_DEFAULT, Range.atLeast(1),
                        Importance.MEDIUM, PROTECT_TIMEOUT_MS_DOC)
                .define(TRANSACTIONAL_ID_PREFIX_CONFIG, Type.STRING, TRANSACTIONAL_ID_PREFIX_DEFAULT,
                        new ConfigDef.NonNullValidator(), Importance.LOW, TRANSACTIONAL_ID_PREFIX_DOC)
                .define(CHUNKING_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, CHUNKING_ENABLED_DOC)
                .define(CHUNKING_MIN_BYTES_CONFIG, Type.INT, ChunkingConfig.defaults().minSize(),
                        Range.between(ChunkingConfig.MIN_CHUNK_SIZE, ChunkingConfig.MAX_CHUNK_SIZE), Importance.LOW,
                        CHUNKING_MIN_BYTES_DOC)
                .define(CHUNKING_AVG_BYTES_CONFIG, Type.INT, ChunkingConfig.defaults().avgSize(),
                        Range.between(ChunkingConfig.MIN_CHUNK_SIZE, ChunkingConfig.MAX_CHUNK_SIZE), Importance.LOW,
                        CHUNKING_AVG_BYTES_DOC)
                .define(CHUNKING_MAX_BYTES_CONFIG, Type.INT, ChunkingConfig.defaults().maxSize(),
                        Range.between(ChunkingConfig.MIN_CHUNK_SIZE, ChunkingConfig.MAX_CHUNK_SIZE), Importance.LOW,
                        CHUNKING_MAX_BYTES_DOC)
                .define(CHUNKING_COMPRESSION_CONFIG, Type.BOOLEAN, true, Importance.LOW, CHUNKING_COMPRESSION_DOC)
                .define(CHUNKING_MIN_SAVING_CONFIG, Type.DOUBLE, ChunkingConfig.DEFAULT_MIN_COMPRESSION_SAVING,
                        Range.between(0.0, 1.0), Importance.LOW, CHUNKING_MIN_SAVING_DOC)
                .define(CHUNK_INDEX_DIR_CONFIG, Type.STRING, CHUNK_INDEX_DIR_DEFAULT, Importance.LOW,
                        CHUNK_INDEX_DIR_DOC)
                .define(KAFKA_TIMEOUT_MS_CONFIG, Type.INT, KAFKA_TIMEOUT_MS_DEFAULT, Range.atLeast(100),
                        Importance.MEDIUM, KAFKA_TIMEOUT_MS_DOC);
    }

    private static void validateBootstrap(String name, Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.stream().anyMatch(v -> v.toString().isBlank())) {
            throw new ConfigException(name, value, "must list at least one host:port");
        }
    }

    private static void validatePolicy(String name, Object value) {
        if (value != null && !((String) value).isBlank()) {
            try {
                RedundancyPolicy.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }
    }

    private int effectiveSegmentBytes(boolean explicit) {
        int configured = getInt(SEGMENT_BYTES_CONFIG);
        if (policy.isEmpty() || !policy.get().hasFixedCellSize()) {
            return configured;
        }
        int stripe = policy.get().maxSegmentLength();
        if (!explicit) {
            return Math.min(stripe, MAX_SEGMENT_BYTES);
        }
        if (configured > stripe) {
            throw new ConfigException(SEGMENT_BYTES_CONFIG, configured, "one stripe of " + policy.get()
                    + " holds at most " + stripe + " bytes (K x cell size); use at most that or leave "
                    + SEGMENT_BYTES_CONFIG + " unset");
        }
        return configured;
    }

    /** {@code bootstrap.servers} as one string, for messages. */
    public String bootstrapServers() {
        return String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The segment size in effect: {@value #SEGMENT_BYTES_CONFIG}, or K x cell size of a fixed-cell policy. */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** The topics with their serdes, on the configured registry. */
    public Topics topics() {
        return topics;
    }

    /** Whether the producer forms the stripes itself. */
    public boolean stripeLocally() {
        return getBoolean(STRIPE_LOCALLY_CONFIG);
    }

    /** The configured policy, if any (always present with {@link #stripeLocally()}). */
    public Optional<RedundancyPolicy> policy() {
        return policy;
    }

    /** The policy every checkpoint asks for unless its request names one; empty for the striper's default. */
    public Optional<RedundancyPolicy> publishPolicy() {
        return publishPolicy;
    }

    /**
     * With {@link #stripeLocally()}, the policies a checkpoint may ask for, {@link #policy()} among them; empty
     * otherwise (the striper decides).
     */
    public List<RedundancyPolicy> allowedPolicies() {
        return allowedPolicies;
    }

    /** N, or 0 when not set (always set with {@link #stripeLocally()}). */
    public int servers() {
        return getInt(SERVERS_CONFIG);
    }

    /** The key file segments are encrypted and commits signed with, if one is configured. */
    public Optional<Path> keyFile() {
        String file = getString(KEY_FILE_CONFIG);
        return file == null || file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    /** How long to wait for every server's acknowledgement. */
    public Duration protectTimeout() {
        return Duration.ofMillis(getLong(PROTECT_TIMEOUT_MS_CONFIG));
    }

    /** How long one Kafka request may block. */
    public Duration kafkaTimeout() {
        return Duration.ofMillis(getInt(KAFKA_TIMEOUT_MS_CONFIG));
    }

    /**
     * The {@code transactional.id} of an application's publisher, and the name of the consumer
     * group recording its newest committed checkpoint id: {@value #TRANSACTIONAL_ID_PREFIX_CONFIG}
     * followed by the application id.
     *
     * @throws IllegalArgumentException when the application id is invalid
     */
    public String transactionalId(String appId) {
        return getString(TRANSACTIONAL_ID_PREFIX_CONFIG) + AppId.validate(appId);
    }

    /**
     * The largest record a publish sends: a whole segment, or with local striping the longest
     * cell of a segment under any allowed policy, plus {@link #RECORD_OVERHEAD_BYTES}.
     */
    public int maxRecordBytes() {
        int payload = stripeLocally() ? allowedPolicies.stream().mapToInt(p -> p.cellLength(segmentBytes)).max()
                .orElseThrow() : segmentBytes;
        return payload + RECORD_OVERHEAD_BYTES;
    }

    /** Settings of the publishing producer of {@code appId} (serializers are passed to its constructor). */
    public Map<String, Object> producerProps(String appId) {
        int record = maxRecordBytes();
        Map<String, Object> props = CommonConfigs.clientProps(this, ProducerConfig.configNames(), PRODUCER_PREFIX);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, record);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
        long maxRequest = atLeast(props, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxRequest));
        long minBuffer = (long) MIN_RECORDS_IN_BUFFER * record;
        long defaultBuffer = Math.min(DEFAULT_BUFFER_MEMORY, Runtime.getRuntime().maxMemory() / HEAP_SHARE_OF_BUFFER);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, props.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)
                ? atLeast(props, ProducerConfig.BUFFER_MEMORY_CONFIG, minBuffer)
                : Math.max(minBuffer, defaultBuffer));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(appId));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) getInt(KAFKA_TIMEOUT_MS_CONFIG));
        return props;
    }

    /** Settings of a reading consumer: no group (partitions are assigned), read_committed, bounded calls. */
    public Map<String, Object> consumerProps() {
        Map<String, Object> props = CommonConfigs.clientProps(this, ConsumerConfig.configNames(), CONSUMER_PREFIX);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, getInt(KAFKA_TIMEOUT_MS_CONFIG));
        return props;
    }

    /** Settings of the Admin client: every call bounded by {@value #KAFKA_TIMEOUT_MS_CONFIG}. */
    public Map<String, Object> adminProps() {
        int timeout = getInt(KAFKA_TIMEOUT_MS_CONFIG);
        Map<String, Object> props = CommonConfigs.clientProps(this, AdminClientConfig.configNames(), ADMIN_PREFIX);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        return props;
    }

    /** {@code minimum}, or the larger value the user gave for {@code key}. */
    private static long atLeast(Map<String, Object> props, String key, long minimum) {
        Object given = props.get(key);
        if (given == null) {
            return minimum;
        }
        try {
            return Math.max(minimum, Long.parseLong(given.toString().strip()));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, given, "not a whole number of bytes");
        }
    }
}
