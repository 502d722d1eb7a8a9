package io.checkstripe.sink;

/**
 * Why a sink refused a record of its stripes partition. The {@link #code()} is what the dead-letter topic's
 * {@code checkstripe.dlq.reason} header carries, so that tools can filter on a stable word while the exception
 * header gives the details. The record itself goes to the dead-letter topic as it came, key and value bytes.
 */
public enum DeadLetterReason {
    /** The value could not be read: not the Confluent wire format, unknown schema id, truncated, not the union. */
    UNREADABLE("unreadable"),
    /** The value is {@code null} (a tombstone), which means nothing on the stripes topic. */
    NULL_VALUE("null-value"),
    /** The record's {@code formatVersion} is not one this sink understands. */
    UNSUPPORTED_FORMAT_VERSION("unsupported-format-version"),
    /** The application id breaks the {@link io.checkstripe.schemas.AppId} rule. */
    INVALID_APP_ID("invalid-app-id"),
    /** A field is out of range or the fields contradict each other (cell length, policy, servers, data length). */
    INVALID_RECORD("invalid-record"),
    /** The cell belongs on another server, or a manifest reached a server outside its N. */
    MISROUTED("misrouted"),
    /** The cell's bytes do not match the CRC32C the striper recorded. */
    CORRUPT_CELL("corrupt-cell"),
    /** The record contradicts what the store holds for the checkpoint (another policy, another manifest). */
    CONFLICT("conflict");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The stable lower-case code, e.g. {@code misrouted}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
