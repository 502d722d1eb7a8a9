package io.checkstripe.cli;

import io.checkstripe.restore.StatusReport;

/**
 * The exit codes of every checkstripe command: the contract other tooling relies on
 * (DESIGN.md section 6), kept in one place so no command invents its own. The README's table
 * says which commands return which.
 */
public final class ExitCode {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** The user's mistake: a bad option, argument, app id, file or directory. */
    public static final int USAGE = 1;
    /** Fewer than K good cells for some stripe: the checkpoint cannot be rebuilt. */
    public static final int UNRECOVERABLE = 2;
    /**
     * Restored bytes failed verification (SHA-256 or parity re-check); or, restoring with a key file, no
     * checkpoint tried was authentic (forged without the key, or altered on the servers): like a failed SHA-256,
     * the bytes on the servers are not what the application published, and someone must look.
     */
    public static final int VERIFICATION_FAILED = 3;
    /** Kafka did not answer within the time allowed. */
    public static final int KAFKA_UNREACHABLE = 4;
    /** {@code publish --wait-protected}: not every backup server acknowledged in time. */
    public static final int NOT_PROTECTED = 5;
    /**
     * {@code status}: the newest checkpoint can still be rebuilt, but some of its cells or servers are lost, so
     * it survives fewer further losses than its policy promises; a repair or a new checkpoint is due.
     * {@code healer --once}: some server could not be healed (unreachable, behind, stalled, not accepting repairs).
     */
    public static final int DEGRADED = 6;
    /**
     * Kafka refused the command's principal: it did not authenticate (SASL credentials, a failed TLS handshake) or
     * lacks an ACL its role needs. Waiting does not help, so the command stops at once instead of retrying; the
     * message says who was refused, what for, and where the ACLs of each role are listed.
     */
    public static final int NOT_AUTHORIZED = 7;
    /**
     * {@code restore} without {@code --key-file} of a checkpoint that was published encrypted: nothing was
     * written. Its own code, because a failover script can act on it (retry with the key) where it cannot on a
     * usage mistake.
     */
    public static final int KEY_NEEDED = 8;
    /**
     * {@code publish}: the checkpoint is refused and will never be protected: the striper dead-lettered it (a
     * policy it does not allow, too few servers for the policy, ...), or the publisher saw before sending that
     * it would. Its own code, because a script can act on it (another policy) where waiting cannot help.
     */
    public static final int REJECTED = 9;
    /** Anything else: a bug or an environment failure; the message says what. */
    public static final int SOFTWARE = 70;

    private ExitCode() {
    }

    /**
     * What {@code status} exits with: the health of the newest checkpoint alone ({@link #OK} complete,
     * {@link #DEGRADED}, {@link #UNRECOVERABLE}), older ones being only what a failover falls back to. No
     * checkpoint at all is {@link #UNRECOVERABLE}, as a restore then exits: there is nothing to fail over to.
     */
    static int ofStatus(StatusReport report) {
        return report.newest().map(newest -> switch (newest.health()) {
            case COMPLETE -> OK;
            case DEGRADED -> DEGRADED;
            case UNRECOVERABLE -> UNRECOVERABLE;
        }).orElse(UNRECOVERABLE);
    }
}
