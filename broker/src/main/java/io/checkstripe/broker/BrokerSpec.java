package io.checkstripe.broker;

import io.checkstripe.core.DurableFiles;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything needed to write one combined broker+controller node's {@code server.properties}:
 * node id, data directory, client and controller ports, the static controller quorum and the
 * broker settings, and any extra client listeners ({@link BrokerListener}). Listeners bind 127.0.0.1 only.
 *
 * <p>On-disk layout under {@code dataDir}: {@code server.properties} (rewritten on every start,
 * atomically), {@code kafka-logs/} (log.dirs, also the metadata log; {@code meta.properties}
 * there marks a formatted directory), {@code broker.log} (the process's output, appended).
 */
record BrokerSpec(int nodeId, Path dataDir, int brokerPort, int controllerPort, String quorumVoters,
                  Map<String, String> brokerConfig, List<BrokerListener> extraListeners) {

    static final String HOST = LocalPorts.HOST;

    /** The two ports of one node. */
    record Ports(int broker, int controller) {
    }
    private static final Pattern LISTENER_PORT = Pattern.compile("(?:^|,)(PLAINTEXT|CONTROLLER)://[^:,]*:(\\d+)");

    BrokerSpec {
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId must not be negative: " + nodeId);
        }
        checkPort("brokerPort", brokerPort);
        checkPort("controllerPort", controllerPort);
        if (brokerPort == controllerPort) {
            throw new IllegalArgumentException("broker and controller ports must differ: " + brokerPort);
        }
        for (BrokerListener listener : extraListeners) {
            if (listener.port() == brokerPort || listener.port() == controllerPort) {
                throw new IllegalArgumentException("listener " + listener.name() + " must have a port of its own: "
                        + listener.port());
            }
        }
        dataDir = dataDir.toAbsolutePath();
        brokerConfig = Map.copyOf(brokerConfig);
        extraListeners = List.copyOf(extraListeners);
    }

    /** A node with the PLAINTEXT and CONTROLLER listeners only. */
    BrokerSpec(int nodeId, Path dataDir, int brokerPort, int controllerPort, String quorumVoters,
               Map<String, String> brokerConfig) {
        this(nodeId, dataDir, brokerPort, controllerPort, quorumVoters, brokerConfig, List.of());
    }

    Path propertiesFile() {
        return dataDir.resolve("server.properties");
    }

    Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    Path logFile() {
        return dataDir.resolve("broker.log");
    }

    boolean isFormatted() {
        return Files.exists(logDir().resolve("meta.properties"));
    }

    String bootstrapAddress() {
        return HOST + ":" + brokerPort;
    }

    /** One voter of {@code controller.quorum.voters}: {@code id@host:controllerPort}. */
    static String controllerVoter(int nodeId, int controllerPort) {
        return nodeId + "@" + HOST + ":" + controllerPort;
    }

    /** The server.properties text: fixed topology settings first, then the broker settings. */
    String serverProperties() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(nodeId));
        StringBuilder listeners = new StringBuilder("PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST
                + ":" + controllerPort);
        StringBuilder advertised = new StringBuilder("PLAINTEXT://" + bootstrapAddress());
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        for (BrokerListener listener : extraListeners) {
            listeners.append(',').append(listener.name()).append("://").append(listener.address());
            advertised.append(',').append(listener.name()).append("://").append(listener.address());
            protocols.append(',').append(listener.name()).append(':').append(listener.securityProtocol());
        }
        config.put("listeners", listeners.toString());
        config.put("advertised.listeners", advertised.toString());
        config.put("listener.security.protocol.map", protocols.toString());
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("controller.quorum.voters", quorumVoters);
        config.put("log.dirs", logDir().toString());
        config.putAll(brokerConfig);
        StringBuilder text = new StringBuilder("# Written by checkstripe BrokerProcess; rewritten on every start.\n");
        config.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
        return text.toString();
    }

    void writeProperties() {
        try {
            DurableFiles.writeAtomically(propertiesFile(), serverProperties().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + propertiesFile(), e);
        }
    }

    /** The cluster id in {@code dataDir}'s formatted log directory, if it is formatted. */
    static Optional<String> recordedClusterId(Path dataDir) {
        return Optional.ofNullable(load(dataDir.resolve("kafka-logs").resolve("meta.properties")).getProperty("cluster.id"));
    }

    /**
     * The client and controller ports recorded in an existing {@code dataDir/server.properties},
     * so a broker restarted on the same directory keeps its address.
     */
    static Optional<Ports> recordedPorts(Path dataDir) {
        Properties properties = load(dataDir.resolve("server.properties"));
        int broker = 0;
        int controller = 0;
        Matcher matcher = LISTENER_PORT.matcher(properties.getProperty("listeners", ""));
        while (matcher.find()) {
            int port = Integer.parseInt(matcher.group(2));
            if (matcher.group(1).equals("PLAINTEXT")) {
                broker = port;
            } else {
                controller = port;
            }
        }
        return broker > 0 && controller > 0 ? Optional.of(new Ports(broker, controller)) : Optional.empty();
    }

    /** The properties in {@code file}; empty when it does not exist. */
    private static Properties load(Path file) {
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return properties;
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 1 and 65535: " + port);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
