package io.checkstripe.codec;

/**
 * A cell's bytes do not match its stored CRC32C. Callers that find a mismatch treat the cell as
 * an erasure; this exception carries both checksums so the report shows what was found, as
 * Kafka's record validation reports stored and computed CRCs.
 */
public final class CorruptCellException extends CodecException {

    private static final long serialVersionUID = 1L;

    private final int storedCrc;
    private final int computedCrc;

    /**
     * @param message what was being read (the checksums are appended)
     * @param storedCrc the CRC32C recorded with the cell
     * @param computedCrc the CRC32C of the bytes as read
     */
    public CorruptCellException(String message, int storedCrc, int computedCrc) {
        super(message + " (stored crc32c " + Crc32c.hex(storedCrc) + ", computed " + Crc32c.hex(computedCrc) + ")");
        this.storedCrc = storedCrc;
        this.computedCrc = computedCrc;
    }

    public int storedCrc() {
        return storedCrc;
    }

    public int computedCrc() {
        return computedCrc;
    }
}
