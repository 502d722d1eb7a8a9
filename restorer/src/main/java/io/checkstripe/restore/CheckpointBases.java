package io.checkstripe.restore;

import io.checkstripe.core.CheckpointContent;
import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.store.StoredManifest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the checkpoints an incremental checkpoint reads from make of it: its content is only as good as its worst
 * base, so it is unrecoverable when any base (or base of a base) is unrecoverable or on no reachable server, and
 * degraded when any is degraded. {@link StatusScanner} judges every checkpoint of its report so; the
 * {@link Restorer}, choosing the newest checkpoint to restore, falls back from one whose bases cannot be rebuilt,
 * naming the base. Assembling the content from the deltas is not done here. Stateless.
 */
final class CheckpointBases {

    private static final Logger log = LoggerFactory.getLogger(CheckpointBases.class);

    private CheckpointBases() {
    }

    /**
     * The health the bases leave a checkpoint with, at best: COMPLETE when it reads from nothing or only from
     * complete checkpoints.
     *
     * @param reason names the first unrecoverable base, else the first degraded one; empty when COMPLETE
     */
    record Verdict(Health health, String reason) {
    }

    /**
     * The content a manifest describes, for checkpoint {@code manifest.checkpointId()}.
     *
     * @throws UnrecoverableCheckpointException when its content metadata is malformed: the deltas could not be
     *                                          assembled
     */
    static Optional<CheckpointContent> content(StoredManifest manifest) {
        try {
            return CheckpointContent.from(manifest.checkpointId(), manifest.metadata());
        } catch (IllegalArgumentException e) {
            throw new UnrecoverableCheckpointException(manifest.appId(), "", List.of(
                    UnrecoverableCheckpointException.Failure.of(manifest.checkpointId(), "checkpoint "
                            + manifest.checkpointId() + " of " + manifest.appId()
                            + " has malformed content metadata: " + e.getMessage())));
        }
    }

    /**
     * Judges checkpoint {@code checkpointId} by the checkpoints it reads from.
     *
     * @param bases    the bases its manifest lists
     * @param statusOf the status of a checkpoint, or null when no reachable server holds it
     */
    static Verdict judge(long checkpointId, List<Long> bases, LongFunction<CheckpointStatus> statusOf) {
        NavigableSet<Long> all = new TreeSet<>(bases);
        all.addAll(CheckpointContent.closeOverBases(bases, id -> basesOf(statusOf.apply(id))));
        String degraded = null;
        for (long base : all) {
            CheckpointStatus s = statusOf.apply(base);
            if (s == null) {
                return new Verdict(Health.UNRECOVERABLE, "checkpoint " + checkpointId + " reads from checkpoint "
                        + base + ", which is on no reachable server");
            }
            if (s.health() == Health.UNRECOVERABLE) {
                return new Verdict(Health.UNRECOVERABLE, "checkpoint " + checkpointId + " reads from checkpoint "
                        + base + ", which cannot be rebuilt: " + s.reason());
            }
            if (s.health() == Health.DEGRADED && degraded == null) {
                degraded = "checkpoint " + checkpointId + " reads from checkpoint " + base + ", which is degraded";
            }
        }
        return degraded == null ? new Verdict(Health.COMPLETE, "") : new Verdict(Health.DEGRADED, degraded);
    }

    /** The bases a checkpoint's manifest lists: none for an ordinary one, one without a manifest, or null. */
    static List<Long> basesOf(CheckpointStatus status) {
        return status == null ? List.of() : status.content().map(CheckpointContent::bases).orElse(List.of());
    }

    /**
     * Checks, by listing their cells, that every checkpoint {@code plan}'s checkpoint reads from can be rebuilt
     * from the survey's servers (with {@code keys}, and is authentic).
     *
     * @throws UnrecoverableCheckpointException naming the base when one cannot, or the content metadata is
     *                                          malformed
     */
    static void check(CheckpointPlan plan, Survey survey, ExecutorService pool, Optional<KeyFile> keys)
            throws InterruptedException {
        Optional<CheckpointContent> content = content(plan.manifest);
        if (content.isEmpty() || !content.get().isIncremental()) {
            return;
        }
        Map<Long, CheckpointStatus> statuses = new HashMap<>();
        List<Long> pending = new ArrayList<>(content.get().bases());
        while (!pending.isEmpty()) {
            long base = pending.remove(pending.size() - 1);
            if (!statuses.containsKey(base)) {
                CheckpointStatus s = status(survey, base, pool, keys);
                statuses.put(base, s);
                pending.addAll(basesOf(s));
            }
        }
        Verdict verdict = judge(plan.checkpointId, content.get().bases(), statuses::get);
        if (verdict.health() == Health.UNRECOVERABLE) {
            throw new UnrecoverableCheckpointException(plan.app, "", List.of(
                    UnrecoverableCheckpointException.Failure.of(plan.checkpointId, verdict.reason())));
        }
        if (verdict.health() == Health.DEGRADED) {
            log.info("{}", verdict.reason());
        }
    }

    /** A base's status from the listing of its cells, or null when no reachable server holds it. */
    private static CheckpointStatus status(Survey survey, long base, ExecutorService pool, Optional<KeyFile> keys)
            throws InterruptedException {
        if (!survey.checkpointIds().contains(base)) {
            return null;
        }
        try {
            return StatusScanner.list(CheckpointPlan.build(survey, base, pool, keys), survey);
        } catch (UnrecoverableCheckpointException e) {
            return CheckpointStatus.unrecoverable(base, e.failures().get(0).reason());
        } catch (AuthenticationFailedException e) {
            return CheckpointStatus.unrecoverable(base, "not authentic: " + e.getMessage());
        }
    }
}
