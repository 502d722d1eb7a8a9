package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The REST client's behaviour when no registry answers; the real-registry tests are in HttpSchemaRegistryIntegrationTest. */
class HttpSchemaRegistryTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void registryThatIsNotListeningGivesAClearMessageNamingTheUrl() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        HttpSchemaRegistry registry = new HttpSchemaRegistry(url);

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
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void registryThatNeverAnswersTimesOutWithTheConfiguredTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            HttpSchemaRegistry registry = new HttpSchemaRegistry(url, Duration.ofSeconds(2), Duration.ofMillis(300));
            // The connection is accepted by the kernel's backlog; nothing ever reads or answers.
            assertThatThrownBy(() -> registry.idOf("acks-value", CheckpointAck.SCHEMA$))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageStartingWith("schema registry at " + url + " is not reachable (timed out after ")
                    .hasMessageEndingWith(" ms; connect timeout 2000 ms, request timeout 300 ms) while looking up "
                            + "schema io.checkstripe.schemas.avro.CheckpointAck under subject \"acks-value\"");
        }
    }

    @Test
    void badUrlsAndTimeoutsAreRejected() {
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://host:8081?x=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"http://host:8081?x=1\"");
        assertThatThrownBy(() -> new HttpSchemaRegistry("http://host:8081", Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connect timeout PT0S");
        assertThat(new HttpSchemaRegistry("http://host:8081//").baseUrl()).isEqualTo("http://host:8081");
    }
}
