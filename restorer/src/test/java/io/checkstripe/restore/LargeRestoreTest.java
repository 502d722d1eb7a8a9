package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint much larger than the heap restores: memory is bounded by the read-ahead, not the size. */
class LargeRestoreTest {

    static final long SIZE = 200L << 20;
    static final int SEGMENT = 1 << 20;
    static final String HEAP = "-Xmx64m";

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void restores200MibInA64MibHeapWithAServerLost() throws IOException, InterruptedException {
        Cluster cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        Cluster.Written written = cluster.write("big", 1, SIZE, SEGMENT, 77);
        Path out = tmp.resolve("big.bin");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                LargeRestoreMain.class.getName(), "big", out.toString()));
        for (int i = 0; i < 5; i++) {
            if (i != 1) {
                command.add(cluster.dir(i).toString()); // server 1 is lost: a third of the stripes are decoded
            }
        }
        Path log = tmp.resolve("child.log");

        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = child.waitFor(8, TimeUnit.MINUTES);
        if (!exited) {
            child.destroyForcibly();
        }

        String output = Files.readString(log);
        assertThat(exited).as(output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("restored checkpoint 1 of big").contains("lost server 1");
        Matcher heap = Pattern.compile("max heap (\\d+)").matcher(output);
        assertThat(heap.find()).as(output).isTrue();
        assertThat(Long.parseLong(heap.group(1))).isLessThanOrEqualTo(64L << 20).isLessThan(SIZE / 3);
        assertThat(Files.size(out)).isEqualTo(SIZE);
        MessageDigest sha = CheckpointRebuild.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(out), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(sha.digest()).isEqualTo(written.sha256());
    }
}
