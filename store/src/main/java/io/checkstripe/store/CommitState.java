package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a store's commit state: the committed consumer offsets, and the cell logs that may have been
 * appended to since they were last forced, each with its recovery point (the length known to be durable).
 * Only those logs can hold a torn tail after a crash, so only they are fully checked at open. Where it is kept
 * (two slots, overwritten in turn) is {@link CommitStateSlots}' business.
 *
 * <p>Version 2, big-endian:
 * <pre>
 *  int32 magic 0x4353434F ("CSCO"), int8 version 2, int64 sequence (of the write; the newest valid one wins),
 *  int32 O, then O × (uint16 length + UTF-8 source key, int64 next offset),
 *  int32 L, then L × (uint8 length + ASCII application id, int64 checkpoint id, int64 recovery point),
 *  int32 CRC32C of every byte before it
 * </pre>
 * Version 1, written by stores of format 1 to a single {@code commit-state} file replaced atomically, is the
 * same without the sequence; it is still read (as sequence 0).
 * Immutable.
 */
record CommitState(Map<String, Long> offsets, Map<CheckpointRef, Long> openLogs) {

    static final int MAGIC = 0x4353434F;
    static final byte VERSION = 2;
    static final byte LEGACY_VERSION = 1;
    static final int MAX_SOURCE_KEY_BYTES = 1024;

    static final CommitState EMPTY = new CommitState(Map.of(), Map.of());

    CommitState {
        offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
        openLogs = Collections.unmodifiableMap(new LinkedHashMap<>(openLogs));
    }

    /** The state as written by the {@code sequence}-th write, so that reading two copies can tell the newer. */
    record Sequenced(long sequence, CommitState state) {
    }

    byte[] encode(long sequence) {
        int length = 4 + 1 + 8 + 4 + 4 + 4;
        for (String key : offsets.keySet()) {
            length += 2 + key.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        for (CheckpointRef ref : openLogs.keySet()) {
            length += 1 + ref.appId().length() + 16;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put(VERSION).putLong(sequence).putInt(offsets.size());
        offsets.forEach((key, offset) -> {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) k.length).put(k).putLong(offset);
        });
        b.putInt(openLogs.size());
        openLogs.forEach((ref, point) -> b.put((byte) ref.appId().length())
                .put(ref.appId().getBytes(StandardCharsets.US_ASCII)).putLong(ref.checkpointId()).putLong(point));
        b.putInt(Crc32c.of(b.array(), 0, b.position()));
        return b.array();
    }

    /** Reads a version-2 state, or a version-1 one as sequence 0. */
    static Sequenced decode(byte[] bytes) throws CorruptRecordException {
        if (bytes.length < 17) {
            throw new CorruptRecordException("commit state has only " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int stored = b.getInt(bytes.length - 4);
        int computed = Crc32c.of(bytes, 0, bytes.length - 4);
        byte version = b.getInt() == MAGIC ? b.get() : -1;
        if (version != VERSION && version != LEGACY_VERSION) {
            throw new CorruptRecordException("not a version-" + LEGACY_VERSION + " or -" + VERSION + " commit state");
        }
        if (stored != computed) {
            throw new CorruptRecordException("commit state CRC32C mismatch: stored " + Crc32c.hex(stored)
                    + ", computed " + Crc32c.hex(computed));
        }
        try {
            long sequence = version == VERSION ? b.getLong() : 0;
            if (sequence < 0) {
                throw new CorruptRecordException("commit state has a negative sequence " + sequence);
            }
            Map<String, Long> offsets = new TreeMap<>();
            for (int i = b.getInt(); i > 0; i--) {
                byte[] key = new byte[Short.toUnsignedInt(b.getShort())];
                b.get(key);
                offsets.put(new String(key, StandardCharsets.UTF_8), b.getLong());
            }
            Map<CheckpointRef, Long> open = new LinkedHashMap<>();
            for (int i = b.getInt(); i > 0; i--) {
                byte[] app = new byte[Byte.toUnsignedInt(b.get())];
                b.get(app);
                String appId = AppId.validate(new String(app, StandardCharsets.US_ASCII));
                open.put(new CheckpointRef(appId, b.getLong()), b.getLong());
            }
            if (b.position() != bytes.length - 4) {
                throw new CorruptRecordException("commit state has unexpected bytes before its CRC");
            }
            return new Sequenced(sequence, new CommitState(offsets, open));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("commit state not understood: " + e, e);
        }
    }
}
