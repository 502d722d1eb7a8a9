package io.checkstripe.crypto;

import io.checkstripe.core.AppId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The applications' public keys as the striper and the sinks know them: a directory an operator fills with one
 * {@code <appId>.pub} file per application that has a key (the {@code K.pub} that {@code checkstripe keygen}
 * writes, renamed). An application with a file here has every commit checked; one without is unkeyed and
 * accepted as before. A file added, rotated or replaced is picked up at the next check (files are re-read when
 * their modification time or size changes), so no restart is needed. A file that cannot be read rejects every
 * checkpoint of its application (fail closed) with a reason naming the file. Thread-safe.
 */
public final class AppKeyDirectory {

    /** The file name suffix of a public-key file. */
    public static final String SUFFIX = ".pub";

    private final Path dir;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(FileTime modified, long size, PublicKeys keys, KeyFileException error) {
    }

    /** No directory: every application is unkeyed. */
    public static AppKeyDirectory none() {
        return new AppKeyDirectory(null);
    }

    /** The keys in {@code dir}, which must exist. */
    public static AppKeyDirectory of(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("application keys directory " + dir + " is not a directory");
        }
        return new AppKeyDirectory(dir);
    }

    private AppKeyDirectory(Path dir) {
        this.dir = dir;
    }

    /** Checks {@code checkpoint} against its application's registered keys, if it has any. */
    public SignatureVerdict verify(SignedCheckpoint checkpoint) {
        if (dir == null) {
            return unkeyed();
        }
        Path file = dir.resolve(AppId.validate(checkpoint.appId()) + SUFFIX);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            cache.remove(checkpoint.appId());
            return unkeyed();
        } catch (IOException e) {
            return new SignatureVerdict(SignatureVerdict.Status.REJECTED,
                    "public key file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        Cached c = cache.get(checkpoint.appId());
        if (c == null || !c.modified().equals(attributes.lastModifiedTime()) || c.size() != attributes.size()) {
            try {
                c = new Cached(attributes.lastModifiedTime(), attributes.size(), PublicKeys.read(file), null);
            } catch (KeyFileException e) {
                c = new Cached(attributes.lastModifiedTime(), attributes.size(), null, e);
            }
            cache.put(checkpoint.appId(), c);
        }
        if (c.error() != null) {
            return new SignatureVerdict(SignatureVerdict.Status.REJECTED, c.error().getMessage());
        }
        return CommitSignature.verify(c.keys(), checkpoint);
    }

    private static SignatureVerdict unkeyed() {
        return new SignatureVerdict(SignatureVerdict.Status.UNKEYED, "no key registered for the application");
    }

    @Override
    public String toString() {
        return dir == null ? "AppKeyDirectory[none]" : "AppKeyDirectory[" + dir + "]";
    }
}
