package io.checkstripe.restore;

import io.checkstripe.codec.Crc32c;
import java.util.Objects;

/**
 * A cell a reachable server should have given and did not give intact: the facts a restore, a scrub or a
 * repair reports so that an operator can see which disk rots. Each one was treated as an erasure.
 * Immutable and thread-safe.
 *
 * @param kind        what was wrong
 * @param server      the backup server that holds (or should hold) the cell
 * @param segment     the segment (stripe) index
 * @param cell        the cell's index in its stripe
 * @param storedCrc   for {@link Kind#CORRUPT}, the CRC32C recorded with the cell; otherwise 0
 * @param computedCrc for {@link Kind#CORRUPT}, the CRC32C of the bytes read; otherwise 0
 * @param detail      for {@link Kind#FOREIGN}, what the record was instead; otherwise empty
 */
public record BadCell(Kind kind, int server, int segment, int cell, int storedCrc, int computedCrc, String detail) {

    /** What was wrong with a cell. */
    public enum Kind {
        /** The server is reachable but does not hold the cell. */
        MISSING,
        /** The cell's bytes do not match its CRC32C. */
        CORRUPT,
        /**
         * The server sent a record that is not the cell it should be: of another checkpoint (stale), of
         * another server (swapped), or disagreeing with the manifest. It is named by what its header claims.
         */
        FOREIGN
    }

    /** @throws IllegalArgumentException naming a negative index */
    public BadCell {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        if (server < 0 || segment < 0 || cell < 0) {
            throw new IllegalArgumentException("server " + server + ", segment " + segment + ", cell " + cell
                    + ": none may be negative");
        }
    }

    static BadCell missing(int server, int segment, int cell) {
        return new BadCell(Kind.MISSING, server, segment, cell, 0, 0, "");
    }

    static BadCell corrupt(int server, int segment, int cell, int storedCrc, int computedCrc) {
        return new BadCell(Kind.CORRUPT, server, segment, cell, storedCrc, computedCrc, "");
    }

    static BadCell foreign(int server, int segment, int cell, String detail) {
        return new BadCell(Kind.FOREIGN, server, segment, cell, 0, 0, detail);
    }

    @Override
    public String toString() {
        String where = "server " + server + " segment " + segment + " cell " + cell + ": ";
        return switch (kind) {
            case MISSING -> where + "missing";
            case CORRUPT -> where + "corrupt (stored crc32c " + Crc32c.hex(storedCrc) + ", computed "
                    + Crc32c.hex(computedCrc) + ")";
            case FOREIGN -> where + "foreign record (" + detail + ")";
        };
    }
}
