package io.checkstripe.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryArchiveTest {

    @TempDir
    Path tmp;

    @AfterEach
    void unlock() throws IOException {
        TestTrees.unlock(tmp);
    }

    @Test
    void theSameTreeGivesTheSameBytesWhateverOrderItWasCreatedIn() throws Exception {
        Path one = TestTrees.build(tmp.resolve("one"), false);
        Path two = TestTrees.build(tmp.resolve("two"), true);

        byte[] first = readAll(DirectoryArchive.open(one));
        assertThat(readAll(DirectoryArchive.open(two))).isEqualTo(first);
        assertThat(readAll(DirectoryArchive.open(one))).isEqualTo(first);
    }

    @Test
    void entriesComeDepthFirstWithNamesInByteOrderAndCarryModesMtimesAndTargets() throws Exception {
        DirectoryArchive archive = DirectoryArchive.scan(TestTrees.build(tmp.resolve("d"), true));

        // "a" before "a-b": its children come before its next sibling, though '-' < '/'.
        assertThat(archive.entries()).extracting(ArchiveEntry::path)
                .containsExactlyElementsOf(TestTrees.TREE.stream().map(TestTrees.Node::path).toList());
        for (TestTrees.Node n : TestTrees.TREE) {
            ArchiveEntry e = archive.entries().get(TestTrees.TREE.indexOf(n));
            assertThat(e.type()).as(n.path()).isEqualTo(n.type());
            assertThat(e.mode()).as(n.path()).isEqualTo(n.mode());
            assertThat(e.modifiedMillis()).as(n.path()).isEqualTo(TestTrees.mtime(n.path()));
            assertThat(e.size()).as(n.path()).isEqualTo(n.length());
            assertThat(e.target()).as(n.path()).isEqualTo(n.target());
        }
        long bytes = TestTrees.TREE.stream().mapToLong(TestTrees.Node::length).sum();
        assertThat(archive.summary()).isEqualTo(new ArchiveSummary(4, 6, 2, bytes));
    }

    @Test
    void eachNonEmptyFilesContentIsAPartOfItsOwn() throws Exception {
        Path dir = TestTrees.build(tmp.resolve("d"), false);
        DirectoryArchive archive = DirectoryArchive.scan(dir);

        List<byte[]> parts = new ArrayList<>();
        for (Iterator<InputStream> it = archive.parts(); it.hasNext(); ) {
            parts.add(readAll(it.next()));
        }
        List<TestTrees.Node> nonEmptyFiles = TestTrees.TREE.stream()
                .filter(n -> n.type() == EntryType.FILE && n.length() > 0).toList();
        assertThat(parts).hasSize(2 * nonEmptyFiles.size() + 1);
        for (int i = 0; i < nonEmptyFiles.size(); i++) {
            assertThat(parts.get(2 * i + 1)).as(nonEmptyFiles.get(i).path())
                    .isEqualTo(TestTrees.content(nonEmptyFiles.get(i)));
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        parts.forEach(joined::writeBytes);
        assertThat(joined.toByteArray()).isEqualTo(readAll(archive.open()));
    }

    @Test
    void writesTheFormatByteForByte() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/f"), "hello");
        Files.createSymbolicLink(dir.resolve("sub/l"), Path.of("f"));
        TestTrees.setTimes(dir.resolve("sub/l"), 3);
        Files.setPosixFilePermissions(dir.resolve("sub/f"), ArchivePaths.permissions(0644));
        TestTrees.setTimes(dir.resolve("sub/f"), 2);
        Files.setPosixFilePermissions(dir.resolve("sub"), ArchivePaths.permissions(0755));
        TestTrees.setTimes(dir.resolve("sub"), 1);
        Files.setPosixFilePermissions(dir, ArchivePaths.permissions(0755));
        TestTrees.setTimes(dir, 0);

        byte[] expected = new RawArchive()
                .entry(1, "sub", 0755, 1)
                .entry(2, "sub/f", 0644, 2).i64(5).bytes('h', 'e', 'l', 'l', 'o')
                .entry(3, "sub/l", 0777, 3).string("f")
                .end(3, 5).toByteArray();
        assertThat(readAll(DirectoryArchive.open(dir))).isEqualTo(expected);
    }

    @Test
    void refusesLinksThatCouldLeaveTheDirectory() throws Exception {
        for (String[] link : new String[][] {
                {"up", "../outside"}, {"deep", "a/../../outside"}, {"abs", "/etc/passwd"}, {"via", "dot/.."}}) {
            Path dir = Files.createDirectory(tmp.resolve("d-" + link[0]));
            Files.createDirectory(dir.resolve("a"));
            Files.createSymbolicLink(dir.resolve("dot"), Path.of("."));
            Files.createSymbolicLink(dir.resolve(link[0]), Path.of(link[1]));

            assertThatThrownBy(() -> DirectoryArchive.scan(dir))
                    .as(link[1])
                    .isInstanceOfSatisfying(UnarchivableFileException.class, e -> {
                        assertThat(e.reason()).isEqualTo(UnarchivableFileException.Reason.LINK_ESCAPES);
                        assertThat(e.path()).isEqualTo(dir.resolve(link[0]));
                        assertThat(e.retriable()).isFalse();
                    })
                    .hasMessageContaining(link[0]);
        }
    }

    @Test
    void refusesSocketsAndFifos() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("sock"));
        Path socket = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertThatThrownBy(() -> DirectoryArchive.scan(dir))
                    .isInstanceOfSatisfying(UnarchivableFileException.class,
                            e -> assertThat(e.reason()).isEqualTo(UnarchivableFileException.Reason.SPECIAL_FILE))
                    .hasMessageContaining(socket.toString());
        }

        Path fifoDir = Files.createDirectory(tmp.resolve("fifo"));
        Path fifo = fifoDir.resolve("f");
        int made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        assumeThat(made).as("mkfifo available").isZero();
        assertThatThrownBy(() -> DirectoryArchive.scan(fifoDir))
                .isInstanceOf(UnarchivableFileException.class)
                .hasMessageContaining(fifo.toString());
    }

    @Test
    void aFileThatChangesWhileBeingReadStopsTheStream() throws Exception {
        for (String change : List.of("grow", "shrink", "rewrite")) {
            Path dir = Files.createDirectory(tmp.resolve(change));
            Path file = dir.resolve("f");
            Files.write(file, new byte[100_000]);
            TestTrees.setTimes(file, 1_000);
            DirectoryArchive archive = DirectoryArchive.scan(dir);
            switch (change) {
                case "grow" -> Files.write(file, new byte[1], StandardOpenOption.APPEND);
                case "shrink" -> Files.write(file, new byte[10]);
                default -> {
                    Files.write(file, new byte[100_000]);
                    TestTrees.setTimes(file, 2_000);
                }
            }
            assertThatThrownBy(() -> readAll(archive.open()))
                    .as(change)
                    .isInstanceOfSatisfying(UnarchivableFileException.class, e -> {
                        assertThat(e.reason()).isEqualTo(UnarchivableFileException.Reason.CHANGED_WHILE_READING);
                        assertThat(e.retriable()).isTrue();
                    })
                    .hasMessageContaining(file.toString());
        }
    }

    @Test
    void neverFollowsTheDirectoryItselfWhenItIsALink() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThatThrownBy(() -> DirectoryArchive.scan(link))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void refusesANameTheFormatCannotHold() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.createFile(dir.resolve("back\\slash"));
        assertThatThrownBy(() -> DirectoryArchive.scan(dir))
                .isInstanceOfSatisfying(UnarchivableFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(UnarchivableFileException.Reason.UNSUPPORTED_NAME))
                .hasMessageContaining("backslash");
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
