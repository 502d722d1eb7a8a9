package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageCacheTest {

    @TempDir
    Path dir;

    @Test
    void dropsAFileItCanReadAndLeavesItsBytesAlone() throws IOException {
        Path file = Files.write(dir.resolve("cells.log"), new byte[] {1, 2, 3});
        assertThatCode(() -> PageCache.evict(List.of(file))).doesNotThrowAnyException();
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
    }

    @Test
    void aFileDdCannotOpenFailsNamingTheFileAndDdsComplaint() {
        Path missing = dir.resolve("no-such-cells.log");
        assertThatThrownBy(() -> PageCache.evict(List.of(missing))).isInstanceOf(IOException.class)
                .hasMessageStartingWith("dd could not drop " + missing + " from the page cache: ")
                .hasMessageContaining("No such file");
    }
}
