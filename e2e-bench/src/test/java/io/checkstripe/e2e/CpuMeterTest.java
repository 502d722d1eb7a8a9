package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU time of the measured processes, and the cores it kept busy. */
class CpuMeterTest {

    /** A process's CPU time is counted in clock ticks (10 ms on Linux), a thread's to the nanosecond. */
    private static final Duration TICKS = Duration.ofMillis(20);

    /** Where the busy loop's result goes, so that the JIT cannot drop the loop. */
    private static volatile long sink;

    @Test
    void countsTheCpuTimeThisJvmSpends() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "this JVM measures no thread CPU time");
        CpuMeter meter = new CpuMeter(List.of(ProcessHandle.current()));
        Duration before = meter.used();
        long threadBefore = threads.getCurrentThreadCpuTime();
        long x = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) { // 200 ms of work on this thread
            x += Long.numberOfTrailingZeros(x + until);
        }
        sink = x;
        Duration thread = Duration.ofNanos(threads.getCurrentThreadCpuTime() - threadBefore);
        Duration used = meter.used().minus(before);
        assertThat(used).as("the JVM's CPU time includes what this thread used, %s", thread)
                .isGreaterThanOrEqualTo(thread.minus(TICKS));
        assertThat(used).isGreaterThanOrEqualTo(Duration.ofMillis(100));
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
