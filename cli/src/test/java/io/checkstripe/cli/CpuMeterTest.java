package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void countsTheCpuTimeThisJvmSpends() {
        CpuMeter meter = new CpuMeter(List.of(ProcessHandle.current()));
        Duration before = meter.used();
        long sink = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) { // 200 ms of work on this thread
            sink += Long.numberOfTrailingZeros(sink + until);
        }
        assertThat(sink).isNotNegative();
        assertThat(meter.used().minus(before)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void coresAreCpuTimeOverWallTime() {
        assertThat(CpuMeter.cores(Duration.ofMillis(3000), Duration.ofMillis(2000))).isCloseTo(1.5, within(1e-9));
        assertThat(CpuMeter.cores(Duration.ofMillis(5), Duration.ZERO)).isZero();
    }

    @Test
    void needsAProcess() {
        assertThatThrownBy(() -> new CpuMeter(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one process");
    }
}
