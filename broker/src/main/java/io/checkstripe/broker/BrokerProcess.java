package io.checkstripe.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (combined broker+controller, KRaft) running as its own OS
 * process, so that tests can SIGKILL it and restart it on the same data directory, and so that
 * {@code checkstripe broker} can run one for local use. The child JVM runs {@code kafka.Kafka}
 * with this JVM's java binary and classpath, by default with a 512 MiB heap and the C1 compiler
 * only: tuned to start fast, not for peak throughput. Benchmarks start it with
 * {@link #THROUGHPUT_JVM_ARGS} instead.
 *
 * <p>Start-up writes {@code dataDir/server.properties}, formats {@code dataDir/kafka-logs} with
 * Kafka's {@code StorageTool} unless it is formatted already, starts the process (output appended
 * to {@code dataDir/broker.log}) and waits until the broker answers a describe-cluster request
 * and lists itself. Restarting a directory keeps the ports recorded in its server.properties, so
 * clients and a {@link BrokerCluster}'s quorum find the node again. The data directory is the
 * caller's: nothing here deletes it.
 *
 * <p>Listeners bind 127.0.0.1 only. If this JVM dies by SIGKILL the child keeps running (a
 * shutdown hook covers every other exit). Not thread-safe: one thread drives the lifecycle,
 * clients may run anywhere.
 */
