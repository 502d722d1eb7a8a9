package io.checkstripe.archive;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rules for the paths and link targets an archive may hold, and the archive's order, in one place: the
 * archiving side refuses what the extracting side would refuse, so a checkpoint that publishes also restores.
 * Stateless and thread-safe.
 */
final class ArchivePaths {

    /** Longest path or link target, in UTF-8 bytes (Linux's {@code PATH_MAX}). */
    static final int MAX_PATH_BYTES = 4096;
    /** Longest name of one path component, in UTF-8 bytes (Linux's {@code NAME_MAX}). */
    static final int MAX_NAME_BYTES = 255;
    /** The permission bits an entry may carry: {@code rwxrwxrwx}, what {@link PosixFilePermission} can set. */
    static final int MODE_BITS = 0777;

    private ArchivePaths() {
    }

    /**
     * Why {@code path} is not a safe relative path ('/'-separated names, none empty, {@code .} or {@code ..},
     * no NUL or backslash, within the length limits), or null when it is one.
     */
    static String pathProblem(String path) {
        String problem = relativeProblem(path, "path");
        if (problem != null) {
            return problem;
        }
        for (String name : path.split("/", -1)) {
            if (name.isEmpty()) {
                return "empty path component";
            }
            if (name.equals(".") || name.equals("..")) {
                return "'" + name + "' path component";
            }
            int nameBytes = name.getBytes(UTF_8).length;
            if (nameBytes > MAX_NAME_BYTES) {
                return "path component of " + nameBytes + " bytes, longer than " + MAX_NAME_BYTES;
            }
        }
        return null;
    }

    /**
     * Why {@code target} is not a well-formed relative link target, or null when it is one. Whether it stays
     * inside the root is {@link #linkProblem}'s question.
     */
    static String targetProblem(String target) {
        return relativeProblem(target, "link target");
    }

    /**
     * Why the link at {@code linkPath} with {@code target} could reach outside the root, or null when it
     * cannot. The target is resolved name by name from the link's directory: {@code ..} may not climb above
     * the root, and no name before the last may be a link ({@code isLink}), since the kernel would follow it
     * and the words of the target no longer tell where it ends up. The last name may be a link: that link is
     * checked in turn, so a chain of links stays inside too.
     */
    static String linkProblem(String linkPath, String target, Predicate<String> isLink) {
        Deque<String> at = new ArrayDeque<>();
        String[] linkNames = linkPath.split("/");
        for (int i = 0; i < linkNames.length - 1; i++) {
            at.addLast(linkNames[i]);
        }
        String[] names = target.split("/", -1);
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (at.isEmpty()) {
                    return "link target '" + target + "' leaves the root directory";
                }
                at.removeLast();
                continue;
            }
            at.addLast(name);
            String reached = String.join("/", at);
            if (i < names.length - 1 && isLink.test(reached)) {
                return "link target '" + target + "' passes through the link '" + reached + "'";
            }
        }
        return null;
    }

    /**
     * The archive's order of two paths: depth-first, a directory before its children, siblings by the
     * unsigned UTF-8 bytes of their names. Comparing the bytes with '/' ranked below every other byte gives
     * exactly that order, because no name holds a '/' or a NUL.
     */
    static int compare(String a, String b) {
        byte[] x = a.getBytes(UTF_8);
        byte[] y = b.getBytes(UTF_8);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(rank(x[i]), rank(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /** The path of {@code archivePath} under {@code base}, one name at a time. */
    static Path resolve(Path base, String archivePath) {
        Path p = base;
        for (String name : archivePath.split("/")) {
            p = p.resolve(name);
        }
        return p;
    }

    /** The permission bits of {@code permissions}, as {@code chmod} numbers them. */
    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= bit(p);
        }
        return mode;
    }

    /** The permissions of the bits {@code mode}. */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & bit(p)) != 0) {
                permissions.add(p);
            }
        }
        return permissions;
    }

    /** {@code OWNER_READ} is 0400 down to {@code OTHERS_EXECUTE} at 01: the enum is in chmod's bit order. */
    private static int bit(PosixFilePermission p) {
        return 1 << (PosixFilePermission.values().length - 1 - p.ordinal());
    }

    private static int rank(byte b) {
        return b == '/' ? -1 : b & 0xff;
    }

    /** Why {@code s} (a {@code what}) is not a relative path of valid characters and length, or null. */
    private static String relativeProblem(String s, String what) {
        if (s.isEmpty()) {
            return "empty " + what;
        }
        int bytes = s.getBytes(UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            return what + " of " + bytes + " bytes, longer than " + MAX_PATH_BYTES;
        }
        if (s.startsWith("/")) {
            return "absolute " + what;
        }
        if (s.indexOf('\0') >= 0) {
            return "NUL in " + what;
        }
        if (s.indexOf('\\') >= 0) {
            return "backslash in " + what;
        }
        return null;
    }
}
