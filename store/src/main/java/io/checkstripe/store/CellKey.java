package io.checkstripe.store;

/**
 * Which cell of a checkpoint: cell {@code cellIndex} of stripe (segment) {@code segmentIndex}. Ordered by
 * segment, then cell. Immutable and thread-safe.
 *
 * @param segmentIndex the segment (stripe) index, not negative
 * @param cellIndex    the cell's index in its stripe, not negative
 */
public record CellKey(int segmentIndex, int cellIndex) implements Comparable<CellKey> {

    /** @throws IllegalArgumentException naming a negative index */
    public CellKey {
        if (segmentIndex < 0) {
            throw new IllegalArgumentException("segment index " + segmentIndex + " is negative");
        }
        if (cellIndex < 0) {
            throw new IllegalArgumentException("cell index " + cellIndex + " is negative");
        }
    }

    @Override
    public int compareTo(CellKey other) {
        int bySegment = Integer.compare(segmentIndex, other.segmentIndex);
        return bySegment != 0 ? bySegment : Integer.compare(cellIndex, other.cellIndex);
    }

    @Override
    public String toString() {
        return "segment " + segmentIndex + " cell " + cellIndex;
    }
}
