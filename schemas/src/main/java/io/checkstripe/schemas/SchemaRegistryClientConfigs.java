package io.checkstripe.schemas;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * The settings of the schema registry client, under the names and with the meaning Confluent's
 * serdes give them, so that one properties file (a {@code --command-config}, a serde's
 * configuration) configures Confluent's clients and checkstripe's alike: the URLs, basic
 * authentication, TLS ({@code schema.registry.ssl.*}), timeouts and retries.
 *
 * <p>{@link #define(ConfigDef)} adds them to a program's {@link ConfigDef};
 * {@link #registry(AbstractConfig)} builds the registry they describe. TLS is set up by Kafka's
 * own {@link DefaultSslEngineFactory} from every {@code schema.registry.ssl.*} key with the
 * {@code schema.registry.} prefix cut off, so every Kafka {@code ssl.*} client setting works there
 * too (PEM trust stores, protocols, cipher suites), as in Confluent's client. Two limits: the
 * {@code SASL_INHERIT} credentials source is refused (give the registry its own user), and host
 * name verification cannot be turned off (the JDK's HTTP client always performs it).
 *
 * <p>Passwords are {@link Type#PASSWORD}s, hidden wherever a configuration is printed; user info
 * in a URL is cut out of every message. Stateless and thread-safe.
 */
public final class SchemaRegistryClientConfigs {

    public static final String URL_CONFIG = "schema.registry.url";
    public static final String URL_DOC = "Where schemas are registered: one or more comma-separated "
            + "http(s)://[user:password@]host:port[/path] of a Confluent-compatible registry (e.g. Apicurio's "
            + "https://host:8443/apis/ccompat/v7), asked in order, the next one when a URL cannot be reached or "
            + "answers 408, 429 or 5xx; mock://SCOPE for an in-memory registry shared within the JVM; or empty / "
            + SchemaRegistries.EMBEDDED_URL + " for the embedded registry on which all checkstripe processes agree "
            + "without a server.";

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC = "Where the HTTP basic credentials sent to the "
            + "registry come from: URL, the user info of each URL (none when a URL has none); USER_INFO, "
            + "basic.auth.user.info for every URL. SASL_INHERIT (Kafka's SASL credentials) is not supported.";

    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String BASIC_AUTH_USER_INFO_DOC = "The registry's user and password as user:password, "
            + "when " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=USER_INFO.";

    public static final String CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
    public static final String CONNECT_TIMEOUT_MS_DOC = "Time to open one connection to an HTTP schema registry "
            + "(never more than what is left of " + "schema.registry.request.timeout.ms).";

    public static final String REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS_DOC = "Time one registry operation (a registration, a lookup) "
            + "may take, every attempt, fail-over and retry wait included; each attempt gets the time left, shared "
            + "among the URLs still to try.";

    public static final String MAX_RETRIES_CONFIG = "max.retries";
    public static final String MAX_RETRIES_DOC = "How many times a registry operation is tried again after every "
            + "URL failed (could not be reached, or answered 408, 429 or 5xx). Refusals (401, 403, 404, 409, 422) "
            + "and a refused server certificate are never retried.";

    public static final String RETRIES_WAIT_MS_CONFIG = "retries.wait.ms";
    public static final String RETRIES_WAIT_MS_DOC = "Wait before the first retry of a registry operation; each "
            + "further retry waits twice as long, times a random factor between 0.8 and 1.2, up to "
            + "retries.max.wait.ms. A retry whose wait would end after schema.registry.request.timeout.ms is not made.";

    public static final String RETRIES_MAX_WAIT_MS_CONFIG = "retries.max.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS_DOC = "Longest wait before a retry of a registry operation.";

    /** Prefix of the TLS settings; with it cut off they are Kafka's {@code ssl.*} client settings. */
    public static final String SSL_PREFIX = "schema.registry.";

    public static final String SSL_TRUSTSTORE_LOCATION_CONFIG = SSL_PREFIX + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG;
    public static final String SSL_TRUSTSTORE_LOCATION_DOC = "Trust store of the CAs that sign the registry's "
            + "certificate; empty: the JDK's default trust store.";

    public static final String SSL_TRUSTSTORE_PASSWORD_CONFIG = SSL_PREFIX + SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG;
    public static final String SSL_TRUSTSTORE_PASSWORD_DOC = "Password of "
            + SSL_TRUSTSTORE_LOCATION_CONFIG + " (none for a PEM file).";

    public static final String SSL_TRUSTSTORE_TYPE_CONFIG = SSL_PREFIX + SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG;
    public static final String SSL_TRUSTSTORE_TYPE_DOC = "Format of " + SSL_TRUSTSTORE_LOCATION_CONFIG
            + ": JKS, PKCS12 or PEM.";

    public static final String SSL_KEYSTORE_LOCATION_CONFIG = SSL_PREFIX + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG;
    public static final String SSL_KEYSTORE_LOCATION_DOC = "Key store of the client certificate shown to a registry "
            + "that asks for one (mutual TLS); empty: none.";

    public static final String SSL_KEYSTORE_PASSWORD_CONFIG = SSL_PREFIX + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG;
    public static final String SSL_KEYSTORE_PASSWORD_DOC = "Password of " + SSL_KEYSTORE_LOCATION_CONFIG + ".";

    public static final String SSL_KEYSTORE_TYPE_CONFIG = SSL_PREFIX + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG;
    public static final String SSL_KEYSTORE_TYPE_DOC = "Format of " + SSL_KEYSTORE_LOCATION_CONFIG
            + ": JKS, PKCS12 or PEM.";

    public static final String SSL_KEY_PASSWORD_CONFIG = SSL_PREFIX + SslConfigs.SSL_KEY_PASSWORD_CONFIG;
    public static final String SSL_KEY_PASSWORD_DOC = "Password of the private key in "
            + SSL_KEYSTORE_LOCATION_CONFIG + ", when it differs from the store's.";

    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG = SSL_PREFIX
            + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG;
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_DOC = "How the registry's certificate is "
            + "matched to its host: https (the certificate must name the URL's host). Cannot be turned off.";

    /** The credentials sources Confluent's clients know. */
    public enum CredentialsSource {
        /** The user info of each URL. */
        URL,
        /** {@value #BASIC_AUTH_USER_INFO_CONFIG} for every URL. */
        USER_INFO,
        /** Kafka's SASL credentials; refused, named so that the refusal can say why. */
        SASL_INHERIT
    }

    private SchemaRegistryClientConfigs() {
    }

    /**
     * Defines every key of this class with its documented default.
     *
     * @return {@code def}, for chaining
     */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(URL_CONFIG, Type.STRING, "", Importance.HIGH, URL_DOC)
                .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, CredentialsSource.URL.name(),
                        SchemaRegistryClientConfigs::validateSource, Importance.MEDIUM, BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
                .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
                .define(CONNECT_TIMEOUT_MS_CONFIG, Type.LONG, HttpSchemaRegistry.DEFAULT_CONNECT_TIMEOUT.toMillis(),
                        ConfigDef.Range.atLeast(1), Importance.LOW, CONNECT_TIMEOUT_MS_DOC)
                .define(REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, HttpSchemaRegistry.DEFAULT_REQUEST_TIMEOUT.toMillis(),
                        ConfigDef.Range.atLeast(1), Importance.LOW, REQUEST_TIMEOUT_MS_DOC)
                .define(MAX_RETRIES_CONFIG, Type.INT, HttpSchemaRegistry.DEFAULT_MAX_RETRIES,
                        ConfigDef.Range.atLeast(0), Importance.LOW, MAX_RETRIES_DOC)
                .define(RETRIES_WAIT_MS_CONFIG, Type.LONG, HttpSchemaRegistry.DEFAULT_RETRY_WAIT.toMillis(),
                        ConfigDef.Range.atLeast(0), Importance.LOW, RETRIES_WAIT_MS_DOC)
                .define(RETRIES_MAX_WAIT_MS_CONFIG, Type.LONG, HttpSchemaRegistry.DEFAULT_RETRY_MAX_WAIT.toMillis(),
                        ConfigDef.Range.atLeast(0), Importance.LOW, RETRIES_MAX_WAIT_MS_DOC)
                .define(SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM,
                        SSL_TRUSTSTORE_LOCATION_DOC)
                .define(SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM,
                        SSL_TRUSTSTORE_PASSWORD_DOC)
                .define(SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, SslConfigs.DEFAULT_SSL_TRUSTSTORE_TYPE,
                        Importance.LOW, SSL_TRUSTSTORE_TYPE_DOC)
                .define(SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.LOW, SSL_KEYSTORE_LOCATION_DOC)
                .define(SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.LOW, SSL_KEYSTORE_PASSWORD_DOC)
                .define(SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, SslConfigs.DEFAULT_SSL_KEYSTORE_TYPE, Importance.LOW,
                        SSL_KEYSTORE_TYPE_DOC)
                .define(SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.LOW, SSL_KEY_PASSWORD_DOC)
                .define(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, Type.STRING,
                        SslConfigs.DEFAULT_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        SchemaRegistryClientConfigs::validateEndpointIdentification, Importance.LOW,
                        SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_DOC);
    }

    /**
     * The registry {@value #URL_CONFIG} names, set up with the other keys of this class.
     *
     * @param config a configuration whose definition went through {@link #define(ConfigDef)}
     * @throws ConfigException naming the key when a value is not usable; a password, and user
     *                         info in a URL, are never part of the message
     */
    public static SchemaRegistry registry(AbstractConfig config) {
        String url = config.getString(URL_CONFIG);
        if (!isHttp(url)) {
            return forUrl(url, HttpSchemaRegistry.Settings.DEFAULTS);
        }
        HttpSchemaRegistry.Settings settings = HttpSchemaRegistry.Settings.DEFAULTS
                .withTimeouts(Duration.ofMillis(config.getLong(CONNECT_TIMEOUT_MS_CONFIG)),
                        Duration.ofMillis(config.getLong(REQUEST_TIMEOUT_MS_CONFIG)))
                .withRetries(config.getInt(MAX_RETRIES_CONFIG), Duration.ofMillis(config.getLong(RETRIES_WAIT_MS_CONFIG)),
                        Duration.ofMillis(config.getLong(RETRIES_MAX_WAIT_MS_CONFIG)))
                .withCredentials(credentials(config));
        if (url.contains("https://")) {
            settings = settings.withSslContext(sslContext(config));
        }
        return forUrl(url, settings);
    }

    private static SchemaRegistry forUrl(String url, HttpSchemaRegistry.Settings settings) {
        try {
            return SchemaRegistries.forUrl(url, settings);
        } catch (IllegalArgumentException e) {
            // The message names the URL without its user info; the value itself may hold a password.
            throw new ConfigException("invalid " + URL_CONFIG + ": " + e.getMessage());
        }
    }

    private static boolean isHttp(String url) {
        String stripped = url == null ? "" : url.strip();
        return stripped.startsWith("http://") || stripped.startsWith("https://");
    }

    /** The credentials for every URL, or null when they come from the URLs. */
    private static BasicCredentials credentials(AbstractConfig config) {
        CredentialsSource source = CredentialsSource.valueOf(config.getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG));
        Password userInfo = config.getPassword(BASIC_AUTH_USER_INFO_CONFIG);
        if (source == CredentialsSource.URL) {
            return null;
        }
        if (userInfo == null || userInfo.value().isEmpty()) {
            throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=USER_INFO needs "
                    + BASIC_AUTH_USER_INFO_CONFIG + " as user:password");
        }
        try {
            return BasicCredentials.parse(userInfo.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid " + BASIC_AUTH_USER_INFO_CONFIG + ": " + e.getMessage());
        }
    }

    /**
     * The TLS context of every {@code schema.registry.ssl.*} key, built by Kafka's
     * {@link DefaultSslEngineFactory} as a Kafka client's {@code ssl.*} keys are.
     */
    private static SSLContext sslContext(AbstractConfig config) {
        Map<String, Object> ssl = config.originalsWithPrefix(SSL_PREFIX).entrySet().stream()
                .filter(e -> e.getKey().startsWith("ssl."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        DefaultSslEngineFactory factory = new DefaultSslEngineFactory();
        try {
            factory.configure(new AbstractConfig(new ConfigDef().withClientSslSupport(), ssl, false).values());
            return factory.sslContext();
        } catch (KafkaException e) {
            // ConfigException is a KafkaException: a missing or unreadable store, a wrong password.
            throw new ConfigException("cannot set up TLS to the schema registry from " + SSL_PREFIX + "ssl.*: "
                    + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
        }
    }

    private static void validateSource(String name, Object value) {
        String text = (String) value;
        CredentialsSource source;
        try {
            source = CredentialsSource.valueOf(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(name, value, "must be URL or USER_INFO");
        }
        if (source == CredentialsSource.SASL_INHERIT) {
            throw new ConfigException(name, value, "Kafka's SASL credentials are not sent to the schema registry; "
                    + "use USER_INFO with " + BASIC_AUTH_USER_INFO_CONFIG + "=user:password");
        }
    }

    private static void validateEndpointIdentification(String name, Object value) {
        String text = value == null ? "" : ((String) value).strip();
        if (!text.toLowerCase(Locale.ROOT).equals("https")) {
            throw new ConfigException(name, value, "only https is supported: the JDK's HTTP client always checks "
                    + "that the registry's certificate names the host of its URL; give the registry a certificate "
                    + "whose subjectAltName has that host");
        }
    }
}
