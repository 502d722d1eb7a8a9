package io.checkstripe.faults;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;

/**
 * The Docker engine and the checkstripe image of the container faults, and what a scenario does to a container
 * from outside (kill it, cut its network, read its files).
 *
 * <p>The image is the one {@code bin/build-images} builds from the distribution of this build: before the first
 * container starts, the script runs (it keeps an image whose inputs did not change), so a scenario never runs
 * yesterday's code. Without a Docker engine the scenarios are skipped, saying why, unless the environment variable
 * {@value #REQUIRED} is {@code true} (as {@code .ci/run} sets it): then they fail.
 */
final class Containers {

    /** Environment variable that turns a missing Docker engine from a skip into a failure. */
    static final String REQUIRED = "CHECKSTRIPE_CI";

    private static final Logger log = LoggerFactory.getLogger(Containers.class);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    private static String image;

    private Containers() {
    }

    /** The checkstripe image built from this build's distribution; skips or fails the test without an engine. */
    static synchronized String checkstripeImage() {
        if (image == null) {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                String why = "no Docker engine answers: the container faults need one (as root: apt-get install "
                        + "docker.io docker-compose debootstrap; dockerd --storage-driver=vfs &)";
                if ("true".equals(System.getenv(REQUIRED))) {
                    throw new IllegalStateException(why + "; " + REQUIRED + "=true");
                }
                Assumptions.abort(why);
            }
            buildImages();
            image = "checkstripe:" + System.getProperty("checkstripe.version");
        }
        return image;
    }

    static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** {@code docker kill}: SIGKILL, as when the machine under the container dies. The container stays. */
    static void kill(GenericContainer<?> container) {
        docker().killContainerCmd(container.getContainerId()).exec();
    }

    /**
     * {@code docker start} of a stopped or killed container (the same container, its writable layer and volumes),
     * its output appended to {@code output} again from now on.
     */
    static void restart(GenericContainer<?> container, Output output) {
        long since = Instant.now().getEpochSecond();
        docker().startContainerCmd(container.getContainerId()).exec();
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        callback.addConsumer(OutputFrame.OutputType.STDOUT, output);
        callback.addConsumer(OutputFrame.OutputType.STDERR, output);
        docker().logContainerCmd(container.getContainerId()).withStdOut(true).withStdErr(true).withFollowStream(true)
                .withSince((int) since).exec(callback);
    }

    /** Whether the container runs now (asked of the engine, not of what Testcontainers last saw). */
    static boolean running(GenericContainer<?> container) {
        return Boolean.TRUE.equals(docker().inspectContainerCmd(container.getContainerId()).exec().getState()
                .getRunning());
    }

    /** The host port that the container's {@code containerPort} is published on now (it changes on reconnect). */
    static int hostPort(GenericContainer<?> container, int containerPort) {
        Map<ExposedPort, Ports.Binding[]> bindings = docker().inspectContainerCmd(container.getContainerId()).exec()
                .getNetworkSettings().getPorts().getBindings();
        Ports.Binding[] binding = bindings.get(ExposedPort.tcp(containerPort));
        if (binding == null || binding.length == 0 || binding[0] == null) {
            throw new IllegalStateException(container.getContainerName() + " publishes no port for " + containerPort);
        }
        return Integer.parseInt(binding[0].getHostPortSpec());
    }

    /** Runs a command in the running container and fails unless it exits 0; returns its standard output. */
    static String exec(GenericContainer<?> container, String... command) {
        try {
            Container.ExecResult r = container.execInContainer(command);
            if (r.getExitCode() != 0) {
                throw new IllegalStateException(Arrays.toString(command) + " in " + container.getContainerName()
                        + " exited " + r.getExitCode() + ": " + r.getStderr());
            }
            return r.getStdout();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Copies directory {@code dir} of the running container into {@code target} (through {@code tar} in the
     * container: unlike {@code docker cp}, it also sees a tmpfs), so that a scenario can audit a store's files.
     */
    static Path copyOut(GenericContainer<?> container, String dir, Path target) {
        String tar = exec(container, "bash", "-c", "tar -C " + dir + " -cf - . | base64 -w0");
        byte[] bytes = Base64.getDecoder().decode(tar.strip());
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes))) {
            Files.createDirectories(target);
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path to = target.resolve(e.getName()).normalize();
                if (!to.startsWith(target)) {
                    throw new IllegalStateException("entry outside " + dir + ": " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else if (e.isFile()) {
                    Files.createDirectories(to.getParent());
                    Files.copy(in, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + dir + " out of " + container.getContainerName(), e);
        }
        return target;
    }

    /**
     * The output of a container, appended to a file under the scenario's log directory as it comes (for the
     * post-mortem of a failed run) and kept for assertions on what the process said.
     */
    static final class Output implements Consumer<OutputFrame> {
        private final Path file;
        private final StringBuilder text = new StringBuilder();

        Output(Path file) {
            this.file = file;
            TestFiles.createParent(file);
        }

        @Override
        public synchronized void accept(OutputFrame frame) {
            String s = frame.getUtf8String();
            text.append(s);
            try {
                Files.writeString(file, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("cannot write {}: {}", file, e.toString());
            }
        }

        synchronized String text() {
            return text.toString();
        }

        Path file() {
            return file;
        }
    }

    private static void buildImages() {
        Path root = Path.of(System.getProperty("checkstripe.root")).toAbsolutePath().normalize();
        Path logFile = root.resolve("fault-tests/target/build-images.log");
        TestFiles.createParent(logFile);
        log.info("bin/build-images (output in {})", logFile);
        try {
            Process p = new ProcessBuilder(List.of(root.resolve("bin/build-images").toString())).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/build-images did not finish in " + BUILD_TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("bin/build-images exited " + p.exitValue() + ":\n"
                        + Files.readString(logFile));
            }
            log.info("{}", Files.readString(logFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run bin/build-images", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
