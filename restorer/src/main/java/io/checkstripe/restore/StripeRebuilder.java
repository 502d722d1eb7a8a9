package io.checkstripe.restore;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns a fetched stripe back into its segment. A stripe whose data cells all arrived intact is its data
 * cells: they are handed on as they are, without a copy. Otherwise the intact cells go into a
 * {@link StripeWorkspace}, the missing data cells are decoded, and every parity cell is computed again from
 * the data and compared with each parity cell that survived; a repair, which needs every cell, takes this path
 * for every stripe. The decoder is therefore never trusted alone: a wrong reconstruction that the surviving
 * cells can expose fails with {@link VerificationFailedException} instead of reaching the output.
 *
 * <p>The pieces {@link #forEachPiece} hands out are never written again (cells as read, or a copy of a decoded
 * segment), so a consumer may keep them after the next rebuild, e.g. to write them on another thread.
 * Not thread-safe; one per consumer.
 */
final class StripeRebuilder {

    /** Receives a rebuilt segment's bytes, piece by piece, in order. */
    @FunctionalInterface
    interface PieceConsumer {
        void accept(byte[] bytes, int off, int len) throws IOException;
    }

    private final String app;
    private final long checkpointId;
    private final RedundancyPolicy policy;
    private final StripeWorkspace workspace;
    private final byte[][] pieces;
    private final int[] pieceLengths;
    private int pieceCount;
    private int length;
    private boolean encoded;

    StripeRebuilder(String app, long checkpointId, RedundancyPolicy policy, int segmentSize) {
        this.app = app;
        this.checkpointId = checkpointId;
        this.policy = policy;
        this.workspace = new StripeWorkspace(policy, Math.min(segmentSize, policy.maxSegmentLength()));
        this.pieces = new byte[policy.dataCells()][];
        this.pieceLengths = new int[policy.dataCells()];
    }

    /**
     * Rebuilds the stripe's segment; the caller has checked that at least K cells are good. With
     * {@code encodeAll} every cell is computed (for {@link #encodedCell}) and checked against the surviving
     * parity even when nothing was reconstructed.
     *
     * @return how many data cells were reconstructed
     * @throws VerificationFailedException when the recomputed stripe contradicts a surviving parity cell
     */
    int rebuild(StripeFetch.Stripe stripe, boolean encodeAll) {
        int k = policy.dataCells();
        length = stripe.segmentLength;
        encoded = false;
        if (!encodeAll && stripe.dataIntact(k)) {
            asDataCells(stripe);
            return 0;
        }
        workspace.startRestore(stripe.segmentLength);
        int cellLength = workspace.cellLength();
        int rebuilt = 0;
        int loaded = 0;
        for (int j = 0; j < k; j++) {
            if (stripe.states[j] == StripeFetch.CellState.GOOD) {
                workspace.loadCell(j, stripe.cells[j].cell().data(), 0, cellLength);
                loaded++;
            } else {
                rebuilt++;
            }
        }
        for (int p = k; p < stripe.cells.length && loaded < k; p++) {
            if (stripe.states[p] == StripeFetch.CellState.GOOD) {
                workspace.loadCell(p, stripe.cells[p].cell().data(), 0, cellLength);
                loaded++;
            }
        }
        if (rebuilt > 0) {
            workspace.decodeDataCells();
        }
        // Every parity cell again from the data: the same computation as the striper's encode.
        for (int p = k; p < stripe.cells.length; p++) {
            workspace.markMissing(p);
        }
        workspace.decode();
        encoded = true;
        for (int p = k; p < stripe.cells.length; p++) {
            if (stripe.states[p] == StripeFetch.CellState.GOOD
                    && !Arrays.equals(workspace.cell(p), 0, cellLength, stripe.cells[p].cell().data(), 0, cellLength)) {
                throw VerificationFailedException.parity(app, checkpointId, stripe.index, p, stripe.servers[p]);
            }
        }
        byte[] segment = new byte[length];
        workspace.copySegmentTo(segment, 0);
        pieces[0] = segment;
        pieceLengths[0] = length;
        pieceCount = length == 0 ? 0 : 1;
        return rebuilt;
    }

    /**
     * The segment is its data cells in order, cut at its length (the format of {@link StripeWorkspace}; a
     * test holds the two to the same bytes).
     */
    private void asDataCells(StripeFetch.Stripe stripe) {
        int cellLength = policy.cellLength(length);
        pieceCount = 0;
        for (int j = 0, pos = 0; pos < length; j++, pos += cellLength) {
            pieces[j] = stripe.cells[j].cell().data();
            pieceLengths[j] = Math.min(cellLength, length - pos);
            pieceCount++;
        }
    }

    /** Hands the rebuilt segment to {@code consumer} in order; the pieces stay valid after the next rebuild. */
    void forEachPiece(PieceConsumer consumer) throws IOException {
        for (int i = 0; i < pieceCount; i++) {
            consumer.accept(pieces[i], 0, pieceLengths[i]);
        }
    }

    /** The rebuilt segment's length in bytes. */
    int length() {
        return length;
    }

    /**
     * Cell {@code j} of the rebuilt stripe as the striper formed it (backing array, valid up to
     * {@link #cellLength()} until the next rebuild).
     *
     * @throws IllegalStateException unless the last rebuild went through the workspace (with encodeAll, always)
     */
    byte[] encodedCell(int j) {
        if (!encoded) {
            throw new IllegalStateException("the last stripe was not encoded again; rebuild it with encodeAll");
        }
        return workspace.cell(j);
    }

    int cellLength() {
        return workspace.cellLength();
    }
}
