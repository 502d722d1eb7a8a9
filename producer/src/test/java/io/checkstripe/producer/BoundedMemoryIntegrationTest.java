package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.schemas.TopicNames;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint much larger than the heap publishes: a child JVM with {@code -Xmx128m} streams
 * 300 MiB (generated, no file) through the publisher. Running out of memory would end it with
 * a non-zero exit code ({@code -XX:+ExitOnOutOfMemoryError}).
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BoundedMemoryIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final long LENGTH = 300L << 20;
    private static final long SEED = 20260101L;

    @Test
    void threeHundredMebibytesPublishInA128MebibyteHeap(@TempDir Path dir) throws Exception {
        TopicNames names = TopicNames.defaults().withPrefix("big.");
        TopicContents.createTopics(KAFKA, names, 3);
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                BoundedMemoryPublish.class.getName(),
                KAFKA.bootstrapServers(), "big.", Long.toString(LENGTH), Long.toString(SEED)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            boolean exited = child.waitFor(4, TimeUnit.MINUTES);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("child still running; its output:\n%s", output).isTrue();
            assertThat(child.exitValue()).as("exit code; output:\n%s", output).isZero();

            String result = output.lines().filter(line -> line.startsWith(BoundedMemoryPublish.RESULT)).findFirst()
                    .orElseThrow(() -> new AssertionError("no result line in:\n" + output));
            assertThat(result).startsWith(BoundedMemoryPublish.RESULT + "1 300 " + LENGTH + " " + expectedSha256() + " ");
            long maxHeap = Long.parseLong(result.substring(result.lastIndexOf(' ') + 1));
            assertThat(maxHeap).isLessThanOrEqualTo(128L << 20);
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (CheckpointPublisher publisher = new CheckpointPublisher(Map.of(
                PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                PublisherConfig.TOPIC_PREFIX_CONFIG, "big."))) {
            assertThat(publisher.newestCommitted("big")).as("Kafka holds it committed").hasValue(1);
        }
    }

    private static String expectedSha256() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(new GeneratedInput(LENGTH, SEED), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
