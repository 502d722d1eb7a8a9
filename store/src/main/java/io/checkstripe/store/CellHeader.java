package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;

/**
 * Everything that describes one stored cell except its bytes: which checkpoint and stripe it belongs to,
 * how the stripe was encoded and the CRC32C the striper computed over the cell. The header makes a cell
 * self-describing, so a store (or a stream of cells from a sink's HTTP API) can be read with no other
 * metadata; {@link CellRecordFormat} defines its encoding.
 *
 * <p>The constructor checks every field and the fields against each other (the cell index against the
 * policy's cells per stripe, the cell length against the segment length), and replaces the policy name with
 * its canonical form. It does not check the CRC: that needs the data. Immutable and thread-safe.
 *
 * @param appId         application id, {@code [A-Za-z0-9._-]{1,128}}, not {@code .} or {@code ..}
 * @param checkpointId  checkpoint id, not negative
 * @param segmentIndex  segment (stripe) index, not negative
 * @param segmentOffset offset of the segment's first byte in the checkpoint, not negative
 * @param segmentLength true length of the segment, not negative
 * @param cellIndex     index of the cell in its stripe: data cells first, then parity cells
 * @param policy        redundancy policy name such as {@code RS-3-2}
 * @param servers       number N of backup servers the stripes are spread over, at least the cells per stripe
 * @param cellLength    length of the cell's data in bytes, as the policy derives it from the segment length
 * @param crc32c        CRC32C of the cell's data, computed by the striper (the unsigned value's bits)
 */
public record CellHeader(String appId, long checkpointId, int segmentIndex, long segmentOffset, int segmentLength,
        int cellIndex, String policy, int servers, int cellLength, int crc32c) {

    /** @throws IllegalArgumentException naming the first bad field and its value */
    public CellHeader {
        AppId.validate(appId);
        RedundancyPolicy parsed = RedundancyPolicy.parse(policy);
        policy = parsed.name();
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " of " + appId + " is negative");
        }
        if (segmentIndex < 0) {
            throw new IllegalArgumentException("segment index " + segmentIndex + " is negative");
        }
        if (segmentOffset < 0 || segmentLength < 0 || segmentOffset > Long.MAX_VALUE - segmentLength) {
            throw new IllegalArgumentException("segment " + segmentIndex + " has offset " + segmentOffset
                    + " and length " + segmentLength + ": both must be non-negative and their sum a long");
        }
        if (cellIndex < 0 || cellIndex >= parsed.totalCells()) {
            throw new IllegalArgumentException("cell index " + cellIndex + " is outside 0.." + (parsed.totalCells() - 1)
                    + " of policy " + policy);
        }
        if (servers < parsed.totalCells()) {
            throw new IllegalArgumentException("servers " + servers + " is fewer than the " + parsed.totalCells()
                    + " cells per stripe of policy " + policy);
        }
        int expectedLength = parsed.cellLength(segmentLength);
        if (cellLength != expectedLength) {
            throw new IllegalArgumentException("cell length " + cellLength + " does not fit segment length "
                    + segmentLength + " under policy " + policy + " (expected " + expectedLength + ")");
        }
    }

    /** The cell's position in its checkpoint. */
    public CellKey key() {
        return new CellKey(segmentIndex, cellIndex);
    }

    /** Whether this header names the given checkpoint and cell. */
    public boolean describes(String app, long checkpoint, CellKey key) {
        return appId.equals(app) && checkpointId == checkpoint && segmentIndex == key.segmentIndex()
                && cellIndex == key.cellIndex();
    }

    @Override
    public String toString() {
        return appId + "/" + checkpointId + " segment " + segmentIndex + " cell " + cellIndex + " (" + policy
                + " over " + servers + " servers, " + cellLength + " bytes, crc32c " + Crc32c.hex(crc32c) + ")";
    }
}
