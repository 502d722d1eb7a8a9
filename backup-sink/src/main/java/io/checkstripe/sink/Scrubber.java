package io.checkstripe.sink;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.Pacer;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.CorruptRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's background scrub: every {@code interval}, a pass reads every cell of every checkpoint in the store and
 * checks its CRC32C, and reads every manifest from disk again and decodes it, at no more than {@code rate} bytes
 * per second so that it never competes with the sink's own writes. Rot is found while the other servers still hold
 * what rebuilds it, not at the restore that needs it. A corrupt cell is copied to the store's quarantine once
 * ({@link CellStore#quarantineCell}) and reported (log, metrics, {@link #report()}), never dropped: reads keep
 * calling it corrupt, so restores treat it as an erasure, until an intact copy replaces it.
 *
 * <p>While the sink has no writable store (stalled, reopening it) a pass waits for the next interval. One thread
 * of its own; thread-safe.
 */
final class Scrubber implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scrubber.class);

    private final int serverIndex;
    private final Supplier<CellStore> store;
    private final double bytesPerSecond;
    private final Duration interval;
    private final SinkMetrics metrics;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, String> quarantined = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile ScrubReport.Pass lastPass;
    private volatile boolean running;
    private volatile long passes;

    Scrubber(int serverIndex, Supplier<CellStore> store, double bytesPerSecond, Duration interval,
             SinkMetrics metrics) {
        this.serverIndex = serverIndex;
        this.store = store;
        this.bytesPerSecond = bytesPerSecond;
        this.interval = interval;
        this.metrics = metrics;
        this.thread = new Thread(this::loop, "checkstripe-sink-" + serverIndex + "-scrub");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** What the scrub has found so far. */
    ScrubReport report() {
        return new ScrubReport(true, bytesPerSecond / 1e6, interval.toSeconds(), passes, running, lastPass);
    }

    @Override
    public void close() {
        closing.countDown();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            while (!closing.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                CellStore s = store.get();
                if (s == null) {
                    log.debug("backup server {}: no writable store, the scrub waits for the next interval", serverIndex);
                    continue;
                }
                running = true;
                try {
                    pass(s);
                } catch (IOException | RuntimeException e) {
                    log.info("backup server {}: scrub pass stopped ({}); the next one starts in {} s", serverIndex,
                            e.toString(), interval.toSeconds());
                } finally {
                    running = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pass(CellStore s) throws IOException, InterruptedException {
        Instant started = Instant.now();
        Pacer pacer = Pacer.start(bytesPerSecond);
        long cells = 0;
        long bytes = 0;
        long manifests = 0;
        List<ScrubReport.Finding> findings = new ArrayList<>();
        for (String app : s.apps()) {
            for (long cp : s.checkpoints(app)) {
                try {
                    if (s.rereadManifest(app, cp).isPresent()) {
                        manifests++;
                    }
                } catch (CorruptRecordException e) {
                    findings.add(new ScrubReport.Finding("corrupt-manifest", app, cp, -1, -1, e.getMessage(), null));
                    metrics.scrubFound("manifest");
                    log.error("backup server {}: scrub found the manifest of {}/{} corrupt: {}", serverIndex, app, cp,
                            e.getMessage());
                }
                for (CellKey key : s.cells(app, cp)) {
                    Optional<CellReadResult> read = s.readCell(app, cp, key.segmentIndex(), key.cellIndex());
                    if (read.isEmpty()) {
                        continue; // deleted by retention since it was listed
                    }
                    int length = read.get().cell().data().length;
                    cells++;
                    bytes += length;
                    metrics.scrubbed(length);
                    if (!read.get().intact()) {
                        findings.add(corrupt(s, app, cp, key, read.get()));
                    }
                    pacer.pace(bytes);
                }
            }
        }
        lastPass = new ScrubReport.Pass(started, Instant.now(), cells, bytes, manifests, findings);
        passes++;
        metrics.scrubPassed(lastPass.finished());
        log.info("backup server {}: scrub pass checked {} cells ({} bytes) and {} manifests in {} s: {} corrupt",
                serverIndex, cells, bytes, manifests, Duration.between(started, lastPass.finished()).toSeconds(),
                findings.size());
    }

    private ScrubReport.Finding corrupt(CellStore s, String app, long cp, CellKey key, CellReadResult read)
            throws IOException {
        String detail = "data CRC32C " + Crc32c.hex(read.computedCrc32c()) + ", recorded "
                + Crc32c.hex(read.cell().header().crc32c());
        String id = app + "/" + cp + "/" + key.segmentIndex() + "/" + key.cellIndex();
        String copy = quarantined.get(id);
        if (copy == null) {
            copy = s.quarantineCell(app, cp, key.segmentIndex(), key.cellIndex()).map(Path::toString).orElse(null);
            if (copy != null) {
                quarantined.put(id, copy);
            }
            metrics.scrubFound("cell");
            log.error("backup server {}: scrub found cell {}/{} of {}/{} corrupt ({}); copied to {}", serverIndex,
                    key.segmentIndex(), key.cellIndex(), app, cp, detail, copy);
        }
        return new ScrubReport.Finding("corrupt-cell", app, cp, key.segmentIndex(), key.cellIndex(), detail, copy);
    }
}
