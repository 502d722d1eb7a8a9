package io.checkstripe.striper;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.checkstripe.metrics.ReasonCounters;
import io.checkstripe.schemas.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of a striper instance ({@code checkstripe.striper.*}): segments and bytes striped and checkpoints
 * committed, per application (applications are few; checkpoints are never labels), the time to encode a
 * segment's stripe, and dead letters by reason. Counted when a record is processed: a transaction that aborts
 * and is processed again counts twice, so these measure work done, not checkpoints protected (the sinks' acks
 * are that). Thread-safe.
 */
final class StriperMetrics {

    private static final String P = "checkstripe.striper.";

    private final MeterRegistry registry;
    private final Timer encode;
    private final Map<String, Counter> segments = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytes = new ConcurrentHashMap<>();
    private final Map<String, Counter> checkpoints = new ConcurrentHashMap<>();
    private final ReasonCounters deadLetters;

    StriperMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.encode = Timer.builder(P + "encode").description("Encoding one segment into its stripe's cells")
                .publishPercentileHistogram().register(registry);
        this.deadLetters = new ReasonCounters(registry, P + "dead.letters",
                "Records sent to the dead-letter topic, by reason", Tags.empty());
    }

    /** A segment of {@code size} bytes of {@code app} striped in {@code encoding}. */
    void segmentStriped(String app, long size, Duration encoding) {
        counter(segments, app, P + "segments", null, "Segments striped").increment();
        counter(bytes, app, P + "striped", "bytes", "Checkpoint bytes striped").increment(size);
        encode.record(encoding);
    }

    /** A checkpoint's commit turned into its manifest. */
    void checkpointStriped(String app) {
        counter(checkpoints, app, P + "checkpoints", null, "Checkpoints whose commit was striped into a manifest")
                .increment();
    }

    void deadLetter(DeadLetterReason reason) {
        deadLetters.increment(reason.code());
    }

    private Counter counter(Map<String, Counter> counters, String app, String name, String unit, String help) {
        return counters.computeIfAbsent(app, a -> Counter.builder(name).tag("app", a).baseUnit(unit).description(help)
                .register(registry));
    }
}
