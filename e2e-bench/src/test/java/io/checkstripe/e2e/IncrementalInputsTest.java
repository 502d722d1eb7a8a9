package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.pipeline.SeededCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incremental bench's inputs change what they say, by as much as they say, the same way every time. */
class IncrementalInputsTest {

    private static final int SIZE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void scatteredWritesChangeAboutTheShareAskedInWholePagesAndRepeat() throws Exception {
        byte[] before = Files.readAllBytes(SeededCheckpoints.generate(tmp.resolve("a.bin"), SIZE, 1));
        Path a = tmp.resolve("a.bin");
        Path b = Files.copy(a, tmp.resolve("b.bin"));
        int writes = IncrementalInputs.scatter(a, 0.01, 9);
        IncrementalInputs.scatter(b, 0.01, 9);

        assertThat(writes).isEqualTo(SIZE / 100 / IncrementalInputs.WRITE_BYTES);
        byte[] after = Files.readAllBytes(a);
        assertThat(after).hasSize(SIZE).isEqualTo(Files.readAllBytes(b));
        long changed = 0;
        for (int i = 0; i < SIZE; i++) {
            changed += before[i] != after[i] ? 1 : 0;
        }
        assertThat(changed).as("bytes changed, overlaps and equal bytes aside")
                .isBetween((long) writes * IncrementalInputs.WRITE_BYTES * 9 / 10,
                        (long) writes * IncrementalInputs.WRITE_BYTES);
    }

    @Test
    void anInsertShiftsEverythingAfterIt() throws Exception {
        Path from = SeededCheckpoints.generate(tmp.resolve("from.bin"), SIZE, 1);
        byte[] before = Files.readAllBytes(from);
        byte[] after = Files.readAllBytes(IncrementalInputs.insert(from, tmp.resolve("to.bin"), 2));

        int at = IncrementalInputs.INSERT_AT;
        int n = IncrementalInputs.INSERT_BYTES;
        assertThat(after).hasSize(SIZE + n);
        assertThat(Arrays.copyOf(after, at)).isEqualTo(Arrays.copyOf(before, at));
        assertThat(Arrays.copyOfRange(after, at + n, after.length)).isEqualTo(Arrays.copyOfRange(before, at, SIZE));
        assertThatThrownBy(() -> IncrementalInputs.scatter(from, 1.5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.5");
    }

    @Test
    void jsonStateIsAtLeastTheSizeAskedAndRepeats() throws Exception {
        Path a = IncrementalInputs.jsonState(tmp.resolve("a.jsonl"), SIZE, 4);
        Path b = IncrementalInputs.jsonState(tmp.resolve("b.jsonl"), SIZE, 4);

        assertThat(Files.size(a)).isBetween((long) SIZE, SIZE + 1024L);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        assertThat(Files.readAllLines(a).get(0)).startsWith("{\"id\":0,\"account\":\"acct-").endsWith("}");
    }
}
