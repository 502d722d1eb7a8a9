package io.checkstripe.restore;

import io.checkstripe.core.AppId;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.crypto.AuthenticationFailedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a checkpoint from whatever backup servers survive and writes it, verified, to a file: the tool
 * run at failover (DESIGN.md, restorer).
 *
 * <p>It asks every source which server it is and which checkpoints it holds, then tries the newest checkpoint
 * first. The servers' manifests must agree; the cells are fetched in parallel with bounded read-ahead, the
 * data cells always and the parity cells of a stripe only when one of its data cells is lost; a missing cell,
 * a CRC mismatch or a record that is not the cell it should be is an erasure; each stripe with an erasure is
 * decoded and its parity computed again to check it against every parity cell that survived; the bytes go to
 * a temp file beside the output (written and hashed on threads of their own while the next stripes are
 * fetched), whose SHA-256 must match the manifest's before it is forced to disk and renamed over the output.
 * If the newest checkpoint cannot be rebuilt the restore says why and falls back to the one before, unless a
 * checkpoint was asked for by id. A checkpoint that is rebuilt but fails verification
 * is not fallen back from: that is a bug or damage the CRCs missed, and must be looked at. Memory stays bounded
 * by the read-ahead, so a checkpoint larger than the heap restores.
 *
 * <p>With the application's key file ({@link RestoreOptions#keyFile()}) only checkpoints its keys signed are
 * candidates, and encrypted ones are decrypted on their way to the temp file ({@link CheckpointProtection}). A
 * checkpoint that is not authentic (no valid signature: forged under the application's id; or a segment whose
 * AES-GCM tag fails: altered or replayed on the servers, even with consistent CRCs) is refused, reported, and
 * fallen back from like an unrecoverable one, because it is an attack or damage that an older authentic
 * checkpoint is the answer to. Without a key file an encrypted checkpoint stops the restore
 * ({@link KeyNeededException}): nothing is written.
 *
 * <p>A chunked checkpoint ({@link CheckpointContent}) stores only a delta whose recipe may read from earlier
 * checkpoints, its bases: the restore rebuilds the checkpoint's delta and those of the bases its recipe reads from,
 * each verified against its own SHA-256, then assembles the content and verifies it against the signed commit
 * before anything appears at the output ({@link ContentAssembly}); a directory checkpoint is restored with
 * {@link #restoreDirectory}, staged beside the output directory and renamed into place. Choosing the newest
 * checkpoint, it passes over one whose bases (or bases of bases) cannot be rebuilt from the reachable servers,
 * naming the base, since its content could not be assembled; a checkpoint asked for by id is restored whatever
 * its bases.
 *
 * <p>Thread-safe: each call uses its own threads, which it stops before returning.
 */
public final class Restorer {

    private static final Logger log = LoggerFactory.getLogger(Restorer.class);

    private final RestoreOptions options;

    public Restorer(RestoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Restores a checkpoint of {@code app} to {@code out}.
     *
     * @param sources      the backup servers to read, in any order; unreachable ones count as lost
     * @param checkpointId the checkpoint to restore, or empty for the newest one that can be rebuilt
     * @return what was restored and what was found on the way
     * @throws IllegalArgumentException         for a bad application id, no sources, a negative checkpoint id,
     *                                          or an output whose directory does not exist
     * @throws UnrecoverableCheckpointException when no candidate checkpoint can be rebuilt (the message names
     *                                          stripes and servers); nothing is written to {@code out}
     * @throws VerificationFailedException      when the rebuilt bytes do not verify; nothing is written
     * @throws AuthenticationFailedException    with a key file, when no candidate checkpoint is authentic (the
     *                                          message says why each was refused); nothing is written
     * @throws KeyNeededException               without a key file, when the checkpoint to restore is encrypted
     * @throws IOException                      when the output cannot be written
     */
    public RestoreReport restore(String app, List<CellSource> sources, Path out, OptionalLong checkpointId)
            throws IOException {
        return restore(app, sources, checkOutput(out), false, checkpointId);
    }

    /**
     * Restores a directory checkpoint ({@code publish --dir}) of {@code app} as the directory {@code outDir}: staged
     * beside it, verified, then renamed into place, so {@code outDir} appears complete or not at all.
     *
     * @param outDir a path that does not exist, or an empty directory (replaced), whose parent exists
     * @throws IllegalArgumentException also when the checkpoint to restore is a file, or {@code outDir} is a
     *                                  non-empty directory or a file
     * @see #restore(String, List, Path, OptionalLong) for the other exceptions
     */
    public RestoreReport restoreDirectory(String app, List<CellSource> sources, Path outDir, OptionalLong checkpointId)
            throws IOException {
        return restore(app, sources, checkOutputDirectory(outDir), true, checkpointId);
    }

    private RestoreReport restore(String app, List<CellSource> sources, Path target, boolean directory,
            OptionalLong checkpointId) throws IOException {
        AppId.validate(app);
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(checkpointId, "checkpointId");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no sources given: name each backup server's data directory or "
                    + "http://host:port");
        }
        if (checkpointId.isPresent() && checkpointId.getAsLong() < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId.getAsLong() + " is negative");
        }
        long start = System.nanoTime();
        ExecutorService pool = Pools.newPool("restore");
        try {
            return restore(app, sources, target, directory, checkpointId, pool, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore of " + app + " interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private RestoreReport restore(String app, List<CellSource> sources, Path out, boolean directory,
            OptionalLong wanted, ExecutorService pool, long start) throws IOException, InterruptedException {
        Survey survey = Survey.of(app, sources, options, pool);
        NavigableSet<Long> candidates = new TreeSet<>();
        if (wanted.isPresent()) {
            candidates.add(wanted.getAsLong());
        } else {
            candidates = survey.checkpointIds();
        }
        if (candidates.isEmpty()) {
            throw new UnrecoverableCheckpointException(app, "", List.of(UnrecoverableCheckpointException.Failure.of(-1,
                    "no reachable server holds a checkpoint of " + app + (survey.unreachable().isEmpty() ? ""
                            : " (unreachable: " + survey.unreachable() + ")"))));
        }
        List<UnrecoverableCheckpointException.Failure> failures = new ArrayList<>();
        List<SkippedCheckpoint> skipped = new ArrayList<>();
        boolean anyUnrecoverable = false;
        for (Iterator<Long> it = candidates.iterator(); it.hasNext(); ) {
            long cp = it.next();
            String fallback = it.hasNext() ? "; falling back to the checkpoint before it" : "";
            try {
                return restoreCheckpoint(survey, cp, out, directory, pool, start, skipped, wanted.isEmpty());
            } catch (UnrecoverableCheckpointException e) {
                failures.addAll(e.failures());
                e.failures().forEach(f -> skipped.add(new SkippedCheckpoint(f.checkpointId(), f.reason())));
                anyUnrecoverable = true;
                if (wanted.isPresent()) {
                    throw e;
                }
                log.warn("{}{}", e.getMessage(), fallback);
            } catch (AuthenticationFailedException e) {
                if (wanted.isPresent()) {
                    throw e;
                }
                failures.add(UnrecoverableCheckpointException.Failure.of(cp, "refused: " + e.getMessage()));
                skipped.add(new SkippedCheckpoint(cp, e.getMessage(), SkippedCheckpoint.Kind.NOT_AUTHENTIC));
                log.warn("refused: {}{}", e.getMessage(), fallback);
            }
        }
        if (!anyUnrecoverable) {
            throw new AuthenticationFailedException("no checkpoint of " + app + " on the reachable servers is "
                    + "authentic: " + String.join("; ", skipped.stream().map(SkippedCheckpoint::toString).toList()));
        }
        throw new UnrecoverableCheckpointException(app, "no checkpoint of " + app + " can be rebuilt from the "
                + "reachable servers: ", failures);
    }

    private RestoreReport restoreCheckpoint(Survey survey, long cp, Path out, boolean directory, ExecutorService pool,
            long start, List<SkippedCheckpoint> skipped, boolean choosing) throws IOException, InterruptedException {
        String app = survey.app();
        CheckpointPlan plan = CheckpointPlan.build(survey, cp, pool, options.keyFile());
        if (choosing) {
            CheckpointBases.check(plan, survey, pool, options.keyFile());
        }
        Optional<CheckpointContent> content = CheckpointBases.content(plan.manifest);
        boolean isDirectory = content.map(c -> c.type() == CheckpointContent.Type.DIRECTORY).orElse(false);
        if (isDirectory != directory) {
            throw new IllegalArgumentException("checkpoint " + cp + " of " + app + " is a "
                    + (isDirectory ? "directory: restore it with --out-dir" : "file: restore it with --out"));
        }
        if (content.isEmpty()) {
            return restoreBytes(survey, plan, out, pool, start, skipped);
        }
        return new ContentAssembly(app, cp, content.get()).restore(out, (id, to) -> restoreBytes(survey,
                id == cp ? plan : CheckpointPlan.build(survey, id, pool, options.keyFile()), to, pool, System.nanoTime(),
                skipped), start);
    }

    /** Rebuilds the checkpoint {@code plan} describes, its own bytes, verified, to {@code out}. */
    private RestoreReport restoreBytes(Survey survey, CheckpointPlan plan, Path out, ExecutorService pool, long start,
            List<SkippedCheckpoint> skipped) throws IOException, InterruptedException {
        String app = survey.app();
        long cp = plan.checkpointId;
        CheckpointProtection protection = CheckpointProtection.of(plan.manifest, options.keyFile());
        log.info("restoring {}", plan);
        Progress progress = Progress.start(options, "restoring " + app + "/" + cp, plan.manifest.totalBytes());
        CheckpointRebuild.Outcome outcome;
        try (OutputFile file = OutputFile.create(out, pool);
                CheckpointProtection.Writer writer = protection.writer(file, pool)) {
            try {
                outcome = CheckpointRebuild.run(plan, survey, options, pool, progress, false,
                        (stripe, rebuilt) -> writer.write(rebuilt));
            } catch (VerificationFailedException e) {
                writer.awaitDecrypted();
                throw e;
            }
            writer.finish();
            file.commit();
        } finally {
            progress.finish();
        }
        RestoreReport report = new RestoreReport(app, cp, plan.manifest.policy(), plan.servers(), out,
                protection.outputBytes(), HexFormat.of().formatHex(plan.manifest.sha256()),
                outcome.used(), new ArrayList<>(outcome.lost().values()),
                survey.unreachable(), outcome.cellsRebuilt(), outcome.badCells(), skipped,
                plan.warnings, Duration.ofNanos(System.nanoTime() - start), protection.report());
        log.info("restored checkpoint {} of {} to {}: {} bytes, {} cells rebuilt, {} bad cells", cp, app, out,
                report.bytes(), report.cellsRebuilt(), report.badCells().size());
        return report;
    }

    /** The absolute output directory, after checking that its parent exists and it is absent or empty. */
    private static Path checkOutputDirectory(Path outDir) throws IOException {
        Objects.requireNonNull(outDir, "outDir");
        Path target = outDir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("output directory's parent " + parent + " does not exist");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("output " + target + " exists and is not a directory");
            }
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("output directory " + target + " is not empty; name a new "
                            + "or empty directory, nothing in it was touched");
                }
            }
        }
        return target;
    }

    /** The absolute output path, after checking that its directory exists and it is not a directory itself. */
    private static Path checkOutput(Path out) {
        Objects.requireNonNull(out, "out");
        Path target = out.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("output directory " + dir + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("output " + target + " is a directory; name the file to restore to");
        }
        return target;
    }
}
