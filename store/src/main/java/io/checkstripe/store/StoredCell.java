package io.checkstripe.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * One cell as the store keeps it: its self-describing header and its bytes.
 *
 * <p>Cells can be megabytes, so the record does not copy {@code data}: it takes the array over, and callers
 * must not change it afterwards. Equality compares the bytes. Immutable as long as that rule is kept, and
 * then thread-safe.
 *
 * @param header the cell's header
 * @param data   the cell's bytes, exactly {@code header.cellLength()} of them
 */
public record StoredCell(CellHeader header, byte[] data) {

    /** @throws IllegalArgumentException when the data length differs from the header's cell length */
    public StoredCell {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(data, "data");
        if (data.length != header.cellLength()) {
            throw new IllegalArgumentException("cell " + header + " has " + data.length + " bytes of data, expected "
                    + header.cellLength());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredCell other && header.equals(other.header) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * header.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "StoredCell[" + header + "]";
    }
}
