package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {

    @Test
    void showsBytesRateAndEtaAtMostFourTimesASecond() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "restoring a/1", 100L << 20,
                () -> now[0]);

        now[0] = TimeUnit.SECONDS.toNanos(1);
        p.advance(10L << 20);
        now[0] += TimeUnit.MILLISECONDS.toNanos(100);
        p.advance(1L << 20); // too soon: not printed
        now[0] = TimeUnit.SECONDS.toNanos(2);
        p.advance(9L << 20);
        String text = bytes.toString(StandardCharsets.UTF_8);

        assertThat(text.split("\r", -1)).hasSize(3);
        assertThat(text).contains("\rrestoring a/1: 10.0 MiB of 100.0 MiB (10%), 10.0 MiB/s, ETA 0:09")
                .contains("\rrestoring a/1: 20.0 MiB of 100.0 MiB (20%), 10.0 MiB/s, ETA 0:08");

        now[0] = TimeUnit.SECONDS.toNanos(10);
        p.advance(80L << 20);
        p.finish();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("100.0 MiB of 100.0 MiB (100%), 10.0 MiB/s   ")
                .endsWith(System.lineSeparator());
    }

    @Test
    void formatsSizesAndDurations() {
        assertThat(Progress.bytes(512)).isEqualTo("512 B");
        assertThat(Progress.bytes(3 * 1024 + 512)).isEqualTo("3.5 KiB");
        assertThat(Progress.bytes(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(Progress.duration(7)).isEqualTo("0:07");
        assertThat(Progress.duration(754)).isEqualTo("12:34");
        assertThat(Progress.duration(3723)).isEqualTo("1:02:03");
    }

    @Test
    void restoreShowsProgressWhenForcedAndIsSilentOtherwise(@TempDir Path tmp) throws IOException {
        Cluster cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write("p", 1, 300_000, 65536, 3);
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        ByteArrayOutputStream silent = new ByteArrayOutputStream();

        new Restorer(RestoreOptions.defaults().withProgress(new PrintStream(shown, true, StandardCharsets.UTF_8), true))
                .restore("p", cluster.sources(), tmp.resolve("a"), OptionalLong.empty());
        new Restorer(RestoreOptions.defaults().withProgress(new PrintStream(silent, true, StandardCharsets.UTF_8), false))
                .restore("p", cluster.sources(), tmp.resolve("b"), OptionalLong.empty());

        assertThat(shown.toString(StandardCharsets.UTF_8)).startsWith("\rrestoring p/1: ")
                .contains("293.0 KiB of 293.0 KiB (100%)");
        if (System.console() == null) {
            assertThat(silent.size()).isZero();
        }
    }
}
