package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.StripeUnit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The REST client's fail-over, retries, authentication headers and messages against small local
 * stubs; the real-registry tests are in HttpSchemaRegistryIntegrationTest and
 * SecureSchemaRegistryIntegrationTest.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpSchemaRegistryTest {

    private static final HttpSchemaRegistry.Settings NO_RETRIES =
            HttpSchemaRegistry.Settings.DEFAULTS.withRetries(0, Duration.ZERO, Duration.ZERO);
    private static final HttpSchemaRegistry.Settings FAST_RETRIES =
            HttpSchemaRegistry.Settings.DEFAULTS.withRetries(3, Duration.ofMillis(20), Duration.ofMillis(50));

    private final List<Stub> stubs = new ArrayList<>();

    @AfterEach
    void stopStubs() {
        stubs.forEach(Stub::close);
    }

    @Test
    void registryThatIsNotListeningGivesAClearMessageNamingTheUrl() throws IOException {
        String url = deadUrl() + "/apis/ccompat/v7";
        HttpSchemaRegistry registry = new HttpSchemaRegistry(url, NO_RETRIES);

        assertThatThrownBy(() -> registry.register("acks-value", CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("schema registry at " + url + " is not reachable (connection refused) while registering "
                        + "schema io.checkstripe.schemas.avro.CheckpointAck under subject \"acks-value\"")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus())
                        .isEqualTo(SchemaRegistryException.NO_RESPONSE));
        assertThatThrownBy(() -> registry.byId(5))
                .hasMessageContaining("schema registry at " + url + " is not reachable (connection refused) while "
                        + "fetching schema id 5");
        assertThatThrownBy(() -> new ConfluentAvroSerializer(registry).serialize("acks", SampleRecords.ack()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("is not reachable (connection refused)");
    }

    @Test
    void registryThatNeverAnswersTimesOutWithTheConfiguredTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            HttpSchemaRegistry registry = new HttpSchemaRegistry(url,
                    HttpSchemaRegistry.Settings.DEFAULTS.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300)));
            // The connection is accepted by the kernel's backlog; nothing ever reads or answers. The one
            // attempt uses up the request timeout, so no retry is made.
            assertThatThrownBy(() -> registry.idOf("acks-value", CheckpointAck.SCHEMA$))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageStartingWith("schema registry at " + url + " is not reachable (timed out after ")
                    .hasMessageEndingWith(" ms; connect timeout 2000 ms, request timeout 300 ms) while looking up "
                            + "schema io.checkstripe.schemas.avro.CheckpointAck under subject \"acks-value\"");
        }
    }

    @Test
    void badUrlsAndSettingsAreRejected() {
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://host:8081?x=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"http://host:8081?x=1\"");
        assertThatThrownBy(() -> HttpSchemaRegistry.Settings.DEFAULTS.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connect timeout PT0S");
        assertThatThrownBy(() -> NO_RETRIES.withRetries(-1, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max retries -1");
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://a:1,,http://b:2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://a:1,http://a:1/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://a:1 is listed twice");
        assertThat(new HttpSchemaRegistry("http://host:8081//").urls()).containsExactly("http://host:8081");
    }

    @Test
    void userInfoInAUrlIsSentButNeverShown() throws IOException {
        Stub stub = stub(exchange -> answer(exchange, 200, "{\"id\":3}"));
        String url = stub.url().replace("http://", "http://alice:s%3Acret@");
        HttpSchemaRegistry registry = new HttpSchemaRegistry(url, NO_RETRIES);
        assertThat(registry).hasToString(stub.url());
        assertThat(registry.urls()).containsExactly(stub.url());
        assertThat(registry.register("acks-value", CheckpointAck.SCHEMA$)).isEqualTo(3);
        assertThat(stub.authorizations()).containsExactly(
                new BasicCredentials("alice", new Password("s:cret")).authorizationHeader());

        assertThatThrownBy(() -> new HttpSchemaRegistry("ftp://alice:s3cret@host:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"ftp://host:1\"")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://alice:s3cret@host:1",
                NO_RETRIES.withCredentials(BasicCredentials.parse("bob:other"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://host:1 carries user info")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void refusedCredentialsNameTheUserNeverThePasswordAndAreNotRetried() throws IOException {
        Stub stub = stub(exchange -> answer(exchange, 401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"));
        HttpSchemaRegistry registry = new HttpSchemaRegistry(stub.url(),
                FAST_RETRIES.withCredentials(BasicCredentials.parse("alice:wrong-password")));

        assertThatThrownBy(() -> registry.register("acks-value", CheckpointAck.SCHEMA$))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("schema registry at " + stub.url() + " refused the credentials of user alice (HTTP 401) "
                        + "while registering schema io.checkstripe.schemas.avro.CheckpointAck under subject "
                        + "\"acks-value\": Unauthorized")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).retriable()).isFalse());
        assertThat(stub.requests()).as("a refusal is an answer: asked once").isEqualTo(1);

        HttpSchemaRegistry anonymous = new HttpSchemaRegistry(stub.url(), FAST_RETRIES);
        assertThatThrownBy(() -> anonymous.byId(1))
                .hasMessageContaining("refused the request without credentials (set basic.auth.credentials.source="
                        + "USER_INFO and basic.auth.user.info) (HTTP 401)");
        assertThat(stub.authorizations()).containsExactly(
                BasicCredentials.parse("alice:wrong-password").authorizationHeader());
    }

    @Test
    void failsOverToTheNextUrlAndKeepsAskingTheOneThatAnswered() throws IOException {
        Stub failing = stub(exchange -> answer(exchange, 503, "{\"error_code\":50003,\"message\":\"overloaded\"}"));
        Stub good = stub(exchange -> answer(exchange, 200, "{\"id\":42}"));
        String dead = deadUrl();
        HttpSchemaRegistry registry = new HttpSchemaRegistry(dead + "," + failing.url() + "," + good.url(),
                NO_RETRIES);

        assertThat(registry.register("acks-value", CheckpointAck.SCHEMA$)).isEqualTo(42);
        assertThat(registry.register("units-value", StripeUnit.SCHEMA$)).isEqualTo(42);
        assertThat(failing.requests()).as("asked once, then passed over").isEqualTo(1);
        assertThat(good.requests()).isEqualTo(2);
    }

    @Test
    void aTransientFailureIsRetriedAfterABackoff() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Stub flaky = stub(exchange -> {
            if (calls.incrementAndGet() <= 2) {
                answer(exchange, 503, "busy");
            } else {
                answer(exchange, 200, "{\"id\":9}");
            }
        });
        HttpSchemaRegistry registry = new HttpSchemaRegistry(flaky.url(), FAST_RETRIES);
        long start = System.nanoTime();
        assertThat(registry.register("acks-value", CheckpointAck.SCHEMA$)).isEqualTo(9);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(flaky.requests()).isEqualTo(3);
        // Two waits of at least 0.8 × 20 ms and 0.8 × 40 ms.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(16 + 32);
    }

    @Test
    void everyUrlFailingNamesEachUrlAndItsFailureWithinTheRequestTimeout() throws IOException {
        Stub failing = stub(exchange -> answer(exchange, 500, "{\"error_code\":50001,\"message\":\"store down\"}"));
        String dead = deadUrl();
        HttpSchemaRegistry registry = new HttpSchemaRegistry(dead + "," + failing.url(),
                HttpSchemaRegistry.Settings.DEFAULTS.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(800))
                        .withRetries(1000, Duration.ofMillis(10), Duration.ofMillis(40)));
        long start = System.nanoTime();

        assertThatThrownBy(() -> registry.byId(77))
                .isInstanceOf(SchemaRegistryException.class)
                // The dead URL's last attempt is refused, or cut short by the request timeout when it falls last.
                .hasMessageMatching(Pattern.quote("no schema registry answered fetching schema id 77: schema registry at "
                        + dead + " is not reachable (") + "(connection refused|timed out after [0-9]+ ms; connect "
                        + "timeout 1000 ms, request timeout 800 ms)" + Pattern.quote(") while fetching schema id 77; "
                        + "schema registry at " + failing.url() + " failed fetching schema id 77: HTTP 500, error_code "
                        + "50001: store down; gave up after ") + ".*")
                .satisfies(e -> {
                    SchemaRegistryException failure = (SchemaRegistryException) e;
                    assertThat(failure.httpStatus()).isEqualTo(500);
                    assertThat(failure.retriable()).isTrue();
                });
        assertThat((System.nanoTime() - start) / 1_000_000).as("bounded by the request timeout").isLessThan(800 + 500);
        assertThat(failing.requests()).isBetween(2, 1001);
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndStaysWithinTheMaximum() {
        HttpSchemaRegistry.Settings settings =
                NO_RETRIES.withRetries(10, Duration.ofMillis(100), Duration.ofMillis(2000));
        int samples = 0;
        for (int retry = 0; retry <= 10; retry++) {
            double term = Math.min(100 * Math.pow(2, retry), 2000);
            for (int i = 0; i < 200; i++) {
                long wait = settings.backoffMillis(retry);
                assertThat(wait).as("retry %d", retry)
                        .isBetween((long) Math.floor(term * (1 - HttpSchemaRegistry.JITTER)), 2000L)
                        .isLessThanOrEqualTo((long) Math.ceil(term * (1 + HttpSchemaRegistry.JITTER)));
                samples++;
            }
        }
        assertThat(samples).isEqualTo(11 * 200);
        assertThat(NO_RETRIES.backoffMillis(0)).as("no wait configured").isZero();
        assertThat(NO_RETRIES.withRetries(1, Duration.ofMillis(500), Duration.ofMillis(100)).backoffMillis(0))
                .as("a first wait above the maximum").isEqualTo(100);
    }

    /** A URL nothing listens on. */
    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** A local HTTP server answering every request with {@code handler}, counting requests. */
    private record Stub(HttpServer server, AtomicInteger count, Queue<String> authorizationHeaders) {
        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        int requests() {
            return count.get();
        }

        List<String> authorizations() {
            return List.copyOf(authorizationHeaders);
        }

        void close() {
            server.stop(0);
        }
    }

    private Stub stub(Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        AtomicInteger count = new AtomicInteger();
        Queue<String> authorizations = new ConcurrentLinkedQueue<>();
        server.createContext("/", exchange -> {
            count.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            exchange.getRequestBody().readAllBytes();
            handler.handle(exchange);
        });
        server.start();
        Stub stub = new Stub(server, count, authorizations);
        stubs.add(stub);
        return stub;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistry.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
