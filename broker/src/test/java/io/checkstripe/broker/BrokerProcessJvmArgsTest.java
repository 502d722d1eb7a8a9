package io.checkstripe.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@EnabledOnOs(OS.LINUX)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrokerProcessJvmArgsTest {

    @TempDir
    Path dataDir;

    @Test
    void aBrokerStartedWithThroughputOptionsRunsWithThemAndKeepsThemAcrossARestart() throws IOException {
        try (BrokerProcess broker = BrokerProcess.start(dataDir, 0, Map.of(), BrokerProcess.THROUGHPUT_JVM_ARGS)) {
            assertThat(arguments(broker.pid())).contains("-Xmx1g", "-XX:+UseG1GC")
                    .doesNotContain("-XX:TieredStopAtLevel=1");
            broker.createTopic("served", 1, 1);

            broker.kill();
            broker.restart();
            assertThat(arguments(broker.pid())).contains("-Xmx1g", "-XX:+UseG1GC");
            assertThat(broker.admin().listTopics().names()).succeedsWithin(Duration.ofSeconds(30))
                    .asInstanceOf(InstanceOfAssertFactories.collection(String.class))
                    .contains("served");
        }
    }

    /** The process's command line from /proc (ProcessHandle.Info drops it when the class path is long). */
    private static List<String> arguments(long pid) throws IOException {
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                StandardCharsets.UTF_8);
        return List.of(cmdline.split("\0"));
    }
}
