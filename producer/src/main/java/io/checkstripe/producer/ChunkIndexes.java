package io.checkstripe.producer;

import io.checkstripe.chunking.ChunkIndex;
import io.checkstripe.chunking.CorruptChunkIndexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk index of each application's previous checkpoint, kept on the publisher's disk between publishes
 * ({@code <dir>/<cluster id>/<checkpoints topic>/<app>.chunks}) so that a publish references only chunks the
 * servers hold.
 *
 * <p>An index is used only when it describes the application's newest committed checkpoint and that checkpoint's
 * manifest is on the manifests topic, i.e. the striper accepted it (or the publisher striped it itself), so its
 * cells reach every server before the next checkpoint's manifest does, and every server keeps it for as long as
 * a kept checkpoint references it. Any other index (another publisher published since, a publish that was refused
 * or never protected, another key, a corrupt file) is ignored and the checkpoint is sent in full: losing the index
 * costs bytes, never correctness. An index is written only after its checkpoint committed, and dropped when the
 * checkpoint was not protected in time, since a server may then lack what it would reference.
 *
 * <p>Not thread-safe; the publisher calls it under its own lock.
 */
final class ChunkIndexes {

    private static final Logger log = LoggerFactory.getLogger(ChunkIndexes.class);
    private static final String SUFFIX = ".chunks";

    private final Path dir;

    ChunkIndexes(Path root, String clusterId, String checkpointsTopic) {
        this.dir = root.resolve(clusterId).resolve(checkpointsTopic);
    }

    /**
     * The index to reference for the application's next checkpoint, or an empty one (logged with the reason).
     *
     * @param newestCommitted the application's newest committed checkpoint
     * @param manifested      its newest checkpoint with a manifest on the manifests topic
     */
    ChunkIndex base(String appId, String keyId, OptionalLong newestCommitted, OptionalLong manifested) {
        Path file = file(appId);
        ChunkIndex index;
        try {
            index = ChunkIndex.read(file);
        } catch (NoSuchFileException e) {
            log.info("publishing {} in full: no chunk index of its previous checkpoint at {}", appId, file);
            return ChunkIndex.empty(keyId);
        } catch (CorruptChunkIndexException | IOException e) {
            log.warn("publishing {} in full: cannot read its chunk index: {}", appId, e.getMessage());
            return ChunkIndex.empty(keyId);
        }
        long base = index.baseCheckpointId();
        String why = null;
        if (!index.keyId().equals(keyId)) {
            why = "it names chunks under another key (" + index.keyId() + ", now " + keyId + ")";
        } else if (newestCommitted.isEmpty() || newestCommitted.getAsLong() != base) {
            why = "it describes checkpoint " + base + " but the newest committed one is "
                    + (newestCommitted.isEmpty() ? "none" : newestCommitted.getAsLong());
        } else if (manifested.isEmpty() || manifested.getAsLong() < base) {
            why = "checkpoint " + base + " has no manifest yet (not striped, or refused by the striper)";
        }
        if (why != null) {
            log.info("publishing {} in full: its chunk index is not usable: {}", appId, why);
            return ChunkIndex.empty(keyId);
        }
        log.debug("publishing {} against checkpoint {}: {} chunks known", appId, base, index.size());
        return index;
    }

    /** Keeps {@code index} as the application's base; a failure is logged and costs the next publish its savings. */
    void save(String appId, ChunkIndex index) {
        Path file = file(appId);
        try {
            Files.createDirectories(dir);
            index.write(file);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot keep the chunk index of {} at {}; its next checkpoint is published in full: {}", appId,
                    file, e.toString());
            forget(appId);
        }
    }

    /** Drops the application's index, so its next checkpoint is published in full. */
    void forget(String appId) {
        try {
            Files.deleteIfExists(file(appId));
        } catch (IOException e) {
            log.warn("cannot delete the chunk index {}: {}", file(appId), e.toString());
        }
    }

    Path file(String appId) {
        return dir.resolve(appId + SUFFIX);
    }
}
