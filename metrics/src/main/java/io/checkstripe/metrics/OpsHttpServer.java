package io.checkstripe.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server with nothing but {@code GET /metrics} and {@code GET /health} ({@link OpsEndpoints}), for a
 * process that has no API of its own to add them to (the striper). Two daemon threads; thread-safe.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves.
     *
     * @throws IOException when the address cannot be bound
     */
    public static OpsHttpServer start(InetSocketAddress address, PrometheusMeterRegistry registry,
                                      Supplier<Health> health) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        HttpServer server = HttpServer.create(address, 64);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "checkstripe-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try {
                route(exchange, registry, health);
            } catch (IOException | RuntimeException e) {
                log.warn("{} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
                exchange.close();
            }
        });
        server.start();
        return new OpsHttpServer(server, executor);
    }

    private static void route(HttpExchange exchange, PrometheusMeterRegistry registry, Supplier<Health> health)
            throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/metrics" -> OpsEndpoints.metrics(exchange, registry);
            case "/health" -> OpsEndpoints.health(exchange, health);
            default -> {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port} of the server. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
