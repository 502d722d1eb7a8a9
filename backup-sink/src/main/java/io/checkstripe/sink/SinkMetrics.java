package io.checkstripe.sink;

import java.io.File;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.checkstripe.metrics.ReasonCounters;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.store.CommitTiming;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one backup sink ({@code checkstripe.sink.*}; every one also carries the registry's {@code server}
 * tag): what it stored, how long its commits and their fsyncs took, where its durable offset stands against the
 * end of its partition (the lag a team alerts on, since the sink keeps its offsets in its store and Kafka's group
 * tools cannot see them), what it sent (acks, dead letters by reason), what it holds per application, the free
 * space of its data directory, and its state. Counters and gauges only ever read atomics, so a scrape never takes
 * the store's lock. Thread-safe.
 */
final class SinkMetrics {

    private static final String P = "checkstripe.sink.";

    private final MeterRegistry registry;
    private final Counter cellsStored;
    private final Counter bytesStored;
    private final Counter manifestsStored;
    private final Counter acksSent;
    private final Counter checkpointsDeleted;
    private final Timer commit;
    private final Timer fsync;
    private final AtomicLong committedOffset = new AtomicLong(-1);
    private final AtomicLong endOffset = new AtomicLong(-1);
    /** Offset below which every record is durable or no data (transaction markers, aborted records). */
    private final AtomicLong durableOffset = new AtomicLong(-1);
    private final Map<String, AtomicLong> checkpointsHeld = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bytesHeld = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> basesHeld = new ConcurrentHashMap<>();
    private final ReasonCounters deadLetters;
    private final Counter scrubbedCells;
    private final Counter scrubbedBytes;
    private final Counter scrubPasses;
    private final AtomicLong scrubFinished = new AtomicLong();
    private final Map<String, Counter> scrubCorrupt = new ConcurrentHashMap<>();
    private final Counter repairedCells;
    private final Counter repairedBytes;

    SinkMetrics(MeterRegistry registry, File dataDir, Supplier<SinkHealth.State> state) {
        this.registry = registry;
        cellsStored = Counter.builder(P + "cells.stored").description("Cells newly made durable in the store")
                .register(registry);
        bytesStored = Counter.builder(P + "stored").baseUnit("bytes").description("Data bytes of those cells")
                .register(registry);
        manifestsStored = Counter.builder(P + "manifests.stored").description("Manifests newly made durable")
                .register(registry);
        acksSent = Counter.builder(P + "acks.sent").description("Checkpoint acknowledgements Kafka accepted")
                .register(registry);
        deadLetters = new ReasonCounters(registry, P + "dead.letters",
                "Records sent to the dead-letter topic, by reason", Tags.empty());
        checkpointsDeleted = Counter.builder(P + "checkpoints.deleted")
                .description("Checkpoints removed by retention").register(registry);
        commit = Timer.builder(P + "commit").description("Store commits: fsyncs, then the offset recorded durably")
                .publishPercentileHistogram().register(registry);
        fsync = Timer.builder(P + "fsync").description("The fsync rounds of each store commit")
                .publishPercentileHistogram().register(registry);
        Gauge.builder(P + "committed.offset", committedOffset, AtomicLong::get)
                .description("Next offset of its stripes partition to consume, as the store recorded it durably")
                .register(registry);
        Gauge.builder(P + "lag", this, SinkMetrics::lag).baseUnit("records")
                .description("End offset of its stripes partition minus the offset the store made durable")
                .register(registry);
        // A gauge holds its object weakly, and nothing else holds this File or the state supplier below: without a
        // strong reference a garbage collection turns them into NaN.
        Gauge.builder(P + "data.dir.free", dataDir, File::getUsableSpace).baseUnit("bytes").strongReference(true)
                .description("Space usable by the sink on the file system of its data directory").register(registry);
        scrubbedCells = Counter.builder(P + "scrub.cells").description("Cells the background scrub CRC-checked")
                .register(registry);
        scrubbedBytes = Counter.builder(P + "scrub.checked").baseUnit("bytes")
                .description("Bytes of the cells the scrub checked").register(registry);
        scrubPasses = Counter.builder(P + "scrub.passes").description("Scrub passes finished").register(registry);
        repairedCells = Counter.builder(P + "repaired.cells")
                .description("Cells a healer rebuilt that the store lacked or held corrupt, made durable")
                .register(registry);
        repairedBytes = Counter.builder(P + "repaired").baseUnit("bytes").description("Data bytes of those cells")
                .register(registry);
        Gauge.builder(P + "scrub.last.pass", scrubFinished, AtomicLong::get).baseUnit("seconds")
                .description("When the last scrub pass finished, in seconds since the epoch; 0 before the first")
                .register(registry);
        for (SinkHealth.State s : SinkHealth.State.values()) {
            Gauge.builder(P + "state", state, st -> st.get() == s ? 1 : 0).tag("state", s.name()).strongReference(true)
                    .description("1 for the state the sink is in, 0 for the others").register(registry);
        }
    }

