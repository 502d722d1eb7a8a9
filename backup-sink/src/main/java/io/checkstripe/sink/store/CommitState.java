package io.checkstripe.sink.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.schemas.AppId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a store's {@code commit-state} file: the committed consumer offsets, and the cell logs that
 * may have been appended to since they were last forced, each with its recovery point (the length known to
 * be durable). Only those logs can hold a torn tail after a crash, so only they are fully checked at open.
 *
 * <p>Version 1, big-endian:
 * <pre>
 *  int32 magic 0x4353434F ("CSCO"), int8 version 1,
 *  int32 O, then O × (uint16 length + UTF-8 source key, int64 next offset),
 *  int32 L, then L × (uint8 length + ASCII application id, int64 checkpoint id, int64 recovery point),
 *  int32 CRC32C of every byte before it
 * </pre>
 * Immutable.
 */
record CommitState(Map<String, Long> offsets, Map<CheckpointRef, Long> openLogs) {

    static final int MAGIC = 0x4353434F;
    static final byte VERSION = 1;
    static final int MAX_SOURCE_KEY_BYTES = 1024;

    static final CommitState EMPTY = new CommitState(Map.of(), Map.of());

    CommitState {
        offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
        openLogs = Collections.unmodifiableMap(new LinkedHashMap<>(openLogs));
    }

    byte[] encode() {
        int length = 4 + 1 + 4 + 4 + 4;
        for (String key : offsets.keySet()) {
            length += 2 + key.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        for (CheckpointRef ref : openLogs.keySet()) {
            length += 1 + ref.appId().length() + 16;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put(VERSION).putInt(offsets.size());
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

    static CommitState decode(byte[] bytes) throws CorruptRecordException {
        if (bytes.length < 17) {
            throw new CorruptRecordException("commit state has only " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int stored = b.getInt(bytes.length - 4);
        int computed = Crc32c.of(bytes, 0, bytes.length - 4);
        if (b.getInt() != MAGIC || b.get() != VERSION) {
            throw new CorruptRecordException("not a version-" + VERSION + " commit state");
        }
        if (stored != computed) {
            throw new CorruptRecordException("commit state CRC32C mismatch: stored " + Crc32c.hex(stored)
                    + ", computed " + Crc32c.hex(computed));
        }
        try {
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
            return new CommitState(offsets, open);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("commit state not understood: " + e, e);
        }
    }
}
