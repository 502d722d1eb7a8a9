package io.checkstripe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.core.DurableFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random damage to a valid archive: whatever the bytes, staging either succeeds or throws, and afterwards
 * nothing exists beside the target but what a commit would have put there.
 */
class MutatedArchiveProperties {

    private static final byte[] VALID = new RawArchive()
            .dir("a").file("a/f", "content").link("a/l", "f").dir("a/sub").file("a/sub/g", "more")
            .file("b", "").link("c", "a/sub")
            .end().toByteArray();

    private Path tmp;

    @BeforeProperty
    void createSandbox() throws IOException {
        tmp = Files.createTempDirectory("mutated-archive");
    }

    @AfterProperty
    void deleteSandbox() throws IOException {
        TestTrees.unlock(tmp);
        DurableFiles.deleteRecursively(tmp);
    }

    @Property(tries = 300, seed = "20260101")
    void damagedArchivesNeverWriteOutsideTheStagingDirectory(
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 10_000) Integer> positions,
            @ForAll @Size(min = 4, max = 4) List<@IntRange(min = 0, max = 255) Integer> values,
            @ForAll @IntRange(min = 0, max = 2) int truncateBy) throws IOException {
        byte[] damaged = VALID.clone();
        for (int i = 0; i < positions.size(); i++) {
            damaged[positions.get(i) % damaged.length] = (byte) (int) values.get(i);
        }
        damaged = Arrays.copyOf(damaged, damaged.length - truncateBy);
        Path work = Files.createDirectories(tmp.resolve("sandbox/work"));
        try {
            DirectoryExtractor.stage(new ByteArrayInputStream(damaged), work.resolve("out")).close();
        } catch (ArchiveFormatException | IOException e) {
            // refused: what matters is what is left on disk
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(p -> tmp.relativize(p).toString()).sorted().toList())
                    .containsExactly("", "sandbox", "sandbox/work");
        }
    }
}
