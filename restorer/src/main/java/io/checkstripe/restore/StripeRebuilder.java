package io.checkstripe.restore;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import java.util.Arrays;

/**
 * Turns a fetched stripe back into its segment: loads the intact cells into a {@link StripeWorkspace},
 * decodes the missing data cells, and, whenever it reconstructed something (or a repair needs parity),
 * encodes the segment again and compares the result with every parity cell that survived. The decoder is
 * therefore never trusted alone: a wrong reconstruction that the surviving cells can expose fails with
 * {@link VerificationFailedException} instead of reaching the output. Not thread-safe; one per consumer.
 */
final class StripeRebuilder {

    private final String app;
    private final long checkpointId;
    private final RedundancyPolicy policy;
    private final StripeWorkspace workspace;
    private final StripeWorkspace encoder;
    private byte[] segment;
    private int length;
    private boolean encoded;

    StripeRebuilder(String app, long checkpointId, RedundancyPolicy policy, int segmentSize) {
        this.app = app;
        this.checkpointId = checkpointId;
        this.policy = policy;
        int max = Math.min(segmentSize, policy.maxSegmentLength());
        this.workspace = new StripeWorkspace(policy, max);
        this.encoder = new StripeWorkspace(policy, max);
        this.segment = new byte[max];
    }

    /**
     * Rebuilds the stripe's segment into {@link #segment()}; the caller has checked that at least K cells are
     * good. With {@code encodeAll} the whole stripe is encoded again (for {@link #encodedCell}) and checked
     * against the surviving parity even when nothing was reconstructed.
     *
     * @return how many data cells were reconstructed
     * @throws VerificationFailedException when the re-encoded stripe contradicts a surviving parity cell
     */
    int rebuild(StripeFetch.Stripe stripe, boolean encodeAll) {
        int k = policy.dataCells();
        workspace.startRestore(stripe.segmentLength);
        int cellLength = workspace.cellLength();
        for (int j = 0; j < stripe.cells.length; j++) {
            if (stripe.states[j] == StripeFetch.CellState.GOOD) {
                workspace.loadCell(j, stripe.cells[j].cell().data(), 0, cellLength);
            }
        }
        int rebuilt = 0;
        for (int j = 0; j < k; j++) {
            rebuilt += workspace.isPresent(j) ? 0 : 1;
        }
        if (rebuilt > 0) {
            workspace.decodeDataCells();
        }
        length = stripe.segmentLength;
        if (segment.length < length) {
            segment = new byte[length];
        }
        workspace.copySegmentTo(segment, 0);
        encoded = false;
        if (rebuilt > 0 || encodeAll) {
            encoder.encode(segment, 0, length);
            encoded = true;
            for (int p = k; p < stripe.cells.length; p++) {
                if (stripe.states[p] == StripeFetch.CellState.GOOD
                        && !Arrays.equals(encoder.cell(p), 0, cellLength, stripe.cells[p].cell().data(), 0, cellLength)) {
                    throw VerificationFailedException.parity(app, checkpointId, stripe.index, p, stripe.servers[p]);
                }
            }
        }
        return rebuilt;
    }

    /** The rebuilt segment's bytes, valid up to {@link #length()} until the next rebuild. */
    byte[] segment() {
        return segment;
    }

    int length() {
        return length;
    }

    /**
     * Cell {@code j} of the rebuilt stripe as the striper formed it (backing array, valid up to
     * {@link #cellLength()} until the next rebuild).
     *
     * @throws IllegalStateException unless the last rebuild encoded the stripe
     */
    byte[] encodedCell(int j) {
        if (!encoded) {
            throw new IllegalStateException("the last stripe was not encoded again; rebuild it with encodeAll");
        }
        return encoder.cell(j);
    }

    int cellLength() {
        return encoder.cellLength();
    }
}