    /** A committed batch: what was new in it, how long the commit took, the offset it recorded. */
    void committed(long cells, long bytes, long manifests, CommitTiming timing, long nextOffset) {
        cellsStored.increment(cells);
        bytesStored.increment(bytes);
        manifestsStored.increment(manifests);
        commit.record(timing.total());
        fsync.record(timing.fsync());
        committedOffset.set(nextOffset);
        durableOffset.accumulateAndGet(nextOffset, Math::max);
    }

    /** The offset found in the store at start or after a stall. */
    void resumedAt(long nextOffset) {
        committedOffset.set(nextOffset);
        durableOffset.set(nextOffset);
    }

    /**
     * The consumer's position once every record it returned is durable: what lies below it and above the
     * committed offset holds no data (a transaction's commit marker, say), so the sink has nothing more to store.
     */
    void durableThrough(long position) {
        durableOffset.accumulateAndGet(position, Math::max);
    }

    /** The end of the stripes partition, as the consumer last learnt it. */
    void endOffset(long end) {
        endOffset.set(end);
    }

    /** Records of the partition not yet durable here; 0 until the end is known. */
    long lag() {
        long end = endOffset.get();
        return end < 0 ? 0 : Math.max(0, end - Math.max(0, durableOffset.get()));
    }

    long endOffset() {
        return endOffset.get();
    }

    long committedOffset() {
        return committedOffset.get();
    }

    /** The counters as {@code GET /v1/server} reports them. */
    SinkStats stats() {
        return new SinkStats((long) cellsStored.count(), (long) bytesStored.count(), (long) manifestsStored.count(),
                deadLetters.total(), (long) acksSent.count(), (long) checkpointsDeleted.count(), committedOffset.get());
    }

    void deadLetter(DeadLetterReason reason) {
        deadLetters.increment(reason.code());
    }

    void scrubbed(long bytes) {
        scrubbedCells.increment();
        scrubbedBytes.increment(bytes);
    }

    /** A corrupt {@code cell} or {@code manifest} the scrub found. */
    void scrubFound(String kind) {
        scrubCorrupt.computeIfAbsent(kind, k -> Counter.builder(P + "scrub.corrupt").tag("kind", k)
                .description("Corrupt cells and manifests the scrub found, once each").register(registry)).increment();
    }

    void scrubPassed(Instant finished) {
        scrubPasses.increment();
        scrubFinished.set(finished.getEpochSecond());
    }

    void ackSent() {
        acksSent.increment();
    }

    void deleted() {
        checkpointsDeleted.increment();
    }

    /**
     * What the store holds of an application now: its checkpoints, their bytes on disk, and how many of them
     * retention keeps only as bases of kept incremental checkpoints.
     */
    void holds(String app, int checkpoints, long bytes, int keptAsBases) {
        held(checkpointsHeld, app, P + "checkpoints.held", null, "Checkpoints of the application in the store")
                .set(checkpoints);
        held(basesHeld, app, P + "checkpoints.kept.as.base", null, "Checkpoints of the application kept only "
                + "because a kept incremental checkpoint reads from them").set(keptAsBases);
        held(bytesHeld, app, P + "held", "bytes", "Bytes on disk of the application's checkpoints").set(bytes);
    }

    private AtomicLong held(Map<String, AtomicLong> values, String app, String name, String unit, String help) {
        return values.computeIfAbsent(app, a -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("app", a).baseUnit(unit).description(help)
                    .register(registry);
            return value;
        });
    }

    /** Cells written through the API's repair endpoint and made durable. */
    void repaired(long cells, long bytes) {
        repairedCells.increment(cells);
        repairedBytes.increment(bytes);
    }
}
