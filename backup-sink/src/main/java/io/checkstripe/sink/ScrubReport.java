package io.checkstripe.sink;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the sink's background scrub has found, as {@code GET /v1/scrub} reports it: its settings, how many passes
 * it made, the last finished pass and every corrupt cell or manifest that pass found. Immutable.
 *
 * @param enabled          whether the sink scrubs at all ({@code checkstripe.scrub.rate.mb} above 0)
 * @param rateMegabytes    the pace, in MB (10^6 bytes) read per second
 * @param intervalSeconds  the pause between two passes
 * @param passes           passes finished since the sink started
 * @param running          whether a pass is under way now
 * @param lastPass         the last finished pass, null before the first
 */
public record ScrubReport(boolean enabled, double rateMegabytes, long intervalSeconds, long passes, boolean running,
                          Pass lastPass) {

    /**
     * One pass over every checkpoint of the store.
     *
     * @param started          when it began
     * @param finished         when it ended
     * @param cellsChecked     cells whose data was read and CRC-checked
     * @param bytesChecked     bytes of those cells
     * @param manifestsChecked manifests read from disk again and checked
     * @param findings         what failed its check, in the order found
     */
    public record Pass(@JsonSerialize(using = ToStringSerializer.class) Instant started,
                       @JsonSerialize(using = ToStringSerializer.class) Instant finished,
                       long cellsChecked, long bytesChecked, long manifestsChecked, List<Finding> findings) {
        public Pass {
            Objects.requireNonNull(started, "started");
            Objects.requireNonNull(finished, "finished");
            findings = List.copyOf(findings);
        }

        /** Corrupt cells and manifests found. */
        public long corruptFound() {
            return findings.size();
        }

        /** How many of them were copied to the store's quarantine in this pass or an earlier one. */
        public long quarantined() {
            return findings.stream().filter(f -> f.quarantinedTo() != null).count();
        }
    }

    /**
     * A cell whose data fails its CRC, or a manifest that no longer decodes.
     *
     * @param kind          {@code corrupt-cell} or {@code corrupt-manifest}
     * @param app           the application
     * @param checkpointId  the checkpoint
     * @param segment       the segment of a cell, -1 for a manifest
     * @param cell          the cell index, -1 for a manifest
     * @param detail        what the check said
     * @param quarantinedTo where the cell's record was copied, null for a manifest (the store quarantines a
     *                      manifest it cannot read when it next loads the checkpoint)
     */
    public record Finding(String kind, String app, long checkpointId, int segment, int cell, String detail,
                          String quarantinedTo) {
        public Finding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
