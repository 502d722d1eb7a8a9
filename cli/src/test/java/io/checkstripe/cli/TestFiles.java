package io.checkstripe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.pipeline.SeededCheckpoints;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.StoreLayout;

/**
 * Checkpoint files for the tests: seeded random contents, streaming SHA-256, tree copy and delete, and a
 * flipped bit in a stored cell.
 */
final class TestFiles {

    private TestFiles() {
    }

    /** Writes {@code size} bytes of seeded pseudo-random data (incompressible, like real state) to {@code file}. */
    static Path random(Path file, long size, long seed) throws IOException {
        return SeededCheckpoints.generate(file, size, seed);
    }

    /** The file's SHA-256 in hex, read in a stream so that any size fits the heap. */
    static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        DurableFiles.deleteRecursively(root);
    }

    /** Flips one bit in the middle of the data of the first cell in a checkpoint's log; returns that cell. */
    static CellHeader flipABitInTheFirstCell(Path store, String app, long checkpointId) throws IOException {
        Path log = StoreLayout.of(store).cellLog(app, checkpointId);
        CellHeader header;
        long dataStart;
        try (InputStream in = Files.newInputStream(log); CellRecordReader reader = new CellRecordReader(in)) {
            header = reader.next().orElseThrow(() -> new AssertionError("no cell in " + log));
            dataStart = reader.position();
        }
        long at = dataStart + header.cellLength() / 2;
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
        return header;
    }
}