public final class BrokerProcess implements KafkaBrokers, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerProcess.class);
    /** Single-node start on this machine takes seconds; the margin is for a loaded CI host. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);
    /**
     * The default JVM options, for tests: C1 only, so start-up costs much less CPU, at the price
     * of peak throughput.
     */
    public static final List<String> FAST_START_JVM_ARGS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");

    /**
     * JVM options for measuring throughput, as Kafka's own {@code kafka-server-start.sh} and
     * {@code kafka-run-class.sh} set them: the full JIT (C2), G1 with a 20 ms pause goal and a 1 GiB heap.
     */
    public static final List<String> THROUGHPUT_JVM_ARGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");

    private final BrokerSpec spec;
    private final List<String> jvmArgs;
    private Admin admin;
    private ChildJvm jvm;

    private BrokerProcess(BrokerSpec spec, List<String> jvmArgs) {
        this.spec = spec;
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** Starts a broker in {@code dataDir} on the port recorded there, or a free one. */
    public static BrokerProcess start(Path dataDir) {
        return start(dataDir, 0, Map.of());
    }

    /** Starts a broker in {@code dataDir}; {@code port} 0 means the recorded port or a free one. */
    public static BrokerProcess start(Path dataDir, int port) {
        return start(dataDir, port, Map.of());
    }

    /**
     * Starts a broker in {@code dataDir} and waits until it serves clients.
     *
     * @param port the client port on 127.0.0.1; 0 for the port recorded in the directory or a free one
     * @param brokerConfig broker settings over the single-node defaults (internal topics with
     *                     replication factor 1, no initial rebalance delay)
     */
    public static BrokerProcess start(Path dataDir, int port, Map<String, String> brokerConfig) {
        return start(dataDir, port, brokerConfig, FAST_START_JVM_ARGS);
    }

    /**
     * Starts a broker as {@link #start(Path, int, Map)} does, with {@code jvmArgs} as the child
     * JVM's options instead of {@link #FAST_START_JVM_ARGS} (for instance
     * {@link #THROUGHPUT_JVM_ARGS}, or those plus a flight recording); restarts keep them.
     */
    public static BrokerProcess start(Path dataDir, int port, Map<String, String> brokerConfig, List<String> jvmArgs) {
        return start(dataDir, port, brokerConfig, jvmArgs, List.of());
    }

    /**
     * Starts a broker as {@link #start(Path, int, Map)} does, with client listeners besides its PLAINTEXT one
     * (a {@code SASL_SSL} listener, say, whose settings {@code brokerConfig} holds); the node's own readiness
     * probe and {@link #admin()} keep using PLAINTEXT. {@link #bootstrapServers(String)} gives their addresses.
     */
    public static BrokerProcess start(Path dataDir, Map<String, String> brokerConfig,
                                      List<BrokerListener> extraListeners) {
        return start(dataDir, 0, brokerConfig, FAST_START_JVM_ARGS, extraListeners);
    }

    private static BrokerProcess start(Path dataDir, int port, Map<String, String> brokerConfig, List<String> jvmArgs,
                                       List<BrokerListener> extraListeners) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        Optional<BrokerSpec.Ports> recorded = BrokerSpec.recordedPorts(dataDir);
        List<Integer> free = LocalPorts.free(3);
        int brokerPort = port != 0 ? port : recorded.map(BrokerSpec.Ports::broker).orElse(free.get(0));
        int controllerPort = recorded.map(BrokerSpec.Ports::controller)
                .filter(p -> p != brokerPort)
                .orElseGet(() -> free.stream().skip(1).filter(p -> p != brokerPort).findFirst().orElseThrow());
        Map<String, String> config = BrokerDefaults.forBrokerCount(1);
        config.putAll(brokerConfig);
        BrokerSpec spec = new BrokerSpec(0, dataDir, brokerPort, controllerPort,
                BrokerSpec.controllerVoter(0, controllerPort), config, extraListeners);
        BrokerProcess broker = launch(spec, Uuid.randomUuid().toString(), jvmArgs);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.closeAfterFailure(e);
            throw e;
        }
        return broker;
    }

    /**
     * Writes the configuration, formats the directory with {@code clusterId} if needed and starts
     * the process without waiting: the nodes of a {@link BrokerCluster} need one another to elect
     * a controller, so all of them start before any is awaited.
     */
    static BrokerProcess launch(BrokerSpec spec, String clusterId) {
        return launch(spec, clusterId, FAST_START_JVM_ARGS);
    }

    private static BrokerProcess launch(BrokerSpec spec, String clusterId, List<String> jvmArgs) {
        spec.writeProperties();
        if (!spec.isFormatted()) {
            format(spec, clusterId);
        }
        BrokerProcess broker = new BrokerProcess(spec, jvmArgs);
        broker.startProcess();
        return broker;
    }

    /**
     * Waits until this node serves clients and the cluster lists it as an unfenced broker. The
     * Admin probe starts only once the port accepts connections, so that the log does not fill
     * with the client's connection warnings while the JVM boots.
     */
    void awaitReady() {
        long startNanos = System.nanoTime();
        jvm.awaitReady(READY_TIMEOUT, this::portAccepts);
        Map<String, Object> probeConfig = new HashMap<>();
        probeConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapAddress());
        probeConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        probeConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        probeConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin probe = Admin.create(probeConfig)) {
            jvm.awaitReady(READY_TIMEOUT, () -> {
                try {
                    return KafkaFutures.get(probe.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes(),
                            Duration.ofSeconds(3), "describe cluster").stream().anyMatch(n -> n.id() == spec.nodeId());
                } catch (IllegalStateException notYet) {
                    return false;
                }
            });
        }
        log.info("broker {} (pid {}) at {} ready in {} ms", spec.nodeId(), jvm.pid(), spec.bootstrapAddress(),
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    @Override
    public String bootstrapServers() {
        return spec.bootstrapAddress();
    }

    /**
     * The {@code host:port} of the listener named {@code listenerName}: PLAINTEXT ({@link #bootstrapServers()}) or
     * one of the extra listeners it was started with.
     *
     * @throws IllegalArgumentException when it has no such listener
     */
    public String bootstrapServers(String listenerName) {
        if ("PLAINTEXT".equals(listenerName)) {
            return bootstrapServers();
        }
        return spec.extraListeners().stream().filter(l -> l.name().equals(listenerName)).findFirst()
                .map(BrokerListener::address)
                .orElseThrow(() -> new IllegalArgumentException("broker " + spec.nodeId() + " has no listener "
                        + listenerName + "; it has PLAINTEXT" + spec.extraListeners().stream()
                        .map(l -> ", " + l.name()).reduce("", String::concat)));
    }

    /** An Admin bootstrapped on this node; it reconnects across restarts and is closed by {@link #close()}. */
    @Override
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapAddress()));
        }
        return admin;
    }

    /** This node's id: 0 for a single broker, the index in a {@link BrokerCluster}. */
    public int nodeId() {
        return spec.nodeId();
    }

    /** The data directory this broker owns while it runs. */
    public Path dataDir() {
        return spec.dataDir();
    }

    /** The file receiving the broker's output (appended across restarts). */
    public Path logFile() {
        return spec.logFile();
    }

    public boolean isRunning() {
        return jvm != null && jvm.isAlive();
    }

    /** The OS process id of the running broker. */
    public long pid() {
        if (!isRunning()) {
            throw new IllegalStateException("broker " + spec.nodeId() + " is not running");
        }
        return jvm.pid();
    }

    /** SIGKILL, as a power cut or an OOM killer would: no flush, no controlled shutdown. */
    public void kill() {
        if (jvm != null) {
            jvm.kill();
        }
    }

    /** SIGTERM: controlled shutdown, waiting up to a minute before a SIGKILL. */
    public void stop() {
        if (jvm != null) {
            jvm.stop(STOP_GRACE);
        }
    }

    /**
     * Starts the broker again on the same data directory and ports (stopping it first if it runs)
     * and waits until it serves clients; data acknowledged before a kill is there again.
     */
    public void restart() {
        stop();
        spec.writeProperties();
        startProcess();
        awaitReady();
    }

    /** Closes the Admin client and stops the broker gracefully; the data directory stays. */
    @Override
    public void close() {
        try {
            closeAdmin(Duration.ofSeconds(5));
        } finally {
            stop();
        }
    }

    synchronized void closeAdmin(Duration timeout) {
        if (admin != null) {
            admin.close(timeout);
            admin = null;
        }
    }

    private boolean portAccepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(BrokerSpec.HOST, spec.brokerPort()), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private void startProcess() {
        jvm = ChildJvm.launch("kafka-broker-" + spec.nodeId(), ChildJvm.currentJavaBinary(), jvmArgs,
                List.of("-cp", System.getProperty("java.class.path"), "kafka.Kafka", spec.propertiesFile().toString()),
                spec.dataDir(), spec.logFile());
    }

    private void closeAfterFailure(RuntimeException cause) {
        try {
            closeAdmin(Duration.ZERO);
            kill();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void format(BrokerSpec spec, String clusterId) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String[] args = {"format", "--cluster-id", clusterId, "--config", spec.propertiesFile().toString()};
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot format " + spec.logDir() + ": " + e.getMessage(), e);
        }
        String printed = output.toString(StandardCharsets.UTF_8).trim();
        if (exitCode != 0) {
            throw new IllegalStateException("formatting " + spec.logDir() + " failed with exit code " + exitCode
                    + ": " + printed);
        }
        log.info("formatted {} for cluster {}: {}", spec.logDir(), clusterId, printed);
    }
}
