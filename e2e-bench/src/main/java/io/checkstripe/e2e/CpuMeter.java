package io.checkstripe.e2e;

import java.time.Duration;
import java.util.List;

/**
 * CPU time of the processes a benchmark runs on (this JVM and, when the bench started it, the broker), so that
 * a throughput figure can say how many of the machine's cores were busy producing it: near all of them, the
 * figure is bound by CPU, not by Kafka or the disk. Processes that have exited stop counting.
 */
final class CpuMeter {

    private final List<ProcessHandle> processes;

    CpuMeter(List<ProcessHandle> processes) {
        if (processes.isEmpty()) {
            throw new IllegalArgumentException("name at least one process to measure");
        }
        this.processes = List.copyOf(processes);
    }

    /** CPU time the processes have used so far. */
    Duration used() {
        Duration total = Duration.ZERO;
        for (ProcessHandle p : processes) {
            total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /** Starts measuring a span of work: its {@link Span#cores()} is read when the work is done. */
    Span start() {
        return new Span(used(), System.nanoTime());
    }

    /** A span of work from the moment {@link #start()} was called. */
    final class Span {
        private final Duration cpuAtStart;
        private final long wallAtStart;

        private Span(Duration cpuAtStart, long wallAtStart) {
            this.cpuAtStart = cpuAtStart;
            this.wallAtStart = wallAtStart;
        }

        /** Cores kept busy on average since the start. */
        double cores() {
            return CpuMeter.cores(used().minus(cpuAtStart), Duration.ofNanos(System.nanoTime() - wallAtStart));
        }
    }

    /** Cores kept busy on average: CPU time {@code cpu} used over wall time {@code wall}. */
    static double cores(Duration cpu, Duration wall) {
        return wall.isZero() ? 0 : cpu.toNanos() / (double) wall.toNanos();
    }
}
