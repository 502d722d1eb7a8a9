package io.checkstripe.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DirectoryExtractorTest {

    @TempDir
    Path tmp;

    /** Where every restore goes: {@code tmp/sandbox/work/out}, so a path escaping by one or two levels shows. */
    private Path work;
    private Path target;

    @BeforeEach
    void sandbox() throws IOException {
        work = Files.createDirectories(tmp.resolve("sandbox/work"));
        target = work.resolve("out");
    }

    @AfterEach
    void unlock() throws IOException {
        TestTrees.unlock(tmp);
    }

    @Test
    void restoresATreeWithItsModesMtimesAndLinksAndArchivesItToTheSameBytes() throws Exception {
        Path source = TestTrees.build(tmp.resolve("source"), false);
        byte[] archive = DirectoryArchiveTest.readAll(DirectoryArchive.open(source));

        try (StagedDirectory staged = DirectoryExtractor.stage(new ByteArrayInputStream(archive), target)) {
            assertThat(staged.summary()).isEqualTo(DirectoryArchive.scan(source).summary());
            staged.commit();
        }

        assertThat(DirectoryArchiveTest.readAll(DirectoryArchive.open(target))).isEqualTo(archive);
        for (TestTrees.Node n : TestTrees.TREE) {
            Path p = target.resolve(n.path());
            assertThat(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()).as(n.path())
                    .isEqualTo(TestTrees.mtime(n.path()));
            switch (n.type()) {
                case FILE -> assertThat(Files.readAllBytes(p)).as(n.path()).isEqualTo(TestTrees.content(n));
                case SYMLINK -> assertThat(Files.readSymbolicLink(p)).as(n.path()).isEqualTo(Path.of(n.target()));
                case DIRECTORY -> assertThat(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).as(n.path()).isTrue();
            }
            if (n.type() != EntryType.SYMLINK) {
                assertThat(ArchivePaths.mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)))
                        .as(n.path()).isEqualTo(n.mode());
            }
        }
        assertThat(listing(work)).containsExactly("out");
    }

    @Test
    void theTargetAppearsOnlyAtCommitAndClosingWithoutCommitLeavesNothing() throws Exception {
        Path source = TestTrees.build(tmp.resolve("source"), false);

        try (StagedDirectory staged = DirectoryExtractor.stage(DirectoryArchive.open(source), target)) {
            assertThat(target).doesNotExist();
            assertThat(staged.stagingDirectory().getParent()).isEqualTo(work);
            assertThat(staged.stagingDirectory().getFileName().toString()).startsWith(".out.restoring-");
            assertThat(staged.stagingDirectory().resolve("a/b/CURRENT")).exists();
        }
        assertThat(listing(work)).isEmpty();

        try (StagedDirectory staged = DirectoryExtractor.stage(DirectoryArchive.open(source), target)) {
            staged.commit();
            assertThat(listing(work)).containsExactly("out");
            assertThatThrownBy(staged::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(target.resolve("a/b/CURRENT")).exists();
    }

    @Test
    void anEmptyTargetDirectoryIsReplacedAndAFullOneIsRefusedUntouched() throws Exception {
        Path source = TestTrees.build(tmp.resolve("source"), false);
        Files.createDirectory(target);
        try (StagedDirectory staged = DirectoryExtractor.stage(DirectoryArchive.open(source), target)) {
            staged.commit();
        }
        assertThat(target.resolve("a/b/CURRENT")).exists();

        Path full = Files.createDirectory(work.resolve("full"));
        Files.writeString(full.resolve("keep"), "data");
        assertThatThrownBy(() -> DirectoryExtractor.stage(DirectoryArchive.open(source), full))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(full.toString())
                .hasMessageContaining("not empty");
        assertThat(Files.readString(full.resolve("keep"))).isEqualTo("data");
        assertThat(listing(work)).containsExactly("full", "out");
    }

    @Test
    void aTargetFilledBetweenStageAndCommitIsRefusedAndKept() throws Exception {
        Path source = TestTrees.build(tmp.resolve("source"), false);
        try (StagedDirectory staged = DirectoryExtractor.stage(DirectoryArchive.open(source), target)) {
            Files.createDirectory(target);
            Files.writeString(target.resolve("keep"), "data");
            assertThatThrownBy(staged::commit).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(listing(target)).containsExactly("keep");
        assertThat(listing(work)).containsExactly("out");
    }

    static Stream<Arguments> hostileArchives() {
        return Stream.of(
                Arguments.of("parent component", new RawArchive().file("../x", "evil").end()),
                Arguments.of("absolute path", new RawArchive().file("/etc/x", "evil").end()),
                Arguments.of("escape inside", new RawArchive().dir("a").file("a/../../x", "evil").end()),
                Arguments.of("empty component", new RawArchive().dir("a").file("a//b", "evil").end()),
                Arguments.of("dot component", new RawArchive().file("./x", "evil").end()),
                Arguments.of("trailing slash", new RawArchive().dir("a/").end()),
                Arguments.of("backslash", new RawArchive().file("..\\x", "evil").end()),
                Arguments.of("NUL", new RawArchive().file("x\0/../../y", "evil").end()),
                Arguments.of("duplicate", new RawArchive().file("x", "one").file("x", "two").end()),
                Arguments.of("file then directory", new RawArchive().file("x", "one").dir("x").end()),
                Arguments.of("below a link", new RawArchive().link("a", "..").file("a/x", "evil").end()),
                Arguments.of("below a file", new RawArchive().file("a", "f").file("a/x", "evil").end()),
                Arguments.of("missing parent", new RawArchive().file("a/x", "evil").end()),
                Arguments.of("out of order", new RawArchive().file("b", "1").file("a", "2").end()),
                Arguments.of("link outside", new RawArchive().dir("a").link("a/l", "../../outside").end()),
                Arguments.of("absolute link", new RawArchive().link("l", "/etc").end()),
                Arguments.of("link through link", new RawArchive().link("d", ".").link("e", "d/..").end()),
                Arguments.of("bad magic", RawArchive.empty('T', 'A', 'R', '!', 1).u16(0755).i64(0).end()),
                Arguments.of("unknown version", RawArchive.empty('C', 'S', 'A', 'R', 9).u16(0755).i64(0).end()),
                Arguments.of("unknown type", new RawArchive().entry(7, "x", 0644, 0).end()),
                Arguments.of("set-uid mode", new RawArchive().entry(2, "x", 04755, 0).i64(0).end()),
                Arguments.of("absurd path length", new RawArchive().bytes(2).u16(0xFFFF).bytes('x')),
                Arguments.of("absurd file size", new RawArchive().entry(2, "x", 0644, 0).i64(Long.MAX_VALUE)
                        .bytes('x')),
                Arguments.of("negative file size", new RawArchive().entry(2, "x", 0644, 0).i64(-1).end()),
                Arguments.of("absurd target length", new RawArchive().entry(3, "l", 0777, 0).u16(0xFFFF)),
                Arguments.of("invalid UTF-8", new RawArchive().bytes(2).u16(2).bytes(0xC3, 0x28)),
                Arguments.of("wrong entry count", new RawArchive().file("x", "1").end(2, 1)),
                Arguments.of("wrong byte count", new RawArchive().file("x", "1").end(1, 9)),
                Arguments.of("garbage after the end", new RawArchive().file("x", "1").end().bytes(0)),
                Arguments.of("no end record", new RawArchive().file("x", "1")),
                Arguments.of("empty stream", RawArchive.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileArchives")
    void refusesAHostileArchiveAndLeavesNothingBehind(String name, RawArchive archive) throws Exception {
        assertThatThrownBy(() -> DirectoryExtractor.stage(new ByteArrayInputStream(archive.toByteArray()), target))
                .isInstanceOf(ArchiveFormatException.class);
        assertSandboxEmpty();
    }

    @Test
    void namesTheOffendingEntry() {
        byte[] escape = new RawArchive().dir("a").file("a/../../x", "evil").end().toByteArray();
        assertThatThrownBy(() -> DirectoryExtractor.stage(new ByteArrayInputStream(escape), target))
                .isInstanceOfSatisfying(ArchiveFormatException.class, e -> {
                    assertThat(e.entry()).isEqualTo("a/../../x");
                    assertThat(e.offset()).isPositive();
                })
                .hasMessageContaining("'a/../../x'")
                .hasMessageContaining("'..' path component");

        byte[] underLink = new RawArchive().link("a", "..").file("a/x", "evil").end().toByteArray();
        assertThatThrownBy(() -> DirectoryExtractor.stage(new ByteArrayInputStream(underLink), target))
                .hasMessageContaining("'a/x'")
                .hasMessageContaining("not a directory");
    }

    @Test
    void refusesEveryTruncationOfAValidArchive() throws Exception {
        Path source = TestTrees.build(tmp.resolve("source"), false);
        Files.write(source.resolve("a/b/000012.sst"), new byte[100]);
        TestTrees.setTimes(source.resolve("a/b/000012.sst"), 0);
        byte[] archive = DirectoryArchiveTest.readAll(DirectoryArchive.open(source));

        int refused = 0;
        for (int length = 0; length < archive.length; length++) {
            InputStream prefix = new ByteArrayInputStream(Arrays.copyOf(archive, length));
            assertThatThrownBy(() -> DirectoryExtractor.stage(prefix, target))
                    .as("archive cut to %d of %d bytes", length, archive.length)
                    .isInstanceOf(ArchiveFormatException.class)
                    .hasMessageContaining("truncated");
            refused++;
        }
        assertThat(refused).isEqualTo(archive.length);
        assertSandboxEmpty();
    }

    private void assertSandboxEmpty() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            List<String> paths = all.map(p -> tmp.relativize(p).toString()).filter(p -> !p.startsWith("source"))
                    .sorted().toList();
            assertThat(paths).containsExactly("", "sandbox", "sandbox/work");
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
