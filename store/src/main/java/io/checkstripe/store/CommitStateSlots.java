package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a store keeps its {@link CommitState}: two slot files, {@code commit-state.0} and {@code commit-state.1},
 * written in turn. The write with sequence number S goes to slot S mod 2, overwriting in place the older of the
 * two states (write, truncate, one {@code force}); the sequence is inside the CRC'd content, and a reader trusts
 * the valid slot with the highest sequence. A crash while a slot is written leaves that slot torn, which fails its
 * CRC32C (or ends at the wrong length) and is ignored, and the other slot still holds the state it replaces: so a
 * commit costs one fsync, where a replaced file costs two (the temp file, then its directory) in sequence.
 *
 * <p>The slot files are created once (with one directory fsync) when a writable store opens. A store of format 1
 * kept its state in a single {@code commit-state} file replaced atomically; it is read when no slot is valid,
 * copied into a slot at open, and deleted once that slot is durable.
 *
 * <p>Not thread-safe: {@link CellStore} calls it under its lock; paths come from {@link StoreLayout}.
 */
final class CommitStateSlots {

    private static final Logger log = LoggerFactory.getLogger(CommitStateSlots.class);

    private final StoreLayout layout;
    private final FileChannels channels;
    private long sequence;
    private CommitState current;

    private CommitStateSlots(StoreLayout layout, FileChannels channels, CommitState.Sequenced current) {
        this.layout = layout;
        this.channels = channels;
        this.sequence = current.sequence();
        this.current = current.state();
    }

    /** The state last read or written. */
    CommitState current() {
        return current;
    }

    /**
     * Reads the newest valid state of a store opened read-only: the slots, else the format-1 file, else none.
     * Nothing is written; unreadable copies are reported and skipped.
     */
    static CommitState readOnly(StoreLayout layout) throws IOException {
        Found found = find(layout);
        if (found.newest != null) {
            return found.newest.state();
        }
        if (!found.bad.isEmpty()) {
            log.warn("no commit state of {} can be read ({}); reporting no committed offsets", layout, found.bad);
        }
        return CommitState.EMPTY;
    }

    /**
     * Opens the slots of a writable store: reads the newest valid state, creates missing slot files, moves a
     * format-1 state into a slot, and quarantines copies that cannot be read when none can (the sink then
     * starts with no committed offsets and replays what its sources still hold).
     */
    static CommitStateSlots open(StoreLayout layout, FileChannels channels) throws IOException {
        Files.deleteIfExists(layout.legacyCommitStateTemp()); // a format-1 replace interrupted by a crash
        Found found = find(layout);
        CommitState.Sequenced current = found.newest;
        boolean migrate = found.fromLegacy;
        if (current == null && !found.unreadable.isEmpty()) {
            Path quarantineDir = layout.quarantineDir();
            for (Path p : found.unreadable) {
                Path target = quarantineDir.resolve(p.getFileName() + "-" + System.currentTimeMillis());
                Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
            }
            DurableFiles.fsyncDirectory(channels, quarantineDir);
            log.error("no commit state of {} can be read ({}); moved to {}: the sink starts with no committed offsets"
                    + " and replays what its sources still hold", layout, found.bad, quarantineDir);
        } else if (!found.bad.isEmpty()) {
            log.warn("ignoring {}, torn by a crash while it was written: the committed state is the one of sequence {}",
                    found.bad, current.sequence());
        }
        if (current == null) {
            current = new CommitState.Sequenced(0, CommitState.EMPTY);
        }
        boolean created = false;
        for (int i = 0; i < 2; i++) {
            Path slot = layout.commitStateSlot(i);
            if (!Files.exists(slot)) {
                channels.open(slot, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
                created = true;
            }
        }
        if (created) {
            DurableFiles.fsyncDirectory(channels, layout.root());
        }
        CommitStateSlots slots = new CommitStateSlots(layout, channels, current);
        if (migrate) {
            slots.write(current.state());
            Files.delete(layout.legacyCommitState());
            DurableFiles.fsyncDirectory(channels, layout.root());
            log.info("moved the format-1 commit state of {} into {}", layout,
                    layout.commitStateSlot((int) (slots.sequence % 2)));
        }
        return slots;
    }

    /**
     * Durably records {@code next} in the slot of the older state. When it throws, the newer slot still holds
     * the state last written, and the next write goes to the same slot again.
     */
    void write(CommitState next) throws IOException {
        long seq = sequence + 1;
        Path slot = layout.commitStateSlot((int) (seq % 2));
        byte[] content = next.encode(seq);
        try (FileChannel ch = channels.open(slot, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.truncate(content.length);
            ch.force(true);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(slot, content.length, e);
        }
        sequence = seq;
        current = next;
    }

    /** The newest valid state (or null), whether it is the format-1 file's, and what could not be read. */
    private static final class Found {
        CommitState.Sequenced newest;
        boolean fromLegacy;
        final List<String> bad = new ArrayList<>();
        /** Unreadable copies worth keeping for inspection (not empty files). */
        final List<Path> unreadable = new ArrayList<>();
    }

    private static Found find(StoreLayout layout) throws IOException {
        Found found = new Found();
        for (int i = 0; i < 2; i++) {
            Path slot = layout.commitStateSlot(i);
            if (!Files.exists(slot)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(slot);
            if (bytes.length == 0) {
                continue; // created, never written
            }
            try {
                CommitState.Sequenced s = CommitState.decode(bytes);
                if (s.sequence() % 2 != i) {
                    throw new CorruptRecordException("sequence " + s.sequence() + " does not belong in slot " + i);
                }
                if (found.newest == null || s.sequence() > found.newest.sequence()) {
                    found.newest = s;
                }
            } catch (CorruptRecordException e) {
                found.bad.add(slot + " (" + e.getMessage() + ")");
                found.unreadable.add(slot);
            }
        }
        Path legacy = layout.legacyCommitState();
        if (found.newest == null && Files.exists(legacy)) {
            try {
                found.newest = CommitState.decode(Files.readAllBytes(legacy));
                found.fromLegacy = true;
            } catch (CorruptRecordException e) {
                found.bad.add(legacy + " (" + e.getMessage() + ")");
                found.unreadable.add(legacy);
            }
        }
        return found;
    }
}
