package io.checkstripe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApicurioRegistryTest {

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void listsSubjects() throws Exception {
        HttpResponse<String> response = http.send(get("/subjects"), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().trim()).startsWith("[").endsWith("]");
    }

    @Test
    void registersASchemaAndReturnsItsId() throws Exception {
        String schema = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Smoke\\\","
                + "\\\"fields\\\":[{\\\"name\\\":\\\"n\\\",\\\"type\\\":\\\"int\\\"}]}\"}";
        HttpRequest post = HttpRequest.newBuilder(URI.create(REGISTRY.confluentApiUrl() + "/subjects/smoke-value/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(schema))
                .build();
        HttpResponse<String> registered = http.send(post, HttpResponse.BodyHandlers.ofString());
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(registered.body()).matches("\\{\\s*\"id\"\\s*:\\s*\\d+\\s*}");

        HttpResponse<String> versions = http.send(get("/subjects/smoke-value/versions"), HttpResponse.BodyHandlers.ofString());
        assertThat(versions.statusCode()).isEqualTo(200);
        assertThat(versions.body().replace(" ", "")).isEqualTo("[1]");
    }

    @Test
    void runsOnAJava21OrNewer() {
        assertThat(ApicurioRegistry.featureVersion(ApicurioRegistry.javaHome())).hasValueSatisfying(
                version -> assertThat(version).isGreaterThanOrEqualTo(21));
        assertThat(REGISTRY.registry().logFile()).isNotEmptyFile();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(REGISTRY.confluentApiUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
    }
}
