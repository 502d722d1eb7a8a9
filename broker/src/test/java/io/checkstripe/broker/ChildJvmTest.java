package io.checkstripe.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildJvmTest {

    @TempDir
    Path dir;

    /** A child that prints a line and blocks until its stdin closes, which the parent never does. */
    public static final class Blocking {
        public static void main(String[] args) throws IOException {
            System.out.println("blocking child up");
            System.in.read();
        }
    }

    @Test
    void failsFastWithTheLogTailWhenTheChildExitsBeforeItIsReady() {
        ChildJvm jvm = ChildJvm.launch("short-lived", ChildJvm.currentJavaBinary(), List.of(),
                List.of("-version"), dir, dir.resolve("child.log"));
        assertThatThrownBy(() -> jvm.awaitReady(Duration.ofSeconds(30), () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("short-lived exited with code 0")
                .hasMessageContaining("version");
    }

    @Test
    void reportsTheLogTailOnTimeoutAndKillsOnce() {
        ChildJvm jvm = launchBlocking();
        jvm.awaitReady(Duration.ofSeconds(30), () -> jvm.tail().contains("blocking child up"));
        assertThatThrownBy(() -> jvm.awaitReady(Duration.ofSeconds(1), () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not ready after PT1S")
                .hasMessageContaining("blocking child up");
        long pid = jvm.pid();
        jvm.kill();
        jvm.kill();
        assertThat(jvm.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void stopsWithSigterm() {
        ChildJvm jvm = launchBlocking();
        jvm.awaitReady(Duration.ofSeconds(30), () -> jvm.tail().contains("blocking child up"));
        jvm.stop(Duration.ofSeconds(20));
        assertThat(jvm.isAlive()).isFalse();
        jvm.stop(Duration.ofSeconds(20));
    }

    private ChildJvm launchBlocking() {
        return ChildJvm.launch("blocking", ChildJvm.currentJavaBinary(), List.of("-Xmx32m"),
                List.of("-cp", System.getProperty("java.class.path"), Blocking.class.getName()),
                dir, dir.resolve("child.log"));
    }
}
