package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.testkit.ApicurioRegistryExtension;
import io.checkstripe.testkit.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client configured as a user configures it (properties: URLs, basic auth, trust
 * and key stores, retries) against a real Apicurio Registry behind a TLS and basic-auth proxy
 * ({@link TlsBasicAuthProxy}): the serdes' round trip, refused credentials, fail-over, a
 * transient failure, and certificates the client must refuse.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecureSchemaRegistryIntegrationTest {

    private static final String USER = "checkstripe";
    private static final String PASSWORD = "registry-Pa55word";
    private static final AtomicInteger SUBJECTS = new AtomicInteger();

    @RegisterExtension
    static final ApicurioRegistryExtension APICURIO = new ApicurioRegistryExtension();

    @TempDir
    static Path pkiDir;

    private static TestPki pki;
    private static TestPki.Issued serverCert;

    private TlsBasicAuthProxy proxy;

    @BeforeAll
    static void makeCertificates() {
        pki = TestPki.create(pkiDir, "registry-ca");
        serverCert = pki.server("registry");
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private TlsBasicAuthProxy startProxy(boolean needClientAuth) throws IOException {
        return startProxy(InetAddress.getLoopbackAddress(), needClientAuth);
    }

    private TlsBasicAuthProxy startProxy(InetAddress bind, boolean needClientAuth) throws IOException {
        proxy = TlsBasicAuthProxy.start(pki, serverCert, bind, APICURIO.registry().baseUrl(),
                BasicCredentials.parse(USER + ":" + PASSWORD), needClientAuth);
        return proxy;
    }

    /** What a --command-config file for this registry holds. */
    private static Map<String, Object> clientProps(String urls, String userInfo) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", urls);
        props.put("basic.auth.credentials.source", "USER_INFO");
        props.put("basic.auth.user.info", userInfo);
        props.put("schema.registry.ssl.truststore.location", pki.trustStore().toString());
        props.put("schema.registry.ssl.truststore.password", TestPki.STORE_PASSWORD);
        props.put("schema.registry.ssl.truststore.type", "PKCS12");
        props.put("retries.wait.ms", "200");
        props.put("retries.max.wait.ms", "1000");
        return props;
    }

    private static SchemaRegistry registry(Map<String, Object> props) {
        return CommonConfigs.schemaRegistry(new AbstractConfig(CommonConfigs.addSchemaRegistry(new ConfigDef()),
                props, false));
    }

    private static String subject() {
        return "secure-it-" + SUBJECTS.incrementAndGet() + "-value";
    }

    @Test
    void rightCredentialsRegisterAndLookUpThroughTheSerdes() throws IOException {
        startProxy(false);
        String topic = "secure-acks-" + SUBJECTS.incrementAndGet();
        Map<String, Object> props = clientProps(proxy.confluentApiUrl(), USER + ":" + PASSWORD);
        props.put(AvroSerdeConfig.VALUE_SCHEMA_CONFIG, "CheckpointAck");
        try (ConfluentAvroSerializer serializer = new ConfluentAvroSerializer();
             ConfluentAvroDeserializer<SpecificRecord> deserializer = new ConfluentAvroDeserializer<>()) {
            serializer.configure(props, false);
            deserializer.configure(props, false);
            byte[] frame = serializer.serialize(topic, SampleRecords.ack());
            assertThat(deserializer.deserialize(topic, frame)).isEqualTo(SampleRecords.ack());
            int id = ConfluentAvroSerdeTest.idIn(frame);
            assertThat(registry(props).idOf(topic + "-value", CheckpointAck.SCHEMA$)).as("lookup").isEqualTo(id);
        }
        assertThat(proxy.requests()).as("register, fetch by id, look up").isEqualTo(3);
        assertThat(proxy.refused()).isZero();
    }

    @Test
    void wrongCredentialsAreRefusedClearlyOnceWithoutThePassword() throws IOException {
        startProxy(false);
        SchemaRegistry registry = registry(clientProps(proxy.confluentApiUrl(), USER + ":not-" + PASSWORD));
        String subject = subject();
        assertThatThrownBy(() -> registry.register(subject, CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema registry at " + proxy.confluentApiUrl() + " refused the credentials "
                        + "of user " + USER + " (HTTP 401) while registering schema "
                        + CheckpointAck.SCHEMA$.getFullName() + " under subject \"" + subject + "\"")
                .hasMessageNotContaining(PASSWORD)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(401));
        assertThat(proxy.requests()).as("a refusal is not retried").isEqualTo(1);
    }

    @Test
    void aDeadFirstUrlFailsOverToTheSecond() throws IOException {
        startProxy(false);
        String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "https://127.0.0.1:" + socket.getLocalPort() + "/apis/ccompat/v7";
        }
        SchemaRegistry registry = registry(clientProps(dead + "," + proxy.confluentApiUrl(), USER + ":" + PASSWORD));
        int id = registry.register(subject(), CheckpointAck.SCHEMA$);
        assertThat(registry.byId(id)).isEqualTo(CheckpointAck.SCHEMA$);
        assertThat(proxy.requests()).isEqualTo(1);
    }

    @Test
    void aTransientUnavailabilityIsRetriedAfterABackoff() throws IOException {
        startProxy(false);
        SchemaRegistry registry = registry(clientProps(proxy.confluentApiUrl(), USER + ":" + PASSWORD));
        proxy.failNext(1);
        long start = System.nanoTime();
        int id = registry.register(subject(), CheckpointAck.SCHEMA$);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(id).isPositive();
        assertThat(proxy.requests()).as("the 503, then the retry").isEqualTo(2);
        assertThat(elapsedMillis).as("waited at least 0.8 × retries.wait.ms").isGreaterThanOrEqualTo(160);
    }

    @Test
    void anUntrustedServerCertificateIsAClearTlsErrorAndNotRetried() throws IOException {
        startProxy(false);
        Map<String, Object> props = clientProps(proxy.confluentApiUrl(), USER + ":" + PASSWORD);
        props.remove("schema.registry.ssl.truststore.location");
        props.remove("schema.registry.ssl.truststore.password");
        SchemaRegistry registry = registry(props);
        assertThatThrownBy(() -> registry.byId(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("TLS connection to schema registry at " + proxy.confluentApiUrl() + " failed while "
                        + "fetching schema id 1: the server's certificate is not trusted: no chain to a CA of the "
                        + "trust store (schema.registry.ssl.truststore.location, or the JDK's when unset)")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).retriable()).isFalse());
        assertThat(proxy.requests()).as("no HTTP request gets through").isZero();
    }

    @Test
    void aCertificateNotNamingTheHostIsRefused() throws IOException {
        // The certificate names localhost and 127.0.0.1; the proxy is reached as 127.0.0.2.
        startProxy(InetAddress.getByName("127.0.0.2"), false);
        SchemaRegistry registry = registry(clientProps(proxy.confluentApiUrl(), USER + ":" + PASSWORD));
        assertThatThrownBy(() -> registry.byId(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("TLS connection to schema registry at https://127.0.0.2:")
                .hasMessageContaining("the server's certificate was refused: ")
                .hasMessageContaining("127.0.0.2");
        assertThat(proxy.requests()).isZero();
    }

    @Test
    void aClientCertificateFromTheKeyStoreSatisfiesMutualTls() throws IOException {
        startProxy(true);
        TestPki.Issued client = pki.client("publisher");
        Map<String, Object> props = clientProps(proxy.confluentApiUrl(), USER + ":" + PASSWORD);
        props.put("schema.registry.ssl.keystore.location", client.keyStore().toString());
        props.put("schema.registry.ssl.keystore.password", TestPki.STORE_PASSWORD);
        props.put("schema.registry.ssl.keystore.type", "PKCS12");
        assertThat(registry(props).register(subject(), CheckpointAck.SCHEMA$)).isPositive();
        assertThat(proxy.requests()).isEqualTo(1);
    }
}
