package io.checkstripe.schemas;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.checkstripe.testkit.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a registry deployed behind TLS and basic authentication looks like to a client: an HTTPS
 * server with a {@link TestPki} certificate that checks the {@code Authorization} header and
 * forwards what it lets through to a real registry over plain HTTP. Apicurio itself only
 * authenticates through an OIDC provider, so the test puts this in front of it, as a reverse
 * proxy would be in production. It can also answer the next requests with a failure status
 * (a registry node in trouble) and ask for a client certificate (mutual TLS).
 */
final class TlsBasicAuthProxy implements AutoCloseable {

    private final HttpsServer server;
    private final String upstream;
    private final String expectedAuthorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger failuresToInject = new AtomicInteger();

    private TlsBasicAuthProxy(HttpsServer server, String upstream, BasicCredentials credentials) {
        this.server = server;
        this.upstream = upstream;
        this.expectedAuthorization = credentials.authorizationHeader();
        server.createContext("/", this::handle);
    }

    /**
     * Starts a proxy on {@code bind} (a free port) to {@code upstream} ({@code http://host:port}).
     *
     * @param needClientAuth whether a client certificate signed by {@code pki} is required
     */
    static TlsBasicAuthProxy start(TestPki pki, TestPki.Issued serverCert, InetAddress bind, String upstream,
                                   BasicCredentials credentials, boolean needClientAuth) throws IOException {
        SSLContext tls = serverContext(pki, serverCert);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(bind, 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(tls.getDefaultSSLParameters());
                params.setNeedClientAuth(needClientAuth);
            }
        });
        TlsBasicAuthProxy proxy = new TlsBasicAuthProxy(server, upstream, credentials);
        server.start();
        return proxy;
    }

    /** {@code https://host:port}, the host as the client names it. */
    String baseUrl() {
        InetSocketAddress address = server.getAddress();
        return "https://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The Confluent API root through this proxy. */
    String confluentApiUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Answers the next {@code count} requests with {@code 503} instead of forwarding them. */
    void failNext(int count) {
        failuresToInject.set(count);
    }

    /** HTTP requests received (after the TLS handshake), refused or not. */
    int requests() {
        return requests.get();
    }

    /** Requests answered 401 for wrong or missing credentials. */
    int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"registry\"");
                reply(exchange, 401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}");
                return;
            }
            if (failuresToInject.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
                reply(exchange, 503, "{\"error_code\":50003,\"message\":\"injected by the test proxy\"}");
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(10))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                forward.header("Content-Type", contentType);
            }
            HttpResponse<String> answer;
            try {
                answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(exchange, 502, "{\"error_code\":50201,\"message\":\"interrupted\"}");
                return;
            }
            reply(exchange, answer.statusCode(), answer.body());
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistry.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static SSLContext serverContext(TestPki pki, TestPki.Issued serverCert) throws IOException {
        try {
            char[] password = TestPki.STORE_PASSWORD.toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(serverCert.keyStore())) {
                keys.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pki.trustStore())) {
                trust.load(in, password);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the test proxy's TLS", e);
        }
    }
}
