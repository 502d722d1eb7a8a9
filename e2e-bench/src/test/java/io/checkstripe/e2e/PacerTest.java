package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The steady rate of the time-to-protected series. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PacerTest {

    @Test
    void thePacerStartsOnePerIntervalAndDoesNotCatchUpAfterALateStart() throws Exception {
        Pacer pacer = new Pacer(Duration.ofMillis(20));
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            pacer.awaitNext();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(80));
    }
}
