package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The summary {@code --profile} prints of a flight recording. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class JfrSummaryTest {

    @TempDir
    Path tmp;

    @Test
    void theProfileSummaryNamesTheHotMethodOfARecording() throws Exception {
        Path file = tmp.resolve("spin.jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            long sum = 0;
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                sum += spin(sum);
            }
            recording.stop();
            recording.dump(file);
            assertThat(sum).isNotZero();
        }
        String summary = JfrSummary.of(file);
        assertThat(summary).startsWith("spin.jfr: ").contains("running Java, by thread group", "hottest methods",
                "JfrSummaryTest.spin");
    }

    private static long spin(long seed) {
        long x = seed | 1;
        for (int i = 0; i < 100_000; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
