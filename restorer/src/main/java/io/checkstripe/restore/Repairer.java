package io.checkstripe.restore;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a replaced backup server ({@code checkstripe repair}): for every checkpoint of an application it
 * decodes each stripe from the other servers, encodes it again, and writes the cells that server should hold
 * ({@link CellLayout}) into a store for that server, then the manifest, and commits durably. Every stripe is
 * checked against the surviving parity and the whole checkpoint against its SHA-256 before the commit, so a
 * repair never plants a bad cell; a checkpoint that fails is deleted from the new store again.
 *
 * <p>The repaired store records no consumer offsets: a sink started on it replays what its partition still
 * holds, and the store skips the cells it already has. Repairs are resumable: cells already in the store are
 * not written twice, and a checkpoint the store already holds completely is left alone.
 *
 * <p>Thread-safe: each call uses its own threads and opens (and locks) the store for its duration.
 */
public final class Repairer {

    private static final Logger log = LoggerFactory.getLogger(Repairer.class);

    private final RestoreOptions options;

    public Repairer(RestoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Rebuilds server {@code serverIndex}'s cells of every checkpoint of {@code app} into {@code dataDir}.
     * A source that is server {@code serverIndex} itself is not read.
     *
     * @return the checkpoints repaired and those that could not be
     * @throws IllegalArgumentException    for a bad application id, no sources, a negative server index, or a
     *                                     data directory that belongs to another server
     * @throws VerificationFailedException when a rebuilt checkpoint does not verify (it is not kept)
     * @throws IOException                 when the store cannot be opened or written
     */
    public RepairReport repair(String app, List<CellSource> sources, int serverIndex, Path dataDir) throws IOException {
        AppId.validate(app);
        Objects.requireNonNull(dataDir, "dataDir");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no sources given: name the other backup servers' data directories "
                    + "or http://host:port");
        }
        if (serverIndex < 0) {
            throw new IllegalArgumentException("server index " + serverIndex + " is negative");
        }
        long start = System.nanoTime();
        ExecutorService pool = Pools.newPool("repair");
        try (CellStore store = CellStore.open(dataDir, serverIndex)) {
            Survey survey = Survey.of(app, sources, options, pool);
            Survey.Server self = survey.servers().get(serverIndex);
            if (self != null) {
                survey.markFailed(new LostServer(serverIndex, self.source().location(), "is the server being repaired"));
            }
            List<RepairReport.Repaired> repaired = new ArrayList<>();
            List<SkippedCheckpoint> unrecoverable = new ArrayList<>();
            List<String> warnings = new ArrayList<>(survey.warnings());
            for (long cp : survey.checkpointIds()) {
                try {
                    CheckpointPlan plan = CheckpointPlan.build(survey, cp, pool);
                    plan.warnings.stream().filter(w -> !warnings.contains(w)).forEach(warnings::add);
                    if (serverIndex >= plan.servers()) {
                        warnings.add("checkpoint " + cp + " is spread over " + plan.servers() + " servers: server "
                                + serverIndex + " holds none of its cells");
                        continue;
                    }
                    repaired.add(repairCheckpoint(plan, survey, store, pool));
                } catch (UnrecoverableCheckpointException e) {
                    String reason = e.failures().get(0).reason();
                    log.warn("cannot repair checkpoint {} of {} on server {}: {}", cp, app, serverIndex, reason);
                    unrecoverable.add(new SkippedCheckpoint(cp, reason));
                }
            }
            return new RepairReport(app, serverIndex, store.dataDir(), repaired, unrecoverable, survey.unreachable(),
                    warnings, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("repair of server " + serverIndex + " interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private RepairReport.Repaired repairCheckpoint(CheckpointPlan plan, Survey survey, CellStore store,
            ExecutorService pool) throws IOException, InterruptedException {
        String app = plan.app;
        long cp = plan.checkpointId;
        StoredManifest manifest = plan.manifest;
        Optional<StoredManifest> held = store.manifest(app, cp);
        if (held.isPresent() && held.get().equals(manifest) && store.isComplete(app, cp)) {
            log.info("server {} already holds checkpoint {} of {} completely", store.serverIndex(), cp, app);
            return new RepairReport.Repaired(cp, 0, 0, List.of());
        }
        int server = store.serverIndex();
        int cellsPerStripe = plan.policy.totalCells();
        long[] written = new long[2];
        Progress progress = Progress.start(options, "repairing " + app + "/" + cp + " on server " + server,
                manifest.totalBytes());
        CheckpointRebuild.Outcome outcome;
        try {
            outcome = CheckpointRebuild.run(plan, survey, options, pool, progress, true, (s, rebuilt) -> {
                int cell = CellLayout.cellOn(s, server, plan.servers(), cellsPerStripe);
                if (cell < 0) {
                    return;
                }
                int length = rebuilt.cellLength();
                byte[] data = Arrays.copyOf(rebuilt.encodedCell(cell), length);
                CellHeader header = new CellHeader(app, cp, s, plan.segmentOffset(s), plan.segmentLength(s), cell,
                        manifest.policy(), plan.servers(), length, Crc32c.of(data, 0, length));
                if (store.append(new StoredCell(header, data))) {
                    written[0]++;
                    written[1] += length;
                }
            });
            store.putManifest(manifest);
            store.commit(Map.of());
        } catch (UnrecoverableCheckpointException | VerificationFailedException e) {
            if (written[0] > 0) {
                store.delete(app, cp);
            }
            throw e;
        } finally {
            progress.finish();
        }
        log.info("repaired checkpoint {} of {} on server {}: {} cells written", cp, app, server, written[0]);
        return new RepairReport.Repaired(cp, written[0], written[1], outcome.badCells());
    }
}
