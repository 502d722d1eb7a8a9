package io.checkstripe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The ops server over real HTTP; scrapes read by Prometheus's own parser. */
class OpsHttpServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesAScrapeThatPrometheusParsesWithTheProcessMetricsAndTheCommonTags() throws Exception {
        PrometheusMeterRegistry registry = ProcessMetrics.registry(Tags.of("server", "4"));
        Counter.builder("checkstripe.test.things").tag("app", "ledger").register(registry).increment(3);
        Timer timer = Timer.builder("checkstripe.test.wait").publishPercentileHistogram().register(registry);
        timer.record(java.time.Duration.ofMillis(20));
        try (OpsHttpServer server = OpsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry,
                () -> Health.healthy("RUNNING", Map.of()))) {
            HttpResponse<String> r = get(server.uri(), "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(OpsEndpoints.PROMETHEUS_TEXT);
            PrometheusText scrape = PrometheusText.parse(r.body());
            assertThat(scrape.family("checkstripe_test_things").type()).isEqualTo("counter");
            assertThat(scrape.value("checkstripe_test_things_total", Map.of("app", "ledger", "server", "4")))
                    .isEqualTo(3.0);
            assertThat(scrape.family("checkstripe_test_wait_seconds").type()).isEqualTo("histogram");
            assertThat(scrape.value("checkstripe_test_wait_seconds_count", Map.of("server", "4"))).isEqualTo(1.0);
            assertThat(scrape.families()).containsKeys("jvm_memory_used_bytes", "process_cpu_usage",
                    "process_uptime_seconds", "jvm_threads_live_threads");
        }
    }

    @Test
    void healthIs200WhenHealthyAnd503WithTheReasonOtherwise() throws Exception {
        AtomicReference<Health> health = new AtomicReference<>(Health.unhealthy("STARTING", "tasks being assigned",
                Map.of("applicationId", "s")));
        try (OpsHttpServer server = OpsHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                ProcessMetrics.registry(Tags.empty()), health::get)) {
            HttpResponse<String> starting = get(server.uri(), "/health");
            assertThat(starting.statusCode()).isEqualTo(503);
            JsonNode body = new ObjectMapper().readTree(starting.body());
            assertThat(body.get("state").asText()).isEqualTo("STARTING");
            assertThat(body.get("healthy").asBoolean()).isFalse();
            assertThat(body.get("reason").asText()).isEqualTo("tasks being assigned");
            assertThat(body.get("applicationId").asText()).isEqualTo("s");

            health.set(Health.healthy("RUNNING", Map.of()));
            HttpResponse<String> running = get(server.uri(), "/health");
            assertThat(running.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(running.body()).get("state").asText()).isEqualTo("RUNNING");

            assertThat(get(server.uri(), "/other").statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(server.uri() + "/health"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
