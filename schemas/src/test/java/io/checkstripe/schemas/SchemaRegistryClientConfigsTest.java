package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and validation of the registry client's settings; what they do is tested in HttpSchemaRegistryTest. */
class SchemaRegistryClientConfigsTest {

    private static final String SECRET = "s3cret-Pa55";

    @TempDir
    Path dir;

    private static AbstractConfig config(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new AbstractConfig(SchemaRegistryClientConfigs.define(new ConfigDef()), props, false);
    }

    private static HttpSchemaRegistry http(AbstractConfig config) {
        return (HttpSchemaRegistry) SchemaRegistryClientConfigs.registry(config);
    }

    @Test
    void defaultsAreConfluentsAndTheEmbeddedRegistry() {
        AbstractConfig defaults = config();
        assertThat(SchemaRegistryClientConfigs.registry(defaults)).isSameAs(InMemorySchemaRegistry.embedded());
        assertThat(defaults.getString("basic.auth.credentials.source")).isEqualTo("URL");
        assertThat(defaults.getInt("max.retries")).isEqualTo(3);
        assertThat(defaults.getLong("retries.wait.ms")).isEqualTo(1000);
        assertThat(defaults.getLong("retries.max.wait.ms")).isEqualTo(20_000);
        assertThat(defaults.getLong("schema.registry.request.timeout.ms")).isEqualTo(30_000);
        assertThat(defaults.getString("schema.registry.ssl.endpoint.identification.algorithm")).isEqualTo("https");

        HttpSchemaRegistry.Settings settings = http(config("schema.registry.url", "http://a:1,http://b:2")).settings();
        assertThat(settings.credentials()).isNull();
        assertThat(settings.sslContext()).as("no https URL").isNull();
        assertThat(settings.maxRetries()).isEqualTo(3);
    }

    @Test
    void timeoutsAndRetriesReachTheClient() {
        HttpSchemaRegistry registry = http(config("schema.registry.url", "http://a:1",
                "schema.registry.connect.timeout.ms", "700", "schema.registry.request.timeout.ms", "9000",
                "max.retries", "5", "retries.wait.ms", "30", "retries.max.wait.ms", "400"));
        assertThat(registry.settings()).isEqualTo(HttpSchemaRegistry.Settings.DEFAULTS
                .withTimeouts(Duration.ofMillis(700), Duration.ofMillis(9000))
                .withRetries(5, Duration.ofMillis(30), Duration.ofMillis(400)));
        assertThatThrownBy(() -> config("max.retries", "-1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.retries");
        assertThatThrownBy(() -> config("retries.wait.ms", "-5"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retries.wait.ms");
    }

    @Test
    void userInfoCredentialsAreParsedAndTheirPasswordNeverPrinted() {
        AbstractConfig config = config("schema.registry.url", "https://registry:8443",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "alice:" + SECRET);
        BasicCredentials credentials = http(config).settings().credentials();
        assertThat(credentials.user()).isEqualTo("alice");
        assertThat(credentials.password().value()).isEqualTo(SECRET);
        assertThat(credentials.toString()).doesNotContain(SECRET);
        assertThat(config.values().toString()).doesNotContain(SECRET);
        assertThat(http(config).settings().sslContext()).as("an https URL gets a TLS context").isNotNull();
    }

    @Test
    void badCredentialSettingsAreNamedWithoutQuotingThePassword() {
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url", "http://a:1",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("basic.auth.credentials.source=USER_INFO needs basic.auth.user.info as user:password");
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url", "http://a:1",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid basic.auth.user.info: expected user:password (no ':' found)");
        assertThatThrownBy(() -> config("basic.auth.credentials.source", "SASL_INHERIT"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.credentials.source")
                .hasMessageContaining("use USER_INFO with basic.auth.user.info=user:password");
        assertThatThrownBy(() -> config("basic.auth.credentials.source", "user_info"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be URL or USER_INFO");
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url",
                "https://alice:" + SECRET + "@a:1", "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "bob:x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("https://a:1 carries user info")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url",
                "ftp://alice:" + SECRET + "@a:1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void urlCredentialsAreTakenFromEachUrl() {
        HttpSchemaRegistry registry = http(config("schema.registry.url",
                "https://alice:" + SECRET + "@a:1/apis/ccompat/v7,https://b:2"));
        assertThat(registry).hasToString("https://a:1/apis/ccompat/v7,https://b:2");
        assertThat(registry.settings().credentials()).as("none shared: each URL has its own").isNull();
    }

    @Test
    void trustAndKeyStoresAreLoadedByKafkasSslFactory() {
        TestPki pki = TestPki.create(dir, "ca");
        TestPki.Issued client = pki.client("publisher");
        HttpSchemaRegistry registry = http(config("schema.registry.url", "https://registry:8443",
                "schema.registry.ssl.truststore.location", pki.trustStore().toString(),
                "schema.registry.ssl.truststore.password", TestPki.STORE_PASSWORD,
                "schema.registry.ssl.truststore.type", "PKCS12",
                "schema.registry.ssl.keystore.location", client.keyStore().toString(),
                "schema.registry.ssl.keystore.password", TestPki.STORE_PASSWORD,
                "schema.registry.ssl.keystore.type", "PKCS12"));
        assertThat(registry.settings().sslContext()).isNotNull();

        HttpSchemaRegistry pem = http(config("schema.registry.url", "https://registry:8443",
                "schema.registry.ssl.truststore.location", pki.caCertPem().toString(),
                "schema.registry.ssl.truststore.type", "PEM"));
        assertThat(pem.settings().sslContext()).as("Kafka's PEM trust store").isNotNull();
    }

    @Test
    void unusableTlsSettingsAreNamedWithoutThePassword() {
        TestPki pki = TestPki.create(dir, "ca");
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url", "https://r:1",
                "schema.registry.ssl.truststore.location", dir.resolve("missing.p12").toString(),
                "schema.registry.ssl.truststore.password", SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot set up TLS to the schema registry from schema.registry.ssl.*: ")
                .hasMessageContaining("missing.p12")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> SchemaRegistryClientConfigs.registry(config("schema.registry.url", "https://r:1",
                "schema.registry.ssl.truststore.location", pki.trustStore().toString(),
                "schema.registry.ssl.truststore.type", "PKCS12",
                "schema.registry.ssl.truststore.password", SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(pki.trustStore().getFileName().toString())
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> config("schema.registry.ssl.endpoint.identification.algorithm", ""))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.endpoint.identification.algorithm")
                .hasMessageContaining("only https is supported");
    }
}
