package io.checkstripe.heal;

import io.checkstripe.metrics.Health;
import io.checkstripe.metrics.ProcessMetrics;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.HttpSource;
import io.checkstripe.restore.HttpTarget;
import io.checkstripe.restore.RepairReport;
import io.checkstripe.restore.Repairer;
import io.checkstripe.store.StoredManifest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every backup server complete without a person running {@code repair}: every interval, a pass asks each
 * server which checkpoints it holds completely (its listing) and which of its cells its scrub found corrupt,
 * and for each checkpoint that some other server holds completely but this one does not, rebuilds this server's
 * cells from the others ({@link Repairer}) and writes those it lacks through its API ({@link HttpTarget}). A
 * server that is behind its partition or stalled ({@code /health} not 200) is left to its sink for that pass.
 *
 * <p>Nothing is planted unchecked: every stripe is checked against its surviving parity and the checkpoint
 * against its SHA-256 before any cell is sent, and a server takes only cells it lacks or holds corrupt. The
 * healer keeps no state of its own: what a server holds is the progress, so a healer killed midway and started
 * again rebuilds only what is still missing. Passes are rate-limited ({@link HealerOptions#rateMegabytes}).
 *
 * <p>One pass at a time, on the caller's thread ({@link #pass}) or this object's loop ({@link #run}); the
 * health and meters are thread-safe.
 */
public final class Healer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Healer.class);
    private static final String P = ProcessMetrics.PREFIX + "healer.";

    private final HealerOptions options;
    private final MeterRegistry registry;
    private final List<HttpTarget> servers = new ArrayList<>();
    private final Repairer repairer;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Counter passes;
    private final AtomicLong lastPassEnd = new AtomicLong();
    private final AtomicLong unrecoverable = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile HealPass lastPass;
    private volatile String failure;

    /**
     * Deletes the spool files a healer killed earlier left in {@link HealerOptions#spoolDir}: one healer per
     * spool directory.
     *
     * @param registry where the healer's meters go ({@code checkstripe_healer_*})
     * @throws IOException when the spool directory cannot be created or cleaned
     */
    public Healer(HealerOptions options, MeterRegistry registry) throws IOException {
        this.options = options;
        this.registry = registry;
        for (URI uri : options.servers()) {
            HttpSource source = new HttpSource(uri, options.restore());
            servers.add(new HttpTarget(source, options.spoolDir(), options.writeTimeout()));
        }
        this.repairer = new Repairer(options.restore(), options.rateMegabytes() * 1e6);
        Files.createDirectories(options.spoolDir());
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(options.spoolDir(), HttpTarget.SPOOL_GLOB)) {
            for (Path file : stale) {
                Files.delete(file);
                log.info("deleted {}, left by a healer that stopped midway", file);
            }
        }
        passes = Counter.builder(P + "passes").description("Heal passes finished").register(registry);
        Gauge.builder(P + "last.pass.end", lastPassEnd, AtomicLong::get).baseUnit("seconds")
                .description("When the last pass ended, in seconds since the epoch").register(registry);
        Gauge.builder(P + "unrecoverable.checkpoints", unrecoverable, AtomicLong::get)
                .description("Checkpoints a server lacks cells of that the last pass could not rebuild")
                .register(registry);
        Gauge.builder(P + "servers.skipped", skipped, AtomicLong::get)
                .description("Servers the last pass could not heal: unreachable, behind, stalled or failing")
                .register(registry);
    }

    /**
     * Passes every {@link HealerOptions#interval} (the first at once) until {@link #close}; a pass that fails is
     * logged and the next one tries again.
     */
    public void run() {
        try {
            do {
                try {
                    pass();
                    failure = null;
                } catch (RuntimeException e) {
                    failure = e.toString();
                    log.error("heal pass failed; the next one starts in {} s", options.interval().toSeconds(), e);
                }
            } while (!closing.await(options.interval().toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass over every server: finds what each lacks and rebuilds it. */
    public HealPass pass() throws InterruptedException {
        Instant started = Instant.now();
        long begin = System.nanoTime();
        Map<HttpTarget, Integer> indexes = new LinkedHashMap<>();
        Map<HttpTarget, String> unreachable = new LinkedHashMap<>();
        Set<String> apps = new TreeSet<>();
        for (HttpTarget server : servers) {
            try {
                int index = server.serverIndex(); // remembered once known: apps() is what shows it answers now
                List<String> held = server.apps();
                indexes.put(server, index);
                apps.addAll(held);
            } catch (IOException e) {
                unreachable.put(server, "unreachable: " + e.getMessage());
                log.warn("heal pass: backup server at {} is unreachable: {}", server.location(), e.getMessage());
            }
        }
        List<HealPass.Server> results = new ArrayList<>();
        for (HttpTarget server : servers) {
            checkNotClosing();
            Integer index = indexes.get(server);
            results.add(index == null
                    ? new HealPass.Server(server.location(), -1, unreachable.get(server), List.of(), 0, List.of())
                    : heal(server, index, indexes, apps));
        }
        HealPass pass = new HealPass(started, Duration.ofNanos(System.nanoTime() - begin), results);
        record(pass);
        log.info("heal pass: {} cells ({} bytes) rebuilt onto {} servers in {} s; {} checkpoints not rebuildable, {} "
                        + "servers skipped", pass.cellsWritten(), pass.bytesWritten(), results.size(),
                pass.elapsed().toSeconds(), pass.unrecoverable(), pass.serversSkipped());
        return pass;
    }

    private HealPass.Server heal(HttpTarget server, int index, Map<HttpTarget, Integer> indexes, Set<String> apps)
            throws InterruptedException {
        Optional<String> notReady;
        try {
            notReady = server.notReady();
        } catch (IOException e) {
            notReady = Optional.of("unreachable: " + e.getMessage());
        }
        if (notReady.isPresent()) {
            log.info("heal pass: server {} ({}) is left alone this pass: {}", index, server.location(), notReady.get());
            return new HealPass.Server(server.location(), index, notReady.get(), List.of(), 0, List.of());
        }
        List<RepairReport> repairs = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        long manifests = 0;
        for (String app : apps) {
            checkNotClosing();
            try {
                LongPredicate needs = server.needsRepair(app);
                Set<Long> wanted = new TreeSet<>();
                List<CellSource> others = new ArrayList<>();
                for (Map.Entry<HttpTarget, Integer> other : indexes.entrySet()) {
                    if (other.getValue() != index) {
                        try {
                            other.getKey().completeCheckpoints(app).stream().filter(needs::test).forEach(wanted::add);
                            others.add(other.getKey().source());
                        } catch (IOException e) {
                            // lost since the pass began: heal from the others, as a restore would
                            log.info("heal pass: server {} ({}) did not answer, server {} is healed without it: {}",
                                    other.getValue(), other.getKey().location(), index, e.getMessage());
                        }
                    }
                }
                manifests += rewriteManifests(server, index, app, others);
                if (wanted.isEmpty()) {
                    continue;
                }
                log.info("heal pass: server {} lacks or holds corrupt cells of checkpoints {} of {}; rebuilding them "
                        + "from the others", index, wanted, app);
                RepairReport report = repairer.repair(app, others, server, wanted::contains);
                repairs.add(report);
                count(index, report);
            } catch (InterruptedIOException e) {
                throw new InterruptedException(e.getMessage());
            } catch (IOException | RuntimeException e) {
                String error = app + ": " + e.getMessage();
                errors.add(error);
                log.warn("heal pass: healing server {} ({}) failed, the next pass tries again: {}", index,
                        server.location(), error);
            }
        }
        return new HealPass.Server(server.location(), index, null, repairs, manifests, errors);
    }

    /**
     * Offers the server, from the other servers, each manifest whose file its scrub found corrupt; returns how
     * many it wrote again (none when the finding is stale).
     */
    private long rewriteManifests(HttpTarget server, int index, String app, List<CellSource> others)
            throws IOException {
        long rewritten = 0;
        for (long cp : server.corruptManifests(app)) {
            for (CellSource other : others) {
                Optional<StoredManifest> manifest = other.manifest(app, cp);
                if (manifest.isPresent()) {
                    if (server.putManifest(manifest.get())) {
                        rewritten++;
                        log.info("heal pass: rewrote the rotten manifest of {}/{} on server {} from {}", app, cp,
                                index, other.location());
                        Counter.builder(P + "manifests.rewritten").tag("server", Integer.toString(index))
                                .description("Manifests whose file on a server had rotted, written again")
                                .register(registry).increment();
                    }
                    break;
                }
            }
        }
        return rewritten;
    }

    private void count(int index, RepairReport report) {
        String server = Integer.toString(index);
        for (RepairReport.Repaired r : report.repaired()) {
            if (r.cellsWritten() > 0) {
                Counter.builder(P + "cells.repaired").tag("server", server)
                        .description("Cells rebuilt and written to a server that lacked them or held them corrupt")
                        .register(registry).increment(r.cellsWritten());
                Counter.builder(P + "repaired").baseUnit("bytes").tag("server", server)
                        .description("Data bytes of those cells").register(registry).increment(r.bytes());
                Counter.builder(P + "checkpoints.repaired").tag("server", server)
                        .description("Checkpoints a pass added cells to").register(registry).increment();
            }
        }
    }

    private void record(HealPass pass) {
        lastPass = pass;
        passes.increment();
        lastPassEnd.set(Instant.now().getEpochSecond());
        unrecoverable.set(pass.unrecoverable());
        skipped.set(pass.serversSkipped());
    }

    private void checkNotClosing() throws InterruptedException {
        if (closing.getCount() == 0 || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("the healer is closing");
        }
    }

    /** The last finished pass, or null before the first. */
    public HealPass lastPass() {
        return lastPass;
    }

    /**
     * {@code GET /health}: STARTING until the first pass ended, then RUNNING while passes complete, FAILED (503)
     * when the last one broke off. Servers the healer cannot reach are not its own failure: they show in the
     * details and in {@code checkstripe_healer_servers_skipped}.
     */
    public Health health() {
        HealPass pass = lastPass;
        Map<String, Object> details = new TreeMap<>();
        if (pass != null) {
            details.put("lastPass", pass.started().toString());
            details.put("serversSkipped", pass.serversSkipped());
            details.put("unrecoverable", pass.unrecoverable());
        }
        if (failure != null) {
            return Health.unhealthy("FAILED", "the last heal pass failed: " + failure, details);
        }
        if (pass == null) {
            return Health.unhealthy("STARTING", "the first heal pass has not finished", details);
        }
        return Health.healthy("RUNNING", details);
    }

    /** Ends {@link #run} after the current step. */
    @Override
    public void close() {
        closing.countDown();
    }
}
