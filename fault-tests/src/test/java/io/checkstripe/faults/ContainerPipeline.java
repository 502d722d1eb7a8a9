package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import io.checkstripe.broker.LocalPorts;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.TopicNames;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * One checkstripe deployment on {@link KafkaContainers}, every service a container of the checkstripe image, as
 * the compose file runs it: striper instances and one sink per backup server, each sink on a named volume of its
 * own (its disk, which outlives the container) with its HTTP API published on {@code 127.0.0.1}. Publishes and
 * restores run on this host through the published ports, as a user's would; stores are audited by copying them
 * out of the running containers. Topics carry the deployment's own prefix, so deployments can share brokers.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class ContainerPipeline implements Deployment, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerPipeline.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String CONFIG_DIR = "/etc/checkstripe/";
    private static final int HTTP_PORT = 8080;

    private final KafkaContainers kafka;
    private final Network network;
    private final String image;
    private final Path dir;
    private final String name;
    private final RedundancyPolicy policy;
    private final int servers;
    private final RoleConfigs configs;
    private final TopicNames topics;
    private final Map<String, GenericContainer<?>> stripers = new LinkedHashMap<>();
    private final Map<Integer, Sink> sinks = new TreeMap<>();
    private int runs;

    /**
     * @param dir  where the deployment keeps config files, container logs, audited stores and restored files
     * @param name names its containers, volumes and network aliases and (with a dot) prefixes its topics
     */
    ContainerPipeline(KafkaContainers kafka, Network network, String image, Path dir, String name, String policy,
                      int servers) {
        this.kafka = kafka;
        this.network = network;
        this.image = image;
        this.dir = dir;
        this.name = name;
        this.policy = RedundancyPolicy.parse(policy);
        this.servers = servers;
        this.configs = new RoleConfigs(name + ".");
        this.topics = TopicNames.defaults().withPrefix(name + ".");
        for (int i = 0; i < servers; i++) {
            sinks.put(i, new Sink(i));
        }
    }

    @Override
    public TopicNames topics() {
        return topics;
    }

    @Override
    public KafkaContainers kafka() {
        return kafka;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public int servers() {
        return servers;
    }

    @Override
    public int nextRun() {
        return ++runs;
    }

    @Override
    public List<String> kafkaArgs() {
        return List.of("--bootstrap-server", kafka.bootstrapServers(), "--command-config",
                RoleConfigs.write(dir.resolve("config"), "client", configs.client()).toString());
    }

    /** The sinks' HTTP APIs as this host reaches them, e.g. {@code http://127.0.0.1:32771,...}. */
    @Override
    public String sources(int... servers) {
        List<String> urls = new ArrayList<>();
        for (int i : Deployment.orAll(servers, this.servers)) {
            urls.add(sink(i).http().toString());
        }
        return String.join(",", urls);
    }

    /** The sinks' HTTP APIs as the containers of the network reach them, e.g. {@code http://NAME-sink-2:8080}. */
    String internalSources(int... servers) {
        List<String> urls = new ArrayList<>();
        for (int i : servers) {
            urls.add("http://" + sink(i).alias + ":" + HTTP_PORT);
        }
        return String.join(",", urls);
    }

    // ------------------------------------------------------------------ striper

    /** Starts a striper container named {@code instance} and waits until it says it runs. */
    GenericContainer<?> startStriper(String instance) {
        String role = "striper-" + instance;
        GenericContainer<?> striper = service(role, "384m")
                .withCopyToContainer(config(role, configs.striper(Map.of())), CONFIG_DIR + "striper.properties")
                .withCommand("striper", "--bootstrap-server", kafka.internalBootstrapServers(),
                        "--command-config", CONFIG_DIR + "striper.properties", "--policy", policy.name(),
                        "--servers", Integer.toString(servers), "--application-id", name + ".striper",
                        "--replication-factor", "3", "--partitions", "6")
                .waitingFor(Wait.forLogMessage(".*striper running: .*", 1).withStartupTimeout(START_TIMEOUT));
        striper.start();
        stripers.put(instance, striper);
        return striper;
    }

    // ------------------------------------------------------------------ sinks

    Sink sink(int index) {
        return sinks.get(index);
    }

    /** Starts every server's sink container in parallel and waits until each serves HTTP. */
    void startSinks() {
        List<GenericContainer<?>> starting = new ArrayList<>();
        for (Sink sink : sinks.values()) {
            starting.add(sink.create());
        }
        Startables.deepStart(starting).join();
    }

    /** Brings back every sink a scenario left down: started, restarted or reconnected, whichever it needs. */
    void restartStopped() {
        for (Sink sink : sinks.values()) {
            if (sink.container == null) {
                sink.start();
            } else if (!Containers.running(sink.container)) {
                sink.restart();
            } else if (!sink.connected) {
                sink.reconnect();
            }
        }
    }

    /** Waits until every server holds the checkpoint's manifest and all its cells. */
    void awaitProtected(String app, long checkpointId, Duration timeout) {
        for (Sink sink : sinks.values()) {
            Awaitility.await(sink + " holds " + app + "/" + checkpointId).atMost(timeout)
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> SinkApi.complete(sink.http(), app, checkpointId));
        }
    }

    /**
     * Copies every server's store out of its container and asserts that it holds each of its cells of the
     * checkpoint exactly once and intact; returns the cells checked.
     */
    @Override
    public int assertExactlyOnce(String app, long checkpointId, long bytes, int segmentBytes) {
        int segments = (int) ((bytes + segmentBytes - 1) / segmentBytes);
        int cells = 0;
        for (Sink sink : sinks.values()) {
            Path copy = sink.copyStore();
            cells += Stores.assertExactlyOnce(copy, sink.index, servers, policy, app, checkpointId, segments);
        }
        assertThat(cells).as("cells of %s/%d on all servers", app, checkpointId)
                .isEqualTo(segments * policy.totalCells());
        return cells;
    }

    /**
     * Runs {@code checkstripe repair} for server {@code index} in a container of its own on the sink's (new)
     * volume, reading the servers {@code from} over the network; fails unless it exits 0. Returns its output.
     */
    String repair(int index, String app, int... from) {
        Sink sink = sink(index);
        String role = "repair-" + index + "-" + nextRun();
        Containers.Output output = new Containers.Output(dir.resolve("logs").resolve(role + ".log"));
        try (GenericContainer<?> repair = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .withLogConsumer(output)
                .withCreateContainerCmdModifier(cmd -> cmd.withName(name + "-" + role).getHostConfig()
                        .withBinds(new Bind(sink.volume, new Volume("/data"))))
                .withCommand("repair", "--app", app, "--from", internalSources(from), "--server-index",
                        Integer.toString(index), "--data-dir", "/data")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(START_TIMEOUT))) {
            repair.start();
        }
        log.info("repair of server {} into volume {}:\n{}", index, sink.volume, output.text().strip());
        return output.text();
    }

    /** Stops every container (stripers first, so that the sinks get what was striped) and removes the volumes. */
    @Override
    public void close() {
        stripers.values().forEach(GenericContainer::stop);
        for (Sink sink : sinks.values()) {
            sink.remove();
            sink.removeVolume();
        }
    }

    @Override
    public String toString() {
        return "container pipeline " + name + " (" + policy.name() + " over " + servers + " servers, sinks "
                + sinks.values().stream().map(Sink::toString).collect(Collectors.joining(", ")) + ")";
    }

    private GenericContainer<?> service(String role, String heap) {
        return new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .withEnv("CHECKSTRIPE_JAVA_OPTS", "-Xmx" + heap + " -XX:+ExitOnOutOfMemoryError")
                .withLogConsumer(new Containers.Output(dir.resolve("logs").resolve(role + "-" + nextRun() + ".log")))
                .withCreateContainerCmdModifier(cmd -> cmd.withName(name + "-" + role + "-" + runs));
    }

    private static Transferable config(String role, java.util.Properties settings) {
        return Transferable.of(RoleConfigs.bytes(settings, role), 0644);
    }

    /**
     * The sink container of one backup server. Its store is a named volume, so that a container killed (or
     * removed) and started again finds it; {@link #loseWhole()} removes both, like a server that is gone.
     */
    final class Sink {
        private final int index;
        private final String alias;
        private String volume;
        private String tmpfs;
        private GenericContainer<?> container;
        private Containers.Output output;
        private boolean connected = true;

        private Sink(int index) {
            this.index = index;
            this.alias = name + "-sink-" + index;
            this.volume = freshVolumeName();
        }

        int index() {
            return index;
        }

        /** Puts the store on a tmpfs of {@code megabytes} instead of a volume: a small disk; before it starts. */
        Sink onTmpfs(int megabytes) {
            tmpfs = "rw,size=" + megabytes + "m,uid=10001,mode=0755";
            return this;
        }

        /** The HTTP API as this host reaches it now. */
        URI http() {
            if (container == null) {
                throw new IllegalStateException(this + " has no container");
            }
            return URI.create("http://" + LocalPorts.HOST + ":" + Containers.hostPort(container, HTTP_PORT));
        }

        GenericContainer<?> container() {
            return container;
        }

        /** What the sink printed since its container started. */
        String output() {
            return output.text();
        }

        /** Starts a new container on the sink's store (after {@link #loseWhole()}) and waits until it serves HTTP. */
        Sink start() {
            create().start();
            return this;
        }

        /** {@code docker kill}: the container and its volume stay, as after a power loss. */
        void kill() {
            Containers.kill(container);
            log.info("killed {}", alias);
        }

        /** {@code docker start} of the killed container, on its volume, and waits until it serves HTTP again. */
        void restart() {
            Containers.restart(container, output);
            Awaitility.await(alias + " serves HTTP again").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> SinkApi.server(http()).path("state").asText().equals("RUNNING"));
            log.info("restarted {}", alias);
        }

        /** The server lost whole: its container killed and removed, its volume deleted; a new one comes empty. */
        void loseWhole() {
            kill();
            remove();
            removeVolume();
            volume = freshVolumeName();
            log.info("lost {} and its volume", alias);
        }

        /** {@code docker network disconnect}: the sink sees neither brokers nor clients, and they not it. */
        void disconnect() {
            Containers.docker().disconnectFromNetworkCmd().withNetworkId(network.getId())
                    .withContainerId(container.getContainerId()).withForce(true).exec();
            connected = false;
            log.info("disconnected {} from the network", alias);
        }

        /** {@code docker network connect} under its alias again. */
        void reconnect() {
            Containers.docker().connectToNetworkCmd().withNetworkId(network.getId())
                    .withContainerId(container.getContainerId())
                    .withContainerNetwork(new ContainerNetwork().withAliases(alias)).exec();
            connected = true;
            log.info("reconnected {} to the network", alias);
        }

        /** A copy of the store's files as they are now, in a fresh directory under the deployment's. */
        Path copyStore() {
            return Containers.copyOut(container, "/data", dir.resolve("audit").resolve(alias + "-" + nextRun()));
        }

        /** Runs a shell command in the sink's container (as its user) and returns its output. */
        String shell(String command) {
            return Containers.exec(container, "bash", "-c", command);
        }

        private GenericContainer<?> create() {
            output = new Containers.Output(dir.resolve("logs").resolve(alias + "-" + nextRun() + ".log"));
            ExposedPort http = ExposedPort.tcp(HTTP_PORT);
            container = new GenericContainer<>(DockerImageName.parse(image))
                    .withNetwork(network)
                    .withNetworkAliases(alias)
                    .withEnv("CHECKSTRIPE_JAVA_OPTS", "-Xmx256m -XX:+ExitOnOutOfMemoryError")
                    .withLogConsumer(output)
                    .withCopyToContainer(config("sink", configs.sink()), CONFIG_DIR + "sink.properties")
                    .withCommand("sink", "--bootstrap-server", kafka.internalBootstrapServers(), "--command-config",
                            CONFIG_DIR + "sink.properties", "--server-index", Integer.toString(index), "--data-dir",
                            "/data", "--http-host", "0.0.0.0", "--http-port", Integer.toString(HTTP_PORT))
                    .withCreateContainerCmdModifier(cmd -> {
                        cmd.withName(alias + "-" + runs).withExposedPorts(http);
                        var host = cmd.getHostConfig().withMemory(512L << 20)
                                .withPortBindings(new PortBinding(Ports.Binding.bindIp(LocalPorts.HOST), http));
                        if (tmpfs == null) {
                            host.withBinds(new Bind(volume, new Volume("/data")));
                        } else {
                            host.withTmpFs(Map.of("/data", tmpfs));
                        }
                    })
                    .waitingFor(Wait.forLogMessage(".*sink \\d+ running: .*", 1).withStartupTimeout(START_TIMEOUT));
            connected = true;
            return container;
        }

        private void remove() {
            Optional.ofNullable(container).ifPresent(GenericContainer::stop);
            container = null;
        }

        private void removeVolume() {
            if (tmpfs == null) {
                try {
                    Containers.docker().removeVolumeCmd(volume).exec();
                } catch (NotFoundException e) {
                    log.debug("volume {} was never created", volume);
                }
            }
        }

        private String freshVolumeName() {
            return alias + "-" + UUID.randomUUID().toString().substring(0, 8);
        }

        @Override
        public String toString() {
            return alias + (container == null ? " (down)" : connected ? "" : " (disconnected)");
        }
    }
}
