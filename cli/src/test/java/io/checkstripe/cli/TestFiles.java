package io.checkstripe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.pipeline.SeededCheckpoints;

/** Checkpoint files for the tests: seeded random contents, streaming SHA-256, tree copy and delete. */
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
}
