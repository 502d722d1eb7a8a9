package io.checkstripe.schemas;

/**
 * The Confluent wire format of a serialized key or value: byte 0 is the magic byte
 * {@value #MAGIC_BYTE}, bytes 1 to 4 the writer schema's registry id as a big-endian int, then
 * the Avro binary encoding of the datum with that schema (no length, no trailing bytes).
 */
final class WireFormat {

    static final byte MAGIC_BYTE = 0;

    /** Magic byte and schema id. */
    static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** The subject a schema is registered under (TopicNameStrategy). */
    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
