package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.core.tls.KeyMaterial;
import io.checkstripe.core.tls.TlsContexts;
import io.checkstripe.core.tls.TrustMaterial;
import io.checkstripe.store.CellStore;
import io.checkstripe.testkit.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API over TLS with a bearer token or client certificates, against real certificates of a throw-away CA
 * and a real server: who gets in, who does not and what they are told, the guard against guessing the token (on a
 * clock the test moves), oversized requests, and a sink that refuses to start on a bad file.
 */
class SinkHttpSecurityTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private TestPki pki;
    private TestPki.Issued serverCert;
    private Path tokenFile;
    private CellStore store;
    private SinkHttpServer server;
    private final AtomicLong clock = new AtomicLong();

    @BeforeEach
    void setUp() throws IOException {
        pki = TestPki.create(dir.resolve("pki"), "ca");
        serverCert = pki.server("sink-1");
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        store = CellStore.open(dir.resolve("store"), 1);
        TestCheckpoints.fill(store, TestCheckpoints.stripe("ledger", 5, 6000, 3000, "XOR-2-1", 3, 5), 0,
                Integer.MAX_VALUE, true);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
        store.close();
    }

    private SinkHttpServer serve(SSLContext tls, boolean clientCertificates, int maxFailures) throws IOException {
        SinkHttpSecurity security = new SinkHttpSecurity(tls, clientCertificates, BearerToken.read(tokenFile),
                maxFailures, Duration.ofMinutes(1));
        server = SinkHttpServer.serve(store, new InetSocketAddress("127.0.0.1", 0), 2, true, security, clock::get,
                AppKeyDirectory.none());
        return server;
    }

    private SSLContext serverTls(boolean clientCertificates) {
        return TlsContexts.server(KeyMaterial.pem(serverCert.certPem(), serverCert.keyPem()),
                clientCertificates ? TrustMaterial.pem(pki.caCertPem()) : null);
    }

    private HttpClient client(TrustMaterial trust, KeyMaterial key) {
        return HttpClient.newBuilder().sslContext(TlsContexts.client(trust, key)).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private HttpResponse<String> get(HttpClient client, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsWithTheRightTokenServesAndAnythingElseIs401() throws Exception {
        serve(serverTls(false), false, 10);
        HttpClient client = client(TrustMaterial.pem(pki.caCertPem()), null);
        assertThat(server.uri().getScheme()).isEqualTo("https");

        assertThat(get(client, "/v1/apps", TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(client, "/v1/apps", TOKEN).body()).isEqualTo("[\"ledger\"]");

        HttpResponse<String> missing = get(client, "/v1/apps", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer"));
        assertThat(missing.body()).contains("requires a bearer token");

        HttpResponse<String> wrong = get(client, "/v1/apps/ledger/checkpoints", TOKEN.replace('0', '1'));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("invalid_token"));
        assertThat(wrong.body()).doesNotContain(TOKEN.replace('0', '1'));

        assertThat(get(client, "/metrics", null).statusCode()).as("metrics need the token").isEqualTo(401);
        assertThat(get(client, "/health", null).statusCode()).as("probes need no secret").isEqualTo(200);
        assertThat(server.authFailures()).isEqualTo(3);
    }

    @Test
    void repairWritesNeedTheTokenToo() throws Exception {
        serve(serverTls(false), false, 10);
        HttpClient client = client(TrustMaterial.pem(pki.caCertPem()), null);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.uri()
                        + "/v1/apps/ledger/checkpoints/5/cells")).POST(HttpRequest.BodyPublishers.ofByteArray(
                        new byte[100_000])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void aClientThatDoesNotTrustTheSinksCaFailsTheHandshake() throws Exception {
        serve(serverTls(false), false, 10);
        TestPki other = TestPki.create(dir.resolve("other"), "other-ca");
        HttpClient client = client(TrustMaterial.pem(other.caCertPem()), null);
        assertThatThrownBy(() -> get(client, "/v1/apps", TOKEN)).isInstanceOf(SSLException.class)
                .hasMessageContaining("PKIX");
    }

    @Test
    void mutualTlsAdmitsACertificateOfTheClientCaAndRefusesNone() throws Exception {
        serve(serverTls(true), true, 10);
        TestPki.Issued restorer = pki.client("restorer");
        HttpClient withCert = client(TrustMaterial.pem(pki.caCertPem()),
                KeyMaterial.pem(restorer.certPem(), restorer.keyPem()));
        assertThat(get(withCert, "/v1/apps", TOKEN).statusCode()).isEqualTo(200);

        HttpClient without = client(TrustMaterial.pem(pki.caCertPem()), null);
        assertThatThrownBy(() -> get(without, "/v1/apps", TOKEN)).isInstanceOf(IOException.class);

        TestPki stranger = TestPki.create(dir.resolve("stranger"), "stranger-ca");
        TestPki.Issued intruder = stranger.client("intruder");
        HttpClient foreign = client(TrustMaterial.pem(pki.caCertPem()),
                KeyMaterial.pem(intruder.certPem(), intruder.keyPem()));
        assertThatThrownBy(() -> get(foreign, "/v1/apps", TOKEN)).isInstanceOf(IOException.class);
    }

    @Test
    void guessingTheTokenIsThrottledPerAddressLoggedWithoutTheGuessAndCounted() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AuthGuard.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            serve(null, false, 3);
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                assertThat(get(client, "/v1/apps", "guess-number-" + i + "-xxxxxxxx").statusCode()).isEqualTo(401);
            }
            HttpResponse<String> locked = get(client, "/v1/apps", TOKEN);
            assertThat(locked.statusCode()).as("even the right token, once locked out").isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(get(client, "/health", null).statusCode()).isEqualTo(200);

            clock.addAndGet(Duration.ofSeconds(59).toNanos());
            assertThat(get(client, "/v1/apps", TOKEN).statusCode()).isEqualTo(429);
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            assertThat(get(client, "/v1/apps", TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(client, "/v1/apps", "guess-number-3-xxxxxxxx").statusCode())
                    .as("a new window").isEqualTo(401);

            assertThat(server.authFailures()).isEqualTo(6); // 4 wrong tokens, 2 refused while locked out
            assertThat(logs.list).hasSize(4);
            assertThat(logs.list).allSatisfy(e -> {
                assertThat(e.getFormattedMessage()).contains("127.0.0.1").contains("wrong bearer token")
                        .doesNotContain("guess-number");
            });
            assertThat(logs.list.get(2).getFormattedMessage()).contains("refusing it for 60 s");
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void oversizedRequestsAreRefusedBeforeTheyAreRouted() throws Exception {
        serve(null, false, 100);
        HttpClient client = HttpClient.newHttpClient();
        assertThat(get(client, "/v1/apps/" + "a".repeat(SinkHttpServer.MAX_URI_LENGTH), TOKEN).statusCode())
                .isEqualTo(414);

        HttpRequest.Builder many = HttpRequest.newBuilder(URI.create(server.uri() + "/v1/apps"))
                .header("Authorization", "Bearer " + TOKEN);
        for (int i = 0; i <= SinkHttpServer.MAX_HEADERS; i++) {
            many.header("X-Filler-" + i, "x");
        }
        assertThat(client.send(many.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(431);

        HttpRequest big = HttpRequest.newBuilder(URI.create(server.uri() + "/v1/apps"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("X-Filler", "x".repeat(SinkHttpServer.MAX_HEADER_BYTES)).build();
        assertThat(client.send(big, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(431);

        assertThat(get(client, "/v1/apps", TOKEN).statusCode()).as("still serving").isEqualTo(200);
    }

    @Test
    void configLoadsPemFilesOrAKeyStoreAndTheToken() {
        Map<String, Object> pem = config();
        pem.put(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, serverCert.certPem().toString());
        pem.put(SinkConfig.HTTP_TLS_KEY_FILE_CONFIG, serverCert.keyPem().toString());
        pem.put(SinkConfig.HTTP_TLS_CLIENT_CA_FILE_CONFIG, pki.caCertPem().toString());
        pem.put(SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG, tokenFile.toString());
        SinkHttpSecurity security = new SinkConfig(pem).httpSecurity();
        assertThat(security.tls()).isTrue();
        assertThat(security.clientCertificates()).isTrue();
        assertThat(security.token().matches(TOKEN)).isTrue();
        assertThat(security.toString()).doesNotContain(TOKEN);

        Map<String, Object> keyStore = config();
        keyStore.put(SinkConfig.HTTP_TLS_KEYSTORE_LOCATION_CONFIG, serverCert.keyStore().toString());
        keyStore.put(SinkConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, TestPki.STORE_PASSWORD);
        assertThat(new SinkConfig(keyStore).httpSecurity().tls()).isTrue();
        assertThat(new SinkConfig(keyStore).toString()).doesNotContain(TestPki.STORE_PASSWORD);
    }

    @Test
    void configRefusesMissingMalformedOrHalfGivenFilesNamingTheKey() throws IOException {
        Map<String, Object> noKey = config();
        noKey.put(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, serverCert.certPem().toString());
        assertThatThrownBy(() -> new SinkConfig(noKey)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SinkConfig.HTTP_TLS_KEY_FILE_CONFIG);

        Map<String, Object> garbage = config();
        garbage.put(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG,
                Files.writeString(dir.resolve("garbage.pem"), "not a certificate").toString());
        garbage.put(SinkConfig.HTTP_TLS_KEY_FILE_CONFIG, serverCert.keyPem().toString());
        assertThatThrownBy(() -> new SinkConfig(garbage).httpSecurity()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG).hasMessageContaining("garbage.pem")
                .hasMessageContaining("no PEM certificate");

        Map<String, Object> otherKey = config();
        otherKey.put(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, serverCert.certPem().toString());
        otherKey.put(SinkConfig.HTTP_TLS_KEY_FILE_CONFIG, pki.server("sink-2").keyPem().toString());
        assertThatThrownBy(() -> new SinkConfig(otherKey).httpSecurity()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not belong");

        Map<String, Object> noToken = config();
        noToken.put(SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG, dir.resolve("absent").toString());
        assertThatThrownBy(() -> new SinkConfig(noToken).httpSecurity()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG).hasMessageContaining("no such file");

        Map<String, Object> wrongPassword = config();
        wrongPassword.put(SinkConfig.HTTP_TLS_KEYSTORE_LOCATION_CONFIG, serverCert.keyStore().toString());
        wrongPassword.put(SinkConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, "not-the-password");
        assertThatThrownBy(() -> new SinkConfig(wrongPassword).httpSecurity()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("wrong password").hasMessageNotContaining("not-the-password");

        Map<String, Object> caWithoutTls = config();
        caWithoutTls.put(SinkConfig.HTTP_TLS_CLIENT_CA_FILE_CONFIG, pki.caCertPem().toString());
        assertThatThrownBy(() -> new SinkConfig(caWithoutTls)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("need the API on TLS");
    }

    private Map<String, Object> config() {
        Map<String, Object> props = new HashMap<>();
        props.put(SinkConfig.SERVER_INDEX_CONFIG, 1);
        props.put(SinkConfig.DATA_DIR_CONFIG, dir.resolve("store").toString());
        props.put("bootstrap.servers", "localhost:9092");
        return props;
    }
}
