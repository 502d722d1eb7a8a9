package io.checkstripe.striper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** StriperApp without a broker: what a CLI sees when Kafka is unreachable, and the life cycle around it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StriperAppTest {

    private static StriperConfig unreachable() {
        Map<String, Object> props = new HashMap<>();
        // Port 1 on the loopback interface: nothing listens there, connections are refused at once.
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StriperConfig.SERVERS_CONFIG, 5);
        props.put(StriperConfig.PROVISION_TIMEOUT_MS_CONFIG, 1500);
        return new StriperConfig(props);
    }

    @Test
    void startFailsWithATimeoutWhenKafkaIsUnreachable() {
        try (StriperApp striper = new StriperApp(unreachable())) {
            long started = System.nanoTime();
            assertThatThrownBy(striper::start)
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("Kafka did not answer within 1500 ms");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(20);
            assertThat(striper.state()).isEqualTo(KafkaStreams.State.CREATED);
        }
    }

    @Test
    void runReturnsAtOnceOnceClosedAndCloseIsIdempotent() throws Exception {
        StriperApp striper = new StriperApp(unreachable());
        striper.close();
        striper.close();
        striper.run();
        assertThat(striper.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        assertThatThrownBy(striper::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the striper is closed");
    }
}
