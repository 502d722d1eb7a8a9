package io.checkstripe.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSpecTest {

    @TempDir
    Path dataDir;

    @Test
    void writesACombinedNodeConfigAndReadsItsPortsBack() {
        BrokerSpec spec = new BrokerSpec(1, dataDir, 19092, 19093, "0@127.0.0.1:19091,1@127.0.0.1:19093",
                Map.of("min.insync.replicas", "2"));
        spec.writeProperties();

        assertThat(spec.serverProperties())
                .contains("process.roles=broker,controller\n", "node.id=1\n",
                        "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n",
                        "controller.quorum.voters=0@127.0.0.1:19091,1@127.0.0.1:19093\n",
                        "log.dirs=" + dataDir.toAbsolutePath().resolve("kafka-logs") + "\n",
                        "min.insync.replicas=2\n");
        assertThat(BrokerSpec.recordedPorts(dataDir)).hasValue(new BrokerSpec.Ports(19092, 19093));
        assertThat(spec.isFormatted()).isFalse();
        assertThat(BrokerSpec.recordedClusterId(dataDir)).isEmpty();
    }

    @Test
    void addsExtraListenersAndStillReadsItsOwnPortsBack() {
        BrokerSpec spec = new BrokerSpec(0, dataDir, 19092, 19093, "0@127.0.0.1:19093", Map.of(),
                List.of(new BrokerListener("SASL_SSL", "sasl_ssl", 19094), new BrokerListener("SASL_PLAIN",
                        "SASL_PLAINTEXT", 19095)));
        spec.writeProperties();

        assertThat(spec.serverProperties())
                .contains("listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,"
                                + "SASL_SSL://127.0.0.1:19094,SASL_PLAIN://127.0.0.1:19095\n",
                        "advertised.listeners=PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094,"
                                + "SASL_PLAIN://127.0.0.1:19095\n",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,"
                                + "SASL_PLAIN:SASL_PLAINTEXT\n");
        assertThat(BrokerSpec.recordedPorts(dataDir)).hasValue(new BrokerSpec.Ports(19092, 19093));
        assertThatThrownBy(() -> new BrokerListener("CONTROLLER", "SSL", 1)).hasMessageContaining("CONTROLLER");
        assertThatThrownBy(() -> new BrokerListener("TLS", "HTTPS", 1)).hasMessageContaining("HTTPS");
        assertThatThrownBy(() -> new BrokerSpec(0, dataDir, 19092, 19093, "", Map.of(),
                List.of(new BrokerListener("SSL", "SSL", 19092)))).hasMessageContaining("19092");
    }

    @Test
    void rejectsBadPortsAndIds() {
        assertThatThrownBy(() -> new BrokerSpec(-1, dataDir, 1, 2, "", Map.of()))
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new BrokerSpec(0, dataDir, 70000, 2, "", Map.of()))
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> new BrokerSpec(0, dataDir, 9092, 9092, "", Map.of()))
                .hasMessageContaining("9092");
    }

    @Test
    void sizesInternalTopicsToTheBrokerCount() {
        assertThat(BrokerDefaults.forBrokerCount(1))
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
        assertThat(BrokerDefaults.forBrokerCount(5))
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2");
        assertThatThrownBy(() -> BrokerDefaults.forBrokerCount(0)).hasMessageContaining("0");
    }
}
