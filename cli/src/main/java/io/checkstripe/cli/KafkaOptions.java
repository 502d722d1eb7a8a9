package io.checkstripe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Kafka connection options spelled as Kafka's own tools spell them, shared by every command
 * that talks to a cluster. {@code --command-config} supplies client properties (security,
 * timeouts); {@code --bootstrap-server} wins over a {@code bootstrap.servers} in that file.
 */
final class KafkaOptions {

    /** The user name of a SASL login module (SCRAM, PLAIN) in {@code sasl.jaas.config}; never the password. */
    private static final Pattern JAAS_USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

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

    /**
     * The Kafka principal this command authenticates as, {@code User:<name>}, when its {@code --command-config}
     * names a SASL user; empty without one (no SASL, or a certificate's principal, which the broker maps).
     */
    Optional<String> principal() {
        if (commandConfig == null || !Files.isRegularFile(commandConfig)) {
            return Optional.empty();
        }
        String jaas;
        try {
            jaas = load(commandConfig).get(SaslConfigs.SASL_JAAS_CONFIG);
        } catch (UsageException unreadable) {
            return Optional.empty();
        }
        Matcher user = JAAS_USERNAME.matcher(jaas == null ? "" : jaas);
        return user.find() ? Optional.of("User:" + user.group(1)) : Optional.empty();
    }

    /** The principal of {@code command}'s Kafka options ({@link #principal()}), empty for a command without them. */
    static Optional<String> principalOf(CommandLine command) {
        return command.getMixins().values().stream().filter(KafkaOptions.class::isInstance)
                .map(KafkaOptions.class::cast).findFirst().flatMap(KafkaOptions::principal);
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
