package io.checkstripe.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Directory trees for the tests: one fixed tree, built in either creation order, with fixed modes and mtimes. */
final class TestTrees {

    /** A path of the tree, what it is, its mode, and for a file its content's length or for a link its target. */
    record Node(String path, EntryType type, int mode, int length, String target) {
    }

    /** Parents before children. */
    static final List<Node> TREE = List.of(
            new Node("a", EntryType.DIRECTORY, 0750, 0, null),
            new Node("a/b", EntryType.DIRECTORY, 0755, 0, null),
            new Node("a/b/000012.sst", EntryType.FILE, 0444, 200_000, null),
            new Node("a/b/CURRENT", EntryType.FILE, 0644, 16, null),
            new Node("a/empty", EntryType.FILE, 0600, 0, null),
            new Node("a/link", EntryType.SYMLINK, 0777, 0, "b/CURRENT"),
            new Node("a-b", EntryType.FILE, 0640, 3, null),
            new Node("emptydir", EntryType.DIRECTORY, 0700, 0, null),
            new Node("ro", EntryType.DIRECTORY, 0555, 0, null),
            new Node("ro/locked", EntryType.FILE, 0400, 10, null),
            new Node("top", EntryType.SYMLINK, 0777, 0, "a/b"),
            new Node("ünïcødé-名前.txt", EntryType.FILE, 0644, 7, null));

    private TestTrees() {
    }

    /**
     * Creates {@link #TREE} under the new directory {@code root}, in the listed order or its reverse (parents
     * still first), then gives every entry its mode and an mtime from its path, children before parents.
     */
    static Path build(Path root, boolean reverse) throws IOException {
        Files.createDirectory(root);
        List<Node> order = new ArrayList<>(TREE);
        if (reverse) {
            order.sort((x, y) -> {
                boolean xParent = y.path().startsWith(x.path() + "/");
                boolean yParent = x.path().startsWith(y.path() + "/");
                return xParent ? -1 : yParent ? 1 : y.path().compareTo(x.path());
            });
        }
        for (Node n : order) {
            Path p = root.resolve(n.path());
            switch (n.type()) {
                case DIRECTORY -> Files.createDirectory(p);
                case FILE -> Files.write(p, content(n));
                case SYMLINK -> Files.createSymbolicLink(p, Path.of(n.target()));
            }
        }
        for (int i = TREE.size() - 1; i >= 0; i--) {
            Node n = TREE.get(i);
            Path p = root.resolve(n.path());
            setTimes(p, mtime(n.path()));
            if (n.type() != EntryType.SYMLINK) {
                Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(ArchivePaths.permissions(n.mode()));
            }
        }
        Files.setPosixFilePermissions(root, ArchivePaths.permissions(0751));
        setTimes(root, 1_500_000_000_123L);
        return root;
    }

    /** The seeded content of a file node. */
    static byte[] content(Node file) {
        byte[] bytes = new byte[file.length()];
        new Random(file.path().hashCode()).nextBytes(bytes);
        return bytes;
    }

    /** A fixed mtime per path, with a millisecond part so truncation would show. */
    static long mtime(String path) {
        return 1_600_000_000_000L + Math.floorMod(path.hashCode(), 1_000_000_000);
    }

    static void setTimes(Path p, long millis) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.fromMillis(millis), null, null);
    }

    /** Makes {@code dir} and every directory below it writable again, so the test's temp directory can go. */
    static void unlock(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.setPosixFilePermissions(dir, ArchivePaths.permissions(0700));
        try (Stream<Path> children = Files.list(dir)) {
            for (Path c : children.toList()) {
                unlock(c);
            }
        }
    }
}
