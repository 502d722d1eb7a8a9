package io.checkstripe.restore;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
import io.checkstripe.core.Pacer;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a backup server's cells from the others: {@code checkstripe repair} onto a replaced server's new
 * store, the healer onto a running server that lost or rotted some. For every checkpoint of an application the
 * target does not hold completely it decodes each stripe from the other servers, encodes it again, checks it
 * against the surviving parity, and offers the cells the target should hold ({@link CellLayout}) to the
 * {@link RepairTarget}; once the whole checkpoint matches its SHA-256 the target commits them with the
 * manifest, and a checkpoint that fails is aborted, so a repair never plants a bad cell.
 *
 * <p>Repairs are resumable: a target keeps the cells it already holds intact, and a checkpoint it holds
 * completely is left alone. A rate limit (bytes of checkpoint rebuilt per second) keeps a background repair
 * from taking the disks and the network from the pipeline.
 *
 * <p>Thread-safe: each call uses its own threads.
 */
public final class Repairer {

    private static final Logger log = LoggerFactory.getLogger(Repairer.class);

    private final RestoreOptions options;
    private final double bytesPerSecond;

    /** A repair as fast as the servers answer. */
    public Repairer(RestoreOptions options) {
        this(options, 0);
    }

    /**
     * @param bytesPerSecond checkpoint bytes rebuilt per second at most, 0 for no limit
     * @throws IllegalArgumentException when the rate is negative
     */
    public Repairer(RestoreOptions options, double bytesPerSecond) {
        this.options = Objects.requireNonNull(options, "options");
        Pacer.start(bytesPerSecond); // validates
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Rebuilds server {@code serverIndex}'s cells of every checkpoint of {@code app} into the store in
     * {@code dataDir}, which it opens (and locks) for the duration. A source that is server {@code serverIndex}
     * itself is not read.
     *
     * @return the checkpoints repaired and those that could not be
     * @throws IllegalArgumentException    for a bad application id, no sources, a negative server index, or a
     *                                     data directory that belongs to another server
     * @throws IOException                 when the store cannot be opened or written
     */
    public RepairReport repair(String app, List<CellSource> sources, int serverIndex, Path dataDir) throws IOException {
        Objects.requireNonNull(dataDir, "dataDir");
        if (serverIndex < 0) {
            throw new IllegalArgumentException("server index " + serverIndex + " is negative");
        }
        checkArguments(app, sources);
        try (CellStore store = CellStore.open(dataDir, serverIndex)) {
            return repair(app, sources, new StoreTarget(store), cp -> true);
        }
    }

    /**
     * Rebuilds the target's cells of those checkpoints of {@code app} that {@code wanted} accepts and the target
     * does not hold completely. A source that is the target's server is not read.
     *
     * @throws IllegalArgumentException for a bad application id or no sources
     * @throws IOException              when the target cannot be asked or written
     */
    public RepairReport repair(String app, List<CellSource> sources, RepairTarget target, LongPredicate wanted)
            throws IOException {
        checkArguments(app, sources);
        Objects.requireNonNull(wanted, "wanted");
        int serverIndex = target.serverIndex();
        long start = System.nanoTime();
        ExecutorService pool = Pools.newPool("repair");
        try {
            Survey survey = Survey.of(app, sources, options, pool);
            Survey.Server self = survey.servers().get(serverIndex);
            if (self != null) {
                survey.markFailed(new LostServer(serverIndex, self.source().location(), "is the server being repaired"));
            }
            Pacer pacer = Pacer.start(bytesPerSecond);
            long[] rebuilt = new long[1];
            List<RepairReport.Repaired> repaired = new ArrayList<>();
            List<SkippedCheckpoint> unrecoverable = new ArrayList<>();
            List<String> warnings = new ArrayList<>(survey.warnings());
            for (long cp : survey.checkpointIds()) {
                if (!wanted.test(cp)) {
                    continue;
                }
                try {
                    CheckpointPlan plan = CheckpointPlan.build(survey, cp, pool);
                    plan.warnings.stream().filter(w -> !warnings.contains(w)).forEach(warnings::add);
                    if (serverIndex >= plan.servers()) {
                        warnings.add("checkpoint " + cp + " is spread over " + plan.servers() + " servers: server "
                                + serverIndex + " holds none of its cells");
                        continue;
                    }
                    if (target.holdsComplete(plan.manifest)) {
                        log.info("server {} already holds checkpoint {} of {} completely", serverIndex, cp, app);
                        repaired.add(new RepairReport.Repaired(cp, 0, 0, List.of()));
                        continue;
                    }
                    repaired.add(repairCheckpoint(plan, survey, target, pool, pacer, rebuilt));
                } catch (UnrecoverableCheckpointException e) {
                    String reason = e.failures().get(0).reason();
                    log.warn("cannot repair checkpoint {} of {} on server {}: {}", cp, app, serverIndex, reason);
                    unrecoverable.add(new SkippedCheckpoint(cp, reason));
                }
            }
            return new RepairReport(app, serverIndex, target.location(), repaired, unrecoverable,
                    survey.unreachable(), warnings, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("repair of server " + serverIndex + " interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void checkArguments(String app, List<CellSource> sources) {
        AppId.validate(app);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no sources given: name the other backup servers' data directories "
                    + "or http://host:port");
        }
    }

    private RepairReport.Repaired repairCheckpoint(CheckpointPlan plan, Survey survey, RepairTarget target,
            ExecutorService pool, Pacer pacer, long[] rebuilt) throws IOException, InterruptedException {
        String app = plan.app;
        long cp = plan.checkpointId;
        StoredManifest manifest = plan.manifest;
        int server = target.serverIndex();
        int cellsPerStripe = plan.policy.totalCells();
        Progress progress = Progress.start(options, "repairing " + app + "/" + cp + " on server " + server,
                manifest.totalBytes());
        CheckpointRebuild.Outcome outcome;
        RepairTarget.Written written;
        try (RepairTarget.Writer writer = target.begin(manifest)) {
            try {
                outcome = CheckpointRebuild.run(plan, survey, options, pool, progress, true, (s, stripe) -> {
                    int cell = CellLayout.cellOn(s, server, plan.servers(), cellsPerStripe);
                    if (cell >= 0) {
                        int length = stripe.cellLength();
                        byte[] data = Arrays.copyOf(stripe.encodedCell(cell), length);
                        CellHeader header = new CellHeader(app, cp, s, plan.segmentOffset(s), plan.segmentLength(s),
                                cell, manifest.policy(), plan.servers(), length, Crc32c.of(data, 0, length));
                        writer.offer(new StoredCell(header, data));
                    }
                    rebuilt[0] += plan.segmentLength(s);
                    pace(pacer, rebuilt[0], server);
                });
            } catch (UnrecoverableCheckpointException | VerificationFailedException e) {
                writer.abort();
                throw e;
            }
            written = writer.commit();
        } finally {
            progress.finish();
        }
        log.info("repaired checkpoint {} of {} on server {}: {} cells written", cp, app, server, written.cells());
        return new RepairReport.Repaired(cp, written.cells(), written.bytes(), outcome.badCells());
    }

    private static void pace(Pacer pacer, long bytes, int server) throws InterruptedIOException {
        try {
            pacer.pace(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("repair of server " + server + " interrupted");
        }
    }
}
