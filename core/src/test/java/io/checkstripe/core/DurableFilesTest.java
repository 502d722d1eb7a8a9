package io.checkstripe.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void writeAtomicallyCreatesTheDirectoryAndReplacesTheFileWhole() throws IOException {
        Path target = dir.resolve("a/b/result.json");
        DurableFiles.writeAtomically(target, "first".getBytes());
        DurableFiles.writeAtomically(target, "second, longer".getBytes());

        assertThat(Files.readString(target)).isEqualTo("second, longer");
        assertThat(target.resolveSibling("result.json.tmp")).doesNotExist();
    }

    @Test
    void writeAtomicallyWritesTheTempFileThenSyncsTheDirectory() throws IOException {
        List<String> opened = new ArrayList<>();
        FileChannels recording = (path, options) -> {
            opened.add(path.getFileName() + " " + List.of(options).contains(StandardOpenOption.WRITE));
            return FileChannel.open(path, options);
        };
        Path target = dir.resolve("state");

        DurableFiles.writeAtomically(recording, target, new byte[] {1, 2, 3});

        assertThat(opened).containsExactly("state.tmp true", dir.getFileName() + " false");
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTempFile() throws IOException {
        Path target = dir.resolve("state");
        Files.writeString(target, "old");
        FileChannels full = (path, options) -> {
            throw new IOException("No space left on device");
        };

        assertThatThrownBy(() -> DurableFiles.writeAtomically(full, target, "new".getBytes()))
                .isInstanceOf(DiskFullException.class)
                .hasMessageContaining("disk full").hasMessageContaining(target.toString());
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(dir.resolve("state.tmp")).doesNotExist();
    }

    @Test
    void moveDurablyRenamesOverTheTarget() throws IOException {
        Path temp = Files.writeString(dir.resolve(".out.tmp"), "restored");
        Path target = Files.writeString(dir.resolve("out"), "stale");

        DurableFiles.moveDurably(temp, target);

        assertThat(Files.readString(target)).isEqualTo("restored");
        assertThat(temp).doesNotExist();
    }

    @Test
    void writeFailureTellsAFullDiskFromOtherFailures() {
        Path file = dir.resolve("cells.log");

        IOException enospc = DurableFiles.writeFailure(file, 10, new IOException("No space left on device"));
        IOException quota = DurableFiles.writeFailure(file, 10, new IOException("Disk quota exceeded"));
        IOException tooBig = DurableFiles.writeFailure(file, Long.MAX_VALUE, new IOException("Input/output error"));
        IOException other = DurableFiles.writeFailure(file, 10, new IOException("Input/output error"));

        assertThat(enospc).isInstanceOf(DiskFullException.class).hasMessageStartingWith("disk full: ");
        assertThat(((DiskFullException) enospc).path()).isEqualTo(file);
        assertThat(((DiskFullException) enospc).bytes()).isEqualTo(10);
        assertThat(((DiskFullException) enospc).usableBytes()).isPositive();
        assertThat(quota).isInstanceOf(DiskFullException.class);
        assertThat(tooBig).as("fewer usable bytes than the write needs").isInstanceOf(DiskFullException.class);
        assertThat(other).isNotInstanceOf(DiskFullException.class)
                .hasMessageStartingWith("write failed: ").hasMessageContaining(file.toString())
                .hasMessageContaining("Input/output error");
    }

    @Test
    void aFailedFsyncOrMkdirIsRecognizedAsAFullDiskOnlyByTheSystemsError() {
        IOException enospc = new IOException("No space left on device");
        IOException io = new IOException("Input/output error");

        assertThat(DurableFiles.recognizeDiskFull(dir, enospc)).isInstanceOf(DiskFullException.class)
                .hasMessage("disk full: cannot write " + dir + ": No space left on device").hasCause(enospc);
        assertThat(DurableFiles.recognizeDiskFull(dir, io)).isSameAs(io);
    }

    @Test
    void aFullDiskIsFoundAnywhereInTheCauseChain() {
        DiskFullException full = new DiskFullException(dir, 1, 0, new IOException("No space left on device"));

        assertThat(DiskFullException.isCauseOf(new UncheckedIOException(new IOException("commit failed", full))))
                .isTrue();
        assertThat(DiskFullException.isCauseOf(new IOException("No space left on device")))
                .as("only the typed signal counts").isFalse();
        assertThat(DiskFullException.isCauseOf(null)).isFalse();
    }

    @Test
    void deleteRecursivelyRemovesATreeAndIgnoresAMissingOne() throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/f"), "x");

        DurableFiles.deleteRecursively(tree);
        DurableFiles.deleteRecursively(tree);

        assertThat(tree).doesNotExist();
    }
}
