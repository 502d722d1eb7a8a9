package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.checkstripe.pipeline.SeededCheckpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checkpoint files for the scenarios: seeded random bytes (incompressible, like real state) and their digests. */
final class TestFiles {

    private static final Logger log = LoggerFactory.getLogger(TestFiles.class);

    private TestFiles() {
    }

    /** Writes {@code size} bytes drawn from {@code seed} to {@code file} and returns it. */
    static Path random(Path file, long size, long seed) {
        try {
            Files.createDirectories(file.getParent());
            SeededCheckpoints.generate(file, size, seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The SHA-256 of bytes, as the raw digest. */
    static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    /** Asserts that {@code restored} has the length and SHA-256 of {@code original}. */
    static void assertSameBytes(Path restored, Path original) {
        try {
            assertThat(Files.size(restored)).as("size of %s", restored).isEqualTo(Files.size(original));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(sha256(restored)).as("SHA-256 of %s vs %s", restored, original).isEqualTo(sha256(original));
    }

    static void createParent(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", file, e.toString());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
