package io.checkstripe.sink;

/**
 * Counters of one sink since it started, as {@code GET /v1/server} reports them. Cells and manifests are counted
 * when the batch holding them is committed, and only when they were new to the store (replays are not). Immutable
 * and thread-safe.
 *
 * @param cellsStored        cells newly made durable
 * @param bytesStored        data bytes of those cells
 * @param manifestsStored    manifests newly made durable
 * @param deadLetters        records sent to the dead-letter topic
 * @param acksSent           checkpoint acknowledgements Kafka accepted
 * @param checkpointsDeleted checkpoints removed by retention
 * @param committedOffset    the next stripes offset to consume as the store recorded it, -1 before the first commit
 */
public record SinkStats(long cellsStored, long bytesStored, long manifestsStored, long deadLetters, long acksSent,
        long checkpointsDeleted, long committedOffset) {
}
