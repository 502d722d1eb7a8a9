package io.checkstripe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * Kafka connection options spelled as Kafka's own tools spell them, shared by every command
 * that talks to a cluster. {@code --command-config} supplies client properties (security,
 * timeouts); {@code --bootstrap-server} wins over a {@code bootstrap.servers} in that file.
 */
final class KafkaOptions {

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to.")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Properties file with Kafka client and schema registry settings (security, timeouts).")
    Path commandConfig;

    @Option(names = "--schema-registry", paramLabel = "URL[,URL...]",
            description = "Confluent-compatible schema registry URLs, failed over in order; credentials, TLS and "
                    + "retries go in the --command-config file (basic.auth.*, schema.registry.ssl.*). Default: the "
                    + "embedded registry, whose schema ids every checkstripe process derives the same way.")
    String schemaRegistry;

    /** Client properties: the command config file, then the bootstrap servers and the registry. */
    Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        if (commandConfig != null) {
            props.putAll(load(commandConfig));
        }
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (schemaRegistry != null && !schemaRegistry.isBlank()) {
            props.put("schema.registry.url", schemaRegistry);
        }
        return props;
    }

    /** The properties in {@code file}, as {@code --command-config} reads them. */
    static Map<String, String> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--command-config: no such file: " + file);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--command-config: cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
