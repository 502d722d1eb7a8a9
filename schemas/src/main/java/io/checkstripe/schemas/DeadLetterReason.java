package io.checkstripe.schemas;

import io.checkstripe.core.AppId;

/**
 * Why a checkstripe job refused a record and sent it to the dead-letter topic. The
 * {@link #code()} is what the {@value Topics#DLQ_REASON_HEADER} header carries, so that tools can
 * filter on a stable word while the exception header gives the details.
 *
 * <p>The striper (records of the checkpoints topic) and the backup sinks (records of the stripes
 * topic) write to the same dead-letter topic by default, so their reasons live in one list: the
 * first five can come from either, the next eleven only from the striper, the next three only
 * from a sink, and the last from either.
 */
public enum DeadLetterReason {
    /** The value could not be read: not the Confluent wire format, unknown schema id, empty, truncated, not the union. */
    UNREADABLE("unreadable"),
    /** The value is {@code null} (a tombstone), which means nothing on the checkpoints or stripes topic. */
    NULL_VALUE("null-value"),
    /** The record's {@code formatVersion} is not one this job understands. */
    UNSUPPORTED_FORMAT_VERSION("unsupported-format-version"),
    /** The application id breaks the {@link AppId} rule. */
    INVALID_APP_ID("invalid-app-id"),
    /**
     * A field is out of range (a negative id, index, offset or size, an empty segment, a SHA-256 of
     * the wrong length) or the fields contradict each other (cell length, policy, servers, data length).
     */
    INVALID_RECORD("invalid-record"),

    /** Striper: the record key is not the application id of the value, so per-app ordering cannot hold. */
    KEY_MISMATCH("key-mismatch"),
    /** Striper: the segment is longer than one stripe of the policy holds (K x its fixed cell size). */
    SEGMENT_TOO_LONG("segment-too-long"),
    /** Striper: the checkpoint id is not newer than the application's last committed one (or than the one in progress). */
    STALE_CHECKPOINT("stale-checkpoint"),
    /** Striper: a segment of the checkpoint in progress arrived a second time. */
    DUPLICATE_SEGMENT("duplicate-segment"),
    /** Striper: a segment arrived with a gap before it: wrong index, or an offset that does not continue the previous segment. */
    SEGMENT_OUT_OF_ORDER("segment-out-of-order"),
    /** Striper: a commit whose segment count, total bytes or segment size disagree with the segments seen. */
    COMMIT_MISMATCH("commit-mismatch"),
    /** Striper: a commit announcing segments for a checkpoint of which none arrived. */
    COMMIT_WITHOUT_SEGMENTS("commit-without-segments"),
    /**
     * Striper: a commit whose SHA-256 is not the SHA-256 of its segments' bytes in order. Its cells already sent
     * stay on the sinks without a manifest: never complete, never counted by retention.
     */
    SHA256_MISMATCH("sha256-mismatch"),
    /**
     * Striper: the checkpoint asks for a redundancy policy the striper does not allow
     * ({@code checkstripe.allowed.policies}); every record of the checkpoint is refused, the headers name the
     * policy asked for and the ones allowed.
     */
    POLICY_NOT_ALLOWED("policy-not-allowed"),
    /**
     * Striper: the checkpoint's policy puts more cells per stripe on distinct servers than there are backup servers
     * (stripes topic partitions); every record of the checkpoint is refused.
     */
    TOO_FEW_SERVERS("too-few-servers"),
    /** Striper: a segment or commit names another policy than segment 0 of its checkpoint. */
    POLICY_MISMATCH("policy-mismatch"),

    /** Sink: the cell belongs on another server, or a manifest reached a server outside its N. */
    MISROUTED("misrouted"),
    /** Sink: the cell's bytes do not match the CRC32C the striper recorded. */
    CORRUPT_CELL("corrupt-cell"),
    /** Sink: the record contradicts what the store holds for the checkpoint (another policy, another manifest). */
    CONFLICT("conflict"),

    /**
     * The application has a registered public key and the commit (at the striper) or the manifest (at a sink)
     * carries no valid signature by it: another producer published under its id, or wrote to the stripes topic.
     */
    BAD_SIGNATURE("bad-signature");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The stable lower-case code, e.g. {@code segment-out-of-order}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
