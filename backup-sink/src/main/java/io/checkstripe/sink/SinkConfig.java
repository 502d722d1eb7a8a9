package io.checkstripe.sink;

import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.core.tls.KeyMaterial;
import io.checkstripe.core.tls.TlsContexts;
import io.checkstripe.core.tls.TrustMaterial;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.schemas.CommonConfigs;
import io.checkstripe.schemas.CommonConfigs.TopicKey;
import io.checkstripe.schemas.SchemaRegistry;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.Topics;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Configuration of one backup server's {@link BackupSink}, in Kafka's own style: the {@code checkstripe.*} keys
 * below, {@code bootstrap.servers} and {@code schema.registry.url}, and every other key passed through to the
 * sink's Kafka consumer and producer (security settings from {@code --command-config}, for instance). A key is
 * given to each client that knows it; {@code consumer.}- and {@code producer.}-prefixed keys reach only that
 * client and win over unprefixed ones. A CLI builds the map as Kafka's tools do: the {@code --command-config}
 * file first, then the command-line options over it. The topic keys are the striper's ({@code
 * checkstripe.topic.*}), so one properties file configures both.
 *
 * <p>Client defaults chosen for big records, each overridable: consumer {@code max.partition.fetch.bytes} equal
 * to {@value #TOPIC_MAX_MESSAGE_BYTES_CONFIG} (8 MiB), {@code fetch.max.bytes} four times that,
 * {@code max.poll.records} 32 (a batch, which is also one store commit, stays within tens of MiB);
 * producer {@code max.request.size} equal to it as well, so a rejected record fits the dead-letter topic whole,
 * and {@code linger.ms} 0, since a publisher waiting for protection waits for each acknowledgement.
 * Always set, never overridden: consumer {@code isolation.level=read_committed}, {@code enable.auto.commit=false}
 * and {@code auto.offset.reset=earliest} (the offsets live in the store, never in Kafka), and
 * {@code allow.auto.create.topics=false} (a sink started before the striper would otherwise have a broker with
 * {@code auto.create.topics.enable} create the stripes topic with one partition, which the striper then refuses);
 * producer
 * {@code acks=all} and {@code enable.idempotence=true}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SinkConfig extends AbstractConfig {

    /** Prefix of keys given to the consumer only. */
    public static final String CONSUMER_PREFIX = CommonConfigs.CONSUMER_PREFIX;

    /** Prefix of keys given to the producer only. */
    public static final String PRODUCER_PREFIX = CommonConfigs.PRODUCER_PREFIX;

    public static final String SERVER_INDEX_CONFIG = "checkstripe.server.index";
    public static final String SERVER_INDEX_DOC = "Index I of this backup server, 0..N-1: the sink reads partition I "
            + "of the stripes topic and stores the cells routed to server I. Required.";

    public static final String DATA_DIR_CONFIG = "checkstripe.data.dir";
    public static final String DATA_DIR_DOC = "Directory of the server's cell store, created if missing. It belongs "
            + "to one server index for life and is locked against a second sink. Required.";

    public static final String HTTP_HOST_CONFIG = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_HOST_DOC = "Address the HTTP API binds to; 0.0.0.0 for every interface. Beyond "
            + "the loopback default, protect it with TLS and a token or client certificates (http.tls.*, "
            + "http.auth.*): the sink logs a warning when it is reachable from other hosts without them.";
    public static final String HTTP_HOST_DEFAULT = CommonConfigs.HTTP_HOST_DEFAULT;

    public static final String HTTP_PORT_CONFIG = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String HTTP_PORT_DOC = "Port of the read-only HTTP API: 0 picks a free port (logged, and "
            + "reported by BackupSink.httpPort()), -1 runs no HTTP API.";

    public static final String HTTP_THREADS_CONFIG = "checkstripe.http.threads";
    public static final String HTTP_THREADS_DOC = "Threads serving HTTP requests; more concurrent requests wait in "
            + "a queue of " + SinkHttpServer.QUEUE_CAPACITY + " and beyond it are refused.";

    public static final String HTTP_REPAIRS_CONFIG = "checkstripe.http.repairs.enabled";
    public static final String HTTP_REPAIRS_DOC = "Whether the HTTP API takes a healer's writes of rebuilt cells and "
            + "manifests (POST .../cells, PUT .../manifest). A write only adds cells the store lacks or holds corrupt, "
            + "each checked against its CRC32C; with a token or client certificates configured, writes need them like "
            + "every other request. Without them, turn it on only where the network to the API is trusted.";

    public static final String HTTP_TLS_CERTIFICATE_FILE_CONFIG = "checkstripe.http.tls.certificate.file";
    public static final String HTTP_TLS_CERTIFICATE_FILE_DOC = "PEM file of the HTTP API's server certificate, "
            + "followed by its intermediate CAs if any; with " + "checkstripe.http.tls.key.file"
            + " it turns the API into HTTPS. Clients check that the certificate names the host they connect to. "
            + "Default: none (plain HTTP, or a key store).";

    public static final String HTTP_TLS_KEY_FILE_CONFIG = "checkstripe.http.tls.key.file";
    public static final String HTTP_TLS_KEY_FILE_DOC = "PEM file of the server certificate's private key, unencrypted "
            + "PKCS#8 (-----BEGIN PRIVATE KEY-----; openssl pkcs8 -topk8 -nocrypt converts others): keep it "
            + "readable by the sink's user only. Default: none.";

    public static final String HTTP_TLS_KEYSTORE_LOCATION_CONFIG = "checkstripe.http.tls.keystore.location";
    public static final String HTTP_TLS_KEYSTORE_LOCATION_DOC = "Key store holding the HTTP API's one private key "
            + "and its certificate chain, instead of the PEM files; its key password is the store password. "
            + "Default: none.";

    public static final String HTTP_TLS_KEYSTORE_PASSWORD_CONFIG = "checkstripe.http.tls.keystore.password";
    public static final String HTTP_TLS_KEYSTORE_PASSWORD_DOC = "Password of the key store and of its key. "
            + "Default: none.";

    public static final String HTTP_TLS_KEYSTORE_TYPE_CONFIG = "checkstripe.http.tls.keystore.type";
    public static final String HTTP_TLS_KEYSTORE_TYPE_DOC = "Type of the key store: PKCS12 or JKS.";

    /** Default of {@value #HTTP_TLS_KEYSTORE_TYPE_CONFIG}. */
    public static final String HTTP_TLS_KEYSTORE_TYPE_DEFAULT = "PKCS12";

    public static final String HTTP_TLS_CLIENT_CA_FILE_CONFIG = "checkstripe.http.tls.client.ca.file";
    public static final String HTTP_TLS_CLIENT_CA_FILE_DOC = "PEM file of the CA(s) whose client certificates the "
            + "HTTP API accepts: when set, the TLS handshake refuses every client without such a certificate (mutual "
            + "TLS). Needs the API on TLS. Default: none (no client certificate asked for).";

    public static final String HTTP_AUTH_TOKEN_FILE_CONFIG = "checkstripe.http.auth.token.file";
    public static final String HTTP_AUTH_TOKEN_FILE_DOC = "File holding the bearer token every request but GET "
            + "/health must present (Authorization: Bearer <token>); 16 to 4096 characters, e.g. from openssl rand "
            + "-hex 32. Use it with TLS: over plain HTTP the token crosses the network in the clear. Default: none.";

    public static final String HTTP_AUTH_MAX_FAILURES_CONFIG = "checkstripe.http.auth.max.failures";
    public static final String HTTP_AUTH_MAX_FAILURES_DOC = "Failed token checks from one address within "
            + "checkstripe.http.auth.lockout.ms after which that address is answered 429 (Retry-After) for "
            + "checkstripe.http.auth.lockout.ms, whatever it presents.";

    public static final String HTTP_AUTH_LOCKOUT_MS_CONFIG = "checkstripe.http.auth.lockout.ms";
    public static final String HTTP_AUTH_LOCKOUT_MS_DOC = "The window failed token checks are counted in, and how "
            + "long an address that reached checkstripe.http.auth.max.failures is then refused.";

    /** Default of {@value #HTTP_REPAIRS_CONFIG}: read-only. */
    public static final boolean HTTP_REPAIRS_DEFAULT = false;

    /** Default of {@value #HTTP_AUTH_LOCKOUT_MS_CONFIG}. */
    public static final long HTTP_AUTH_LOCKOUT_MS_DEFAULT = 60_000L;

    public static final String APP_KEYS_DIR_CONFIG = CommonConfigs.APP_KEYS_DIR_CONFIG;

    public static final String RETAIN_CONFIG = "checkstripe.retain";
    public static final String RETAIN_DOC = "R: the newest R checkpoints of each application that are complete on "
            + "this server are kept; older checkpoints, complete or not, are deleted once R newer ones are complete, "
            + "except those a kept incremental checkpoint reads from (its bases), which are kept as long as it is. "
            + "Checkpoints newer than the newest complete one are always kept.";

    public static final String RETRY_BACKOFF_MS_CONFIG = "checkstripe.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MS_DOC = "First wait before the sink retries after its store failed "
            + "(disk full, I/O error) or Kafka refused a dead letter; it doubles after each failed attempt.";

    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "checkstripe.retry.backoff.max.ms";
    public static final String RETRY_BACKOFF_MAX_MS_DOC = "Longest wait between two retries; at least "
            + RETRY_BACKOFF_MS_CONFIG + ".";

    public static final String POLL_TIMEOUT_MS_CONFIG = "checkstripe.poll.timeout.ms";
    public static final String POLL_TIMEOUT_MS_DOC = "Longest a poll of the stripes partition waits for records; "
            + "also how quickly close() is noticed between polls.";

    public static final String HEALTH_MAX_BEHIND_MS_CONFIG = "checkstripe.health.max.behind.ms";
    public static final String HEALTH_MAX_BEHIND_MS_DOC = "GET /health answers 503 once the sink has had records of "
            + "its partition not yet durable in its store for this long without catching up: it consumes, but "
            + "slower than the partition grows, or it is stuck.";

    public static final String HEALTH_BROKER_TIMEOUT_MS_CONFIG = "checkstripe.health.broker.timeout.ms";
    public static final String HEALTH_BROKER_TIMEOUT_MS_DOC = "The sink reports STALLED, broker unreachable, once no "
            + "fetch response came from Kafka for this long (an idle partition still answers every fetch.max.wait.ms).";

    public static final String SCRUB_RATE_MB_CONFIG = "checkstripe.scrub.rate.mb";
    public static final String SCRUB_RATE_MB_DOC = "Pace of the background scrub, in MB (10^6 bytes) of cells read and "
            + "CRC-checked per second; 0 turns the scrub off.";

    public static final String SCRUB_INTERVAL_S_CONFIG = "checkstripe.scrub.interval.s";
    public static final String SCRUB_INTERVAL_S_DOC = "Seconds between two scrub passes (and before the first).";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = CommonConfigs.SCHEMA_REGISTRY_URL_CONFIG;
    public static final String TOPIC_PREFIX_CONFIG = CommonConfigs.TOPIC_PREFIX_CONFIG;
    public static final String TOPIC_STRIPES_CONFIG = CommonConfigs.TOPIC_STRIPES_CONFIG;
    public static final String TOPIC_ACKS_CONFIG = CommonConfigs.TOPIC_ACKS_CONFIG;
    public static final String TOPIC_DLQ_CONFIG = CommonConfigs.TOPIC_DLQ_CONFIG;

    public static final String TOPIC_MAX_MESSAGE_BYTES_CONFIG = CommonConfigs.TOPIC_MAX_MESSAGE_BYTES_CONFIG;

    /** Default of {@value #RETAIN_CONFIG}. */
    public static final int RETAIN_DEFAULT = 3;

    /** Default of {@value #RETRY_BACKOFF_MS_CONFIG}. */
    public static final long RETRY_BACKOFF_MS_DEFAULT = 1_000L;

    /** Default of {@value #RETRY_BACKOFF_MAX_MS_CONFIG}. */
    public static final long RETRY_BACKOFF_MAX_MS_DEFAULT = 30_000L;

    /** Default of {@value #POLL_TIMEOUT_MS_CONFIG}. */
    public static final long POLL_TIMEOUT_MS_DEFAULT = 500L;

    /** Default of {@value #HEALTH_MAX_BEHIND_MS_CONFIG}. */
    public static final long HEALTH_MAX_BEHIND_MS_DEFAULT = 60_000L;

    /** Default of {@value #HEALTH_BROKER_TIMEOUT_MS_CONFIG}. */
    public static final long HEALTH_BROKER_TIMEOUT_MS_DEFAULT = 30_000L;

    /** Default of {@value #SCRUB_RATE_MB_CONFIG}. */
    public static final double SCRUB_RATE_MB_DEFAULT = 16.0;

    /** Default of {@value #SCRUB_INTERVAL_S_CONFIG}: a pass an hour. */
    public static final long SCRUB_INTERVAL_S_DEFAULT = 3_600L;

    /** Default of {@value #HTTP_THREADS_CONFIG}. */
    public static final int HTTP_THREADS_DEFAULT = 4;

    /** Default of {@value #HTTP_PORT_CONFIG}: a free port. */
    public static final int HTTP_PORT_DEFAULT = 0;

    /** {@value #HTTP_PORT_CONFIG} value that turns the HTTP API off. */
    public static final int NO_HTTP = CommonConfigs.NO_HTTP;

    private static final int MAX_POLL_RECORDS_DEFAULT = 32;

    private static final ConfigDef CONFIG = CommonConfigs.addTopicConfigs(CommonConfigs.addAppKeysDir(
            CommonConfigs.addMaxMessageBytes(CommonConfigs.addSchemaRegistry(new ConfigDef()))),
            EnumSet.of(TopicKey.STRIPES, TopicKey.ACKS, TopicKey.DEAD_LETTERS))
            .define(SERVER_INDEX_CONFIG, Type.INT, ConfigDef.NO_DEFAULT_VALUE, Range.atLeast(0), Importance.HIGH,
                    SERVER_INDEX_DOC)
            .define(DATA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, DATA_DIR_DOC)
            .define(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    Importance.HIGH, CommonClientConfigs.BOOTSTRAP_SERVERS_DOC)
            .define(HTTP_HOST_CONFIG, Type.STRING, HTTP_HOST_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    HTTP_HOST_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, HTTP_PORT_DEFAULT, Range.between(NO_HTTP, 65_535), Importance.MEDIUM,
                    HTTP_PORT_DOC)
            .define(HTTP_THREADS_CONFIG, Type.INT, HTTP_THREADS_DEFAULT, Range.between(1, 64), Importance.LOW,
                    HTTP_THREADS_DOC)
            .define(HTTP_REPAIRS_CONFIG, Type.BOOLEAN, HTTP_REPAIRS_DEFAULT, Importance.MEDIUM, HTTP_REPAIRS_DOC)
            .define(HTTP_TLS_CERTIFICATE_FILE_CONFIG, Type.STRING, null, Importance.HIGH,
                    HTTP_TLS_CERTIFICATE_FILE_DOC)
            .define(HTTP_TLS_KEY_FILE_CONFIG, Type.STRING, null, Importance.HIGH, HTTP_TLS_KEY_FILE_DOC)
            .define(HTTP_TLS_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.HIGH,
                    HTTP_TLS_KEYSTORE_LOCATION_DOC)
            .define(HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.HIGH,
                    HTTP_TLS_KEYSTORE_PASSWORD_DOC)
            .define(HTTP_TLS_KEYSTORE_TYPE_CONFIG, Type.STRING, HTTP_TLS_KEYSTORE_TYPE_DEFAULT,
                    ConfigDef.CaseInsensitiveValidString.in("PKCS12", "JKS"), Importance.LOW,
                    HTTP_TLS_KEYSTORE_TYPE_DOC)
            .define(HTTP_TLS_CLIENT_CA_FILE_CONFIG, Type.STRING, null, Importance.HIGH, HTTP_TLS_CLIENT_CA_FILE_DOC)
            .define(HTTP_AUTH_TOKEN_FILE_CONFIG, Type.STRING, null, Importance.HIGH, HTTP_AUTH_TOKEN_FILE_DOC)
            .define(HTTP_AUTH_MAX_FAILURES_CONFIG, Type.INT, SinkHttpSecurity.DEFAULT_MAX_FAILURES, Range.atLeast(1),
                    Importance.LOW, HTTP_AUTH_MAX_FAILURES_DOC)
            .define(HTTP_AUTH_LOCKOUT_MS_CONFIG, Type.LONG, HTTP_AUTH_LOCKOUT_MS_DEFAULT, Range.atLeast(1),
                    Importance.LOW, HTTP_AUTH_LOCKOUT_MS_DOC)
            .define(RETAIN_CONFIG, Type.INT, RETAIN_DEFAULT, Range.atLeast(1), Importance.MEDIUM, RETAIN_DOC)
            .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, RETRY_BACKOFF_MS_DEFAULT, Range.atLeast(1), Importance.LOW,
                    RETRY_BACKOFF_MS_DOC)
            .define(RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, RETRY_BACKOFF_MAX_MS_DEFAULT, Range.atLeast(1),
                    Importance.LOW, RETRY_BACKOFF_MAX_MS_DOC)
            .define(POLL_TIMEOUT_MS_CONFIG, Type.LONG, POLL_TIMEOUT_MS_DEFAULT, Range.between(1, 60_000),
                    Importance.LOW, POLL_TIMEOUT_MS_DOC)
            .define(HEALTH_MAX_BEHIND_MS_CONFIG, Type.LONG, HEALTH_MAX_BEHIND_MS_DEFAULT, Range.atLeast(1),
                    Importance.LOW, HEALTH_MAX_BEHIND_MS_DOC)
            .define(HEALTH_BROKER_TIMEOUT_MS_CONFIG, Type.LONG, HEALTH_BROKER_TIMEOUT_MS_DEFAULT, Range.atLeast(1),
                    Importance.LOW, HEALTH_BROKER_TIMEOUT_MS_DOC)
            .define(SCRUB_RATE_MB_CONFIG, Type.DOUBLE, SCRUB_RATE_MB_DEFAULT, Range.atLeast(0), Importance.MEDIUM,
                    SCRUB_RATE_MB_DOC)
            .define(SCRUB_INTERVAL_S_CONFIG, Type.LONG, SCRUB_INTERVAL_S_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
                    SCRUB_INTERVAL_S_DOC);

    private final TopicNames topicNames;

    /**
     * @param props the {@code checkstripe.*} keys, {@code bootstrap.servers}, {@code schema.registry.url} and any
     *              Kafka client key
     * @throws ConfigException naming the bad key and value
     */
    public SinkConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
        if (getList(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG).isEmpty()) {
            throw new ConfigException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "",
                    "at least one host:port of a Kafka broker is needed");
        }
        if (retryBackoffMax().compareTo(retryBackoff()) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS_CONFIG, getLong(RETRY_BACKOFF_MAX_MS_CONFIG),
                    "must be at least " + RETRY_BACKOFF_MS_CONFIG + " (" + getLong(RETRY_BACKOFF_MS_CONFIG) + ")");
        }
        this.topicNames = CommonConfigs.topicNames(this);
        schemaRegistry(); // validates the URL now rather than at start
        checkHttpSecurityKeys();
    }

    /** The keys of the API's TLS that must come together, or not at all. */
    private void checkHttpSecurityKeys() {
        boolean cert = getString(HTTP_TLS_CERTIFICATE_FILE_CONFIG) != null;
        boolean key = getString(HTTP_TLS_KEY_FILE_CONFIG) != null;
        boolean store = getString(HTTP_TLS_KEYSTORE_LOCATION_CONFIG) != null;
        if (cert != key) {
            String missing = cert ? HTTP_TLS_KEY_FILE_CONFIG : HTTP_TLS_CERTIFICATE_FILE_CONFIG;
            throw new ConfigException(missing, null, "needed with " + (cert ? HTTP_TLS_CERTIFICATE_FILE_CONFIG
                    : HTTP_TLS_KEY_FILE_CONFIG) + ": the certificate and its key come together");
        }
        if (cert && store) {
            throw new ConfigException(HTTP_TLS_KEYSTORE_LOCATION_CONFIG, getString(HTTP_TLS_KEYSTORE_LOCATION_CONFIG),
                    "give either the PEM files (" + HTTP_TLS_CERTIFICATE_FILE_CONFIG + ", " + HTTP_TLS_KEY_FILE_CONFIG
                            + ") or a key store, not both");
        }
        if (getString(HTTP_TLS_CLIENT_CA_FILE_CONFIG) != null && !cert && !store) {
            throw new ConfigException(HTTP_TLS_CLIENT_CA_FILE_CONFIG, getString(HTTP_TLS_CLIENT_CA_FILE_CONFIG),
                    "client certificates need the API on TLS: give " + HTTP_TLS_CERTIFICATE_FILE_CONFIG + " and "
                            + HTTP_TLS_KEY_FILE_CONFIG + ", or " + HTTP_TLS_KEYSTORE_LOCATION_CONFIG);
        }
    }

    /** A copy of the definition, e.g. for generated documentation or a CLI's help. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** I, this backup server's index and stripes partition. */
    public int serverIndex() {
        return getInt(SERVER_INDEX_CONFIG);
    }

    /** The store's directory. */
    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG));
    }

    /** Where the HTTP API listens (port 0: a free one), or null when it is off. */
    public InetSocketAddress httpAddress() {
        return CommonConfigs.httpAddress(this);
    }

    /** Threads serving HTTP requests. */
    public int httpThreads() {
        return getInt(HTTP_THREADS_CONFIG);
    }

    /** Whether the HTTP API takes repairs. */
    public boolean httpRepairs() {
        return getBoolean(HTTP_REPAIRS_CONFIG);
    }

    /**
     * How the HTTP API protects itself, with its certificate, key, CAs and token read and checked now.
     *
     * @throws ConfigException naming the key whose file is unreadable or malformed, and why
     */
    public SinkHttpSecurity httpSecurity() {
        KeyMaterial key = null;
        if (getString(HTTP_TLS_CERTIFICATE_FILE_CONFIG) != null) {
            key = load(HTTP_TLS_CERTIFICATE_FILE_CONFIG, () -> KeyMaterial.pem(path(HTTP_TLS_CERTIFICATE_FILE_CONFIG),
                    path(HTTP_TLS_KEY_FILE_CONFIG)));
        } else if (getString(HTTP_TLS_KEYSTORE_LOCATION_CONFIG) != null) {
            Password password = getPassword(HTTP_TLS_KEYSTORE_PASSWORD_CONFIG);
            key = load(HTTP_TLS_KEYSTORE_LOCATION_CONFIG, () -> KeyMaterial.keyStore(
                    path(HTTP_TLS_KEYSTORE_LOCATION_CONFIG), password == null ? null : password.value().toCharArray(),
                    getString(HTTP_TLS_KEYSTORE_TYPE_CONFIG).toUpperCase(Locale.ROOT)));
        }
        TrustMaterial clientCas = getString(HTTP_TLS_CLIENT_CA_FILE_CONFIG) == null ? null
                : load(HTTP_TLS_CLIENT_CA_FILE_CONFIG, () -> TrustMaterial.pem(path(HTTP_TLS_CLIENT_CA_FILE_CONFIG)));
        BearerToken token = getString(HTTP_AUTH_TOKEN_FILE_CONFIG) == null ? null
                : load(HTTP_AUTH_TOKEN_FILE_CONFIG, () -> BearerToken.read(path(HTTP_AUTH_TOKEN_FILE_CONFIG)));
        SSLContext context = key == null ? null : TlsContexts.server(key, clientCas);
        return new SinkHttpSecurity(context, clientCas != null, token, getInt(HTTP_AUTH_MAX_FAILURES_CONFIG),
                Duration.ofMillis(getLong(HTTP_AUTH_LOCKOUT_MS_CONFIG)));
    }

    private Path path(String key) {
        return Path.of(getString(key));
    }

    /** Runs {@code load}, turning its message into a {@link ConfigException} on {@code key}. */
    private static <T> T load(String key, Supplier<T> load) {
        try {
            return load.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    /** R, complete checkpoints kept per application. */
    public int retain() {
        return getInt(RETAIN_CONFIG);
    }

    /**
     * The applications' public keys ({@value #APP_KEYS_DIR_CONFIG}), none when unset.
     *
     * @throws ConfigException when the path is not a directory
     */
    public AppKeyDirectory appKeys() {
        return CommonConfigs.appKeys(this);
    }

    /** First wait before a retry. */
    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MS_CONFIG));
    }

    /** Longest wait between retries. */
    public Duration retryBackoffMax() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS_CONFIG));
    }

    /** How long the sink may stay behind its partition before {@code /health} says so. */
    public Duration healthMaxBehind() {
        return Duration.ofMillis(getLong(HEALTH_MAX_BEHIND_MS_CONFIG));
    }

    /** How long without a fetch response from Kafka before the sink reports it unreachable. */
    public Duration healthBrokerTimeout() {
        return Duration.ofMillis(getLong(HEALTH_BROKER_TIMEOUT_MS_CONFIG));
    }

    /** The scrub's pace in bytes per second; 0 when it is off. */
    public double scrubBytesPerSecond() {
        return getDouble(SCRUB_RATE_MB_CONFIG) * 1e6;
    }

    /** The pause between two scrub passes. */
    public Duration scrubInterval() {
        return Duration.ofSeconds(getLong(SCRUB_INTERVAL_S_CONFIG));
    }

    /** Longest wait of one poll. */
    public Duration pollTimeout() {
        return Duration.ofMillis(getLong(POLL_TIMEOUT_MS_CONFIG));
    }

    /** The topic names, after prefix and individual overrides (only stripes, acks and dead letters are used). */
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

    /** The consumer's settings, byte-array deserializers included (values are decoded record by record). */
    public Map<String, Object> consumerProperties() {
        int maxMessageBytes = getInt(TOPIC_MAX_MESSAGE_BYTES_CONFIG);
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxMessageBytes);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * maxMessageBytes);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS_DEFAULT);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "checkstripe-sink-" + serverIndex());
        props.putAll(CommonConfigs.clientProps(this, ConsumerConfig.configNames(), CONSUMER_PREFIX));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /** The producer's settings (acks and dead letters), byte-array serializers included. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, getInt(TOPIC_MAX_MESSAGE_BYTES_CONFIG));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "checkstripe-sink-" + serverIndex() + "-producer");
        // An acknowledgement is a few dozen bytes that a publisher waits for: send it at once.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putAll(CommonConfigs.clientProps(this, ProducerConfig.configNames(), PRODUCER_PREFIX));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }
}
