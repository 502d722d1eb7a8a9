package io.checkstripe.restore;

import io.checkstripe.archive.DirectoryExtractor;
import io.checkstripe.archive.StagedDirectory;
import io.checkstripe.chunking.ContentMismatchException;
import io.checkstripe.chunking.DeltaAssembler;
import io.checkstripe.chunking.Recipe;
import io.checkstripe.chunking.RecipeFormatException;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.core.DurableFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the restored deltas of a chunked checkpoint and its bases back into the application's content: its delta and
 * those of the bases its signed commit lists are restored (rebuilt, verified against their own SHA-256, decrypted)
 * into a scratch directory beside the output, the checkpoint's recipe is read from the end of its delta, and the content is assembled chunk by chunk into a temp
 * file, whose length and SHA-256 must match both the recipe and the signed commit's metadata before it is forced
 * and renamed over the output, or extracted into a directory that is renamed into place only then. Nothing appears
 * at the output before the content verified; the scratch directory goes in every case. Disk: the deltas read, and
 * the content once more; memory: the recipe. Not thread-safe; one per restore.
 */
final class ContentAssembly {

    private static final Logger log = LoggerFactory.getLogger(ContentAssembly.class);

    /** Restores one checkpoint's own bytes (its delta) to a file. */
    @FunctionalInterface
    interface DeltaRestore {
        RestoreReport restore(long checkpointId, Path to) throws IOException, InterruptedException;
    }

    private final String app;
    private final long checkpointId;
    private final CheckpointContent content;

    ContentAssembly(String app, long checkpointId, CheckpointContent content) {
        this.app = app;
        this.checkpointId = checkpointId;
        this.content = content;
    }

    /**
     * Restores the content to {@code out}, a file or (for a directory checkpoint) a directory.
     *
     * @param start  {@link System#nanoTime()} when the restore started
     * @return the report of the checkpoint's own delta, describing the content at {@code out}
     * @throws UnrecoverableCheckpointException naming the base when a base's delta cannot be rebuilt
     * @throws VerificationFailedException      when the recipe or the assembled content contradicts the metadata
     */
    RestoreReport restore(Path out, DeltaRestore deltas, long start) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".deltas-");
        try {
            Path own = scratch.resolve(checkpointId + ".delta");
            RestoreReport report = deltas.restore(checkpointId, own);
            Map<Long, Path> files = new HashMap<>();
            files.put(checkpointId, own);
            for (long base : content.bases()) {
                Path file = scratch.resolve(base + ".delta");
                try {
                    deltas.restore(base, file);
                } catch (UnrecoverableCheckpointException e) {
                    throw new UnrecoverableCheckpointException(app, "", List.of(UnrecoverableCheckpointException
                            .Failure.of(checkpointId, "checkpoint " + checkpointId + " reads from checkpoint " + base
                                    + ", which cannot be rebuilt: " + e.getMessage())));
                }
                files.put(base, file);
            }
            Recipe recipe = recipe(own);
            if (content.type() == CheckpointContent.Type.DIRECTORY) {
                Path assembled = scratch.resolve("content");
                assemble(recipe, files, assembled);
                try (InputStream in = Files.newInputStream(assembled);
                        StagedDirectory staged = DirectoryExtractor.stage(in, out)) {
                    staged.commit();
                }
            } else {
                Path temp = out.resolveSibling("." + out.getFileName() + ".assembling-" + System.nanoTime());
                try {
                    assemble(recipe, files, temp);
                    DurableFiles.moveDurably(temp, out);
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            log.info("assembled {} bytes of checkpoint {} of {} from deltas {}", content.bytes(), checkpointId, app,
                    files.keySet());
            return report.withContent(out, content, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            DurableFiles.deleteRecursively(scratch);
        }
    }

    /** The recipe at the end of the checkpoint's delta, checked against the signed metadata. */
    private Recipe recipe(Path delta) throws IOException {
        Recipe recipe;
        try (FileChannel channel = FileChannel.open(delta)) {
            recipe = Recipe.readFrom(channel);
        } catch (RecipeFormatException e) {
            throw mismatch("its recipe is unreadable: " + e.getMessage());
        }
        String sha256 = HexFormat.of().formatHex(recipe.contentSha256());
        if (recipe.contentLength() != content.bytes() || !sha256.equals(content.sha256())) {
            throw mismatch("its recipe describes " + recipe.contentLength() + " bytes with SHA-256 " + sha256
                    + ", the commit " + content.bytes() + " bytes with SHA-256 " + content.sha256());
        }
        SortedSet<Long> bases = recipe.bases(checkpointId);
        if (!content.bases().containsAll(bases)) {
            throw mismatch("its recipe reads from checkpoints " + bases + ", the commit lists only "
                    + content.bases());
        }
        return recipe;
    }

    /** Writes the content to {@code target} (created), forced; its SHA-256 is checked on the way. */
    private void assemble(Recipe recipe, Map<Long, Path> deltas, Path target) throws IOException {
        Map<Long, FileChannel> open = new HashMap<>();
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream stream = new BufferedOutputStream(Channels.newOutputStream(out), 1 << 20);
            DeltaAssembler.assemble(recipe, checkpointId, id -> open.computeIfAbsent(id, key -> {
                try {
                    return FileChannel.open(deltas.get(key));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }), stream);
            stream.flush();
            out.force(true);
        } catch (ContentMismatchException e) {
            throw mismatch(e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            for (FileChannel channel : open.values()) {
                channel.close();
            }
        }
    }

    private VerificationFailedException mismatch(String why) {
        return VerificationFailedException.content(app, checkpointId, why);
    }
}
