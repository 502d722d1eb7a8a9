package io.checkstripe.schemas;

import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of {@link ConfluentAvroSerializer} and {@link ConfluentAvroDeserializer} when
 * Kafka builds them from properties (no-argument constructor, then {@code configure}).
 *
 * <p>{@value #SCHEMA_REGISTRY_URL_CONFIG} and {@value #AUTO_REGISTER_SCHEMAS_CONFIG} mean what
 * they mean for Confluent's serdes, so the same properties files work for both. Unknown keys
 * (the rest of a producer's or consumer's configuration) are ignored.
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Where schemas are registered: http(s)://host:port[/path] "
            + "for a Confluent-compatible registry (e.g. Apicurio's http://host:8080/apis/ccompat/v7), mock://SCOPE for "
            + "an in-memory registry shared within the JVM, or empty / " + SchemaRegistries.EMBEDDED_URL
            + " for the embedded registry on which all checkstripe processes agree without a server.";

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    public static final String AUTO_REGISTER_SCHEMAS_DOC = "Whether the serializer registers its writer schema under "
            + "the subject <topic>-value (<topic>-key for keys). When false it only looks up the id of an existing "
            + "registration and fails if there is none.";

    public static final String VALUE_SCHEMA_CONFIG = "checkstripe.value.schema";
    public static final String VALUE_SCHEMA_DOC = "Schema of values: the serializer's writer schema and the "
            + "deserializer's reader schema. A record name (StripeUnit, io.checkstripe.schemas.avro.StripeUnit), "
            + CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE_NAME + " or " + CheckstripeSchemas.STRIPES_TOPIC_VALUE_NAME
            + " for the topic unions, or Avro JSON. Empty: the serializer writes each record with its own schema, the "
            + "deserializer reads into the generated classes.";

    public static final String KEY_SCHEMA_CONFIG = "checkstripe.key.schema";
    public static final String KEY_SCHEMA_DOC = "Like " + VALUE_SCHEMA_CONFIG + ", for a serde configured for keys.";

    public static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
    public static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC = "Time to open a connection to an HTTP "
            + "schema registry.";

    public static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    public static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC = "Time to wait for an HTTP schema registry's "
            + "whole answer.";

    private static final ConfigDef CONFIG = CommonConfigs.addSchemaRegistryUrl(new ConfigDef())
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(VALUE_SCHEMA_CONFIG, Type.STRING, "", new SchemaValidator(), Importance.MEDIUM, VALUE_SCHEMA_DOC)
            .define(KEY_SCHEMA_CONFIG, Type.STRING, "", new SchemaValidator(), Importance.LOW, KEY_SCHEMA_DOC)
            .define(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, Type.LONG,
                    HttpSchemaRegistry.DEFAULT_CONNECT_TIMEOUT.toMillis(), ConfigDef.Range.atLeast(1),
                    Importance.LOW, SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC)
            .define(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, Type.LONG,
                    HttpSchemaRegistry.DEFAULT_REQUEST_TIMEOUT.toMillis(), ConfigDef.Range.atLeast(1),
                    Importance.LOW, SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC);

    /** @throws ConfigException naming the bad key and value */
    public AvroSerdeConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
    }

    /** A copy of the definition, e.g. for generated documentation. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /**
     * The registry {@value #SCHEMA_REGISTRY_URL_CONFIG} names.
     *
     * @throws ConfigException when the URL is not usable
     */
    public SchemaRegistry registry() {
        return CommonConfigs.schemaRegistry(getString(SCHEMA_REGISTRY_URL_CONFIG),
                Duration.ofMillis(getLong(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG)),
                Duration.ofMillis(getLong(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG)));
    }

    /** Whether the serializer may register schemas. */
    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
    }

    /** The configured key or value schema, or {@code null} when none is configured. */
    public Schema schema(boolean isKey) {
        String text = getString(isKey ? KEY_SCHEMA_CONFIG : VALUE_SCHEMA_CONFIG);
        return text.isBlank() ? null : CheckstripeSchemas.named(text);
    }

    /** Accepts empty or anything {@link CheckstripeSchemas#named(String)} resolves. */
    private static final class SchemaValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = (String) value;
            if (text == null || text.isBlank()) {
                return;
            }
            try {
                CheckstripeSchemas.named(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a record name, " + CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE_NAME + ", "
                    + CheckstripeSchemas.STRIPES_TOPIC_VALUE_NAME + " or Avro JSON";
        }
    }
}
