package io.checkstripe.striper;

/**
 * Why the striper refused a record of the checkpoints topic. The {@link #code()} is what the
 * dead-letter topic's {@code checkstripe.dlq.reason} header carries, so that tools can filter on
 * a stable word while the exception header gives the details.
 */
public enum RejectReason {
    /** The value could not be read: not the Confluent wire format, unknown schema id, empty, truncated. */
    UNREADABLE("unreadable"),
    /** The value is {@code null} (a tombstone), which means nothing on the checkpoints topic. */
    NULL_VALUE("null-value"),
    /** The record's {@code formatVersion} is not one this striper understands. */
    UNSUPPORTED_FORMAT_VERSION("unsupported-format-version"),
    /** The application id breaks the {@link io.checkstripe.schemas.AppId} rule. */
    INVALID_APP_ID("invalid-app-id"),
    /** The record key is not the application id of the value, so per-app ordering cannot hold. */
    KEY_MISMATCH("key-mismatch"),
    /** A field is out of range: a negative id, index, offset or size, an empty segment, a SHA-256 of the wrong length. */
    INVALID_RECORD("invalid-record"),
    /** The segment is longer than one stripe of the policy holds (K x its fixed cell size). */
    SEGMENT_TOO_LONG("segment-too-long"),
    /** The checkpoint id is not newer than the application's last committed one (or than the one in progress). */
    STALE_CHECKPOINT("stale-checkpoint"),
    /** A segment of the checkpoint in progress arrived a second time. */
    DUPLICATE_SEGMENT("duplicate-segment"),
    /** A segment arrived with a gap before it: wrong index, or an offset that does not continue the previous segment. */
    SEGMENT_OUT_OF_ORDER("segment-out-of-order"),
    /** A commit whose segment count, total bytes or segment size disagree with the segments seen. */
    COMMIT_MISMATCH("commit-mismatch"),
    /** A commit announcing segments for a checkpoint of which none arrived. */
    COMMIT_WITHOUT_SEGMENTS("commit-without-segments");

    private final String code;

    RejectReason(String code) {
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
