package io.checkstripe.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A client of a running sink's read-only HTTP API ({@code SinkHttpServer}), to observe it from outside. */
final class SinkApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SinkApi() {
    }

    /** {@code GET /v1/server}: index, state, reason when stalled, counters (committedOffset, cellsStored, ...). */
    static JsonNode server(URI base) {
        return get(base, "/v1/server").orElseThrow(() -> new IllegalStateException(base + "/v1/server: 404"));
    }

    /** {@code GET /health}: the status (200 or 503) and the JSON answer. */
    record HealthAnswer(int status, JsonNode body) {
    }

    static HealthAnswer health(URI base) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(10))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new HealthAnswer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + request.uri(), e);
        }
    }

    /** {@code GET /v1/apps/APP/checkpoints} as JSON, empty when the sink holds nothing of the application. */
    static Optional<JsonNode> checkpoints(URI base, String app) {
        return get(base, "/v1/apps/" + app + "/checkpoints");
    }

    /** Whether the sink holds the checkpoint's manifest and every cell it should. */
    static boolean complete(URI base, String app, long checkpointId) {
        return checkpoint(base, app, checkpointId).map(c -> c.path("complete").asBoolean(false)).orElse(false);
    }

    /** The sink's entry for one checkpoint, if it has one. */
    static Optional<JsonNode> checkpoint(URI base, String app, long checkpointId) {
        return checkpoints(base, app).flatMap(list -> {
            for (JsonNode c : list) {
                if (c.path("checkpointId").asLong(-1) == checkpointId) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        });
    }

    /** {@code GET /v1/scrub}: the sink's scrub report, empty when it does not scrub. */
    static Optional<JsonNode> scrub(URI base) {
        return get(base, "/v1/scrub");
    }

    private static Optional<JsonNode> get(URI base, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + request.uri() + ": " + response.statusCode() + " "
                        + response.body());
            }
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + request.uri(), e);
        }
    }
}
