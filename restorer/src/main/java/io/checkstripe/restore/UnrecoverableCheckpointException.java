package io.checkstripe.restore;

import io.checkstripe.core.CheckstripeException;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * No checkpoint that was asked for can be rebuilt: some stripe has fewer than K intact cells among the
 * reachable servers, or no reachable server holds the checkpoint or its manifest. The message names the
 * stripes and the servers whose cells were lost, missing or corrupt, with long lists compressed
 * ({@code stripes 0-41 (42 of 64)}); {@link #failures()} carries the same facts for each checkpoint tried,
 * newest first. The CLI exits with code 2.
 */
public final class UnrecoverableCheckpointException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    /**
     * Why one checkpoint cannot be rebuilt.
     *
     * @param checkpointId   the checkpoint, or -1 when the application has no checkpoint on a reachable server
     * @param segmentCount   its stripes, or 0 when unknown
     * @param stripes        the stripes with fewer than K intact cells (empty when the checkpoint failed as a
     *                       whole, e.g. without a manifest)
     * @param lostServers    servers of those stripes that were unreachable, not given, failed or disagreed
     * @param missingServers reachable servers that lacked a cell of those stripes
     * @param corruptServers servers that gave a corrupt or foreign cell of those stripes
     * @param reason         the whole explanation, as printed
     */
    public record Failure(long checkpointId, long segmentCount, IndexRanges stripes, IndexRanges lostServers,
            IndexRanges missingServers, IndexRanges corruptServers, String reason) {

        public Failure {
            Objects.requireNonNull(stripes, "stripes");
            Objects.requireNonNull(lostServers, "lostServers");
            Objects.requireNonNull(missingServers, "missingServers");
            Objects.requireNonNull(corruptServers, "corruptServers");
            Objects.requireNonNull(reason, "reason");
        }

        /** A checkpoint that failed as a whole, for {@code reason}. */
        static Failure of(long checkpointId, String reason) {
            return new Failure(checkpointId, 0, IndexRanges.empty(), IndexRanges.empty(), IndexRanges.empty(),
                    IndexRanges.empty(), reason);
        }
    }

    private final String app;
    private final List<Failure> failures;

    /**
     * @param app      the application
     * @param prefix   the first part of the message, e.g. which checkpoints were tried
     * @param failures every checkpoint tried and why it failed, newest first; at least one
     */
    UnrecoverableCheckpointException(String app, String prefix, List<Failure> failures) {
        super(prefix + failures.stream().map(Failure::reason).collect(Collectors.joining("; ")));
        if (failures.isEmpty()) {
            throw new IllegalArgumentException("an unrecoverable checkpoint needs at least one failure");
        }
        this.app = app;
        this.failures = List.copyOf(failures);
    }

    /** The application. */
    public String app() {
        return app;
    }

    /** Every checkpoint tried and why it failed, newest first. */
    public List<Failure> failures() {
        return failures;
    }

    /** The newest checkpoint tried, or -1 when there was none. */
    public long checkpointId() {
        return failures.get(0).checkpointId();
    }

    /** The stripes of the newest checkpoint tried that cannot be rebuilt. */
    public IndexRanges stripes() {
        return failures.get(0).stripes();
    }
}
