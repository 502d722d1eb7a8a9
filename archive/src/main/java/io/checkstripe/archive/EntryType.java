package io.checkstripe.archive;

/**
 * What an archive entry recreates. Devices, FIFOs and sockets have no type: a checkpoint holding one is
 * refused when it is archived, since no restore could give it back the same meaning.
 */
public enum EntryType {
    DIRECTORY(1),
    FILE(2),
    SYMLINK(3);

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    /** The type's byte in the archive format. */
    int code() {
        return code;
    }

    /** The type whose byte is {@code code}, or null when no type has it. */
    static EntryType ofCode(int code) {
        for (EntryType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
