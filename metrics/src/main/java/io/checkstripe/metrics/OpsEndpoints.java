package io.checkstripe.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The two operational endpoints every long-running checkstripe process serves, written once for the sink's API
 * and the striper's and the healer's own server: {@code GET /metrics}, a Prometheus scrape in the text format
 * (version 0.0.4), and {@code GET /health}, the {@link Health} as JSON with status 200 or 503; and the JSON
 * answer the sink's API gives too.
 */
public final class OpsEndpoints {

    /** The content type of a Prometheus text scrape. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpsEndpoints() {
    }

    /** Answers a scrape of {@code registry}. */
    public static void metrics(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        send(exchange, 200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /** Answers with the health {@code health} gives now. */
    public static void health(HttpExchange exchange, Supplier<Health> health) throws IOException {
        Health h = health.get();
        json(exchange, h.httpStatus(), h.fields());
    }

    /**
     * Answers {@code body} as JSON (Jackson's default mapping) with {@code status}; a HEAD request gets the
     * headers alone. A body that cannot be encoded is answered 500 with an error document instead.
     */
    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = "{\"error\":\"cannot encode the answer\"}".getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        send(exchange, status, "application/json", bytes);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
