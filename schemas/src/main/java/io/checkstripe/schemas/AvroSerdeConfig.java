package io.checkstripe.schemas;

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
 * <p>{@value #SCHEMA_REGISTRY_URL_CONFIG}, {@value #AUTO_REGISTER_SCHEMAS_CONFIG} and the registry
 * client's authentication, TLS, timeout and retry keys ({@link SchemaRegistryClientConfigs}) mean
 * what they mean for Confluent's serdes, so the same properties files work for both. Unknown keys
 * (the rest of a producer's or consumer's configuration) are ignored.
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = SchemaRegistryClientConfigs.URL_CONFIG;
    public static final String SCHEMA_REGISTRY_URL_DOC = SchemaRegistryClientConfigs.URL_DOC;

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

    private static final ConfigDef CONFIG = CommonConfigs.addSchemaRegistry(new ConfigDef())
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(VALUE_SCHEMA_CONFIG, Type.STRING, "", new SchemaValidator(), Importance.MEDIUM, VALUE_SCHEMA_DOC)
            .define(KEY_SCHEMA_CONFIG, Type.STRING, "", new SchemaValidator(), Importance.LOW, KEY_SCHEMA_DOC);

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
        return CommonConfigs.schemaRegistry(this);
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
