package io.checkstripe.crypto;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading and writing of the two text formats, {@link KeyFile} and {@link PublicKeys}: Java properties with a
 * {@code format} line and {@code key.<id>.<field>} lines, so an operator can see which key ids a file holds.
 * Written through a temp file made with owner-only permissions, forced and renamed, so a crash leaves the old
 * file or the new one, and a secret is never readable by others, not even for a moment.
 */
final class KeyFiles {

    private static final Pattern KEY_LINE = Pattern.compile("key\\.([1-9][0-9]{0,8})\\.([a-z0-9-]+)");

    private KeyFiles() {
    }

    static Properties read(Path file, String expectedFormat) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new KeyFileException(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String format = p.getProperty("format");
        if (!expectedFormat.equals(format)) {
            throw new KeyFileException(file, format == null ? "not a checkstripe key file (no format line)"
                    : "format '" + format + "' is not " + expectedFormat);
        }
        return p;
    }

    /** The key ids a file's properties name, ascending; fails when there are none or a line is not understood. */
    static TreeSet<Integer> ids(Path file, Properties p) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String name : p.stringPropertyNames()) {
            if (name.equals("format")) {
                continue;
            }
            Matcher m = KEY_LINE.matcher(name);
            if (!m.matches()) {
                throw new KeyFileException(file, "unknown entry '" + name + "'");
            }
            ids.add(Integer.parseInt(m.group(1)));
        }
        if (ids.isEmpty()) {
            throw new KeyFileException(file, "holds no key");
        }
        return ids;
    }

    static byte[] bytes(Path file, Properties p, int id, String field) {
        String value = p.getProperty("key." + id + "." + field);
        if (value == null) {
            throw new KeyFileException(file, "key " + id + " has no " + field);
        }
        try {
            return Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, "key " + id + ": " + field + " is not base64");
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Writes {@code content} to {@code target} durably, readable by its owner only when {@code secret}.
     * Refuses to replace an existing file unless {@code replace}.
     */
    static void write(Path target, String content, boolean secret, boolean replace) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (!replace && Files.exists(absolute)) {
            throw new FileAlreadyExistsException(absolute.toString(), null, "refusing to overwrite a key file");
        }
        Path dir = absolute.getParent();
        Path temp = dir.resolve("." + absolute.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        }
        try {
            DurableFiles.writeFile(FileChannels.DEFAULT, temp,
                    content.getBytes(StandardCharsets.UTF_8), true);
            DurableFiles.moveDurably(temp, absolute);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
