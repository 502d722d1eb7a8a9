package io.checkstripe.core.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The shared secret that authenticates a client to the sinks' HTTP API ({@code Authorization: Bearer ...}), read
 * from a file so that it never appears on a command line, in a process listing or in a properties file that is
 * copied around. The file holds the token alone; surrounding white space (a trailing newline) is ignored.
 *
 * <p>A token is 16 to {@value #MAX_LENGTH} characters of the RFC 6750 token alphabet ({@code A-Z a-z 0-9 - . _ ~
 * + /}, then {@code =} padding): {@code openssl rand -hex 32} makes a good one. {@link #matches} compares in time
 * independent of where a guess differs: both sides are hashed with SHA-256 and the digests compared with
 * {@link MessageDigest#isEqual}, so not even the token's length leaks. The token is never part of
 * {@link #toString()} or of any message. Immutable and thread-safe.
 */
public final class BearerToken {

    /** Shortest token accepted: 16 characters, at least 64 bits from a hexadecimal generator. */
    public static final int MIN_LENGTH = 16;

    /** Longest token accepted. */
    public static final int MAX_LENGTH = 4096;

    private static final Pattern ALPHABET = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private final String token;
    private final byte[] digest;
    private final Path file;

    private BearerToken(String token, Path file) {
        this.token = token;
        this.digest = sha256(token);
        this.file = file;
    }

    /**
     * Reads the token of {@code file}.
     *
     * @throws IllegalArgumentException naming the file (never quoting it) when it is unreadable, empty, too short or
     *                                  too long, or holds characters a bearer token cannot have
     */
    public static BearerToken read(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            if (Files.size(file) > MAX_LENGTH + 1024) {
                throw new IllegalArgumentException("token file " + file + " is longer than a token can be ("
                        + MAX_LENGTH + " characters)");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + Pem.describe(e), e);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("token file " + file + " is empty: write a token into it, e.g. with "
                    + "openssl rand -hex 32 > " + file);
        }
        if (text.length() < MIN_LENGTH || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the token in " + file + " has " + text.length() + " characters: it "
                    + "needs " + MIN_LENGTH + " to " + MAX_LENGTH + " (openssl rand -hex 32 makes one)");
        }
        if (!ALPHABET.matcher(text).matches()) {
            throw new IllegalArgumentException("the token in " + file + " has characters a bearer token cannot "
                    + "have: only A-Z a-z 0-9 - . _ ~ + / and trailing = are allowed, on one line");
        }
        return new BearerToken(text, file);
    }

    /**
     * Whether {@code presented} is this token, in time that does not depend on where they differ.
     *
     * @param presented what a client sent, or null when it sent nothing
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** The value of the {@code Authorization} header that presents this token. */
    public String authorization() {
        return "Bearer " + token;
    }

    /** The file the token came from; never the token. */
    @Override
    public String toString() {
        return "bearer token from " + file;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
