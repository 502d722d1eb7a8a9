package io.checkstripe.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code --command-config} files of a scenario's deployment, one per role, as an operator would write them:
 * the topic and transactional-id prefix for everyone (so that deployments sharing brokers do not see each other);
 * for stripers a 6 s consumer session (the broker's minimum), so that a killed instance leaves its group in
 * seconds rather than 45; for sinks a short retry backoff, so that a stalled sink retries quickly. Each role may
 * have settings of its own on top ({@link #with}): its credentials on a secured cluster, say.
 *
 * @param prefix the prefix of topic names, the Streams application id and transactional ids
 * @param roles  settings of one role ({@link #CLIENT}, {@link #STRIPER}, {@link #SINK}) over the others
 */
record RoleConfigs(String prefix, Map<String, Map<String, String>> roles) {

    /** The role of publish, status and restore. */
    static final String CLIENT = "client";
    static final String STRIPER = "striper";
    static final String SINK = "sink";

    RoleConfigs {
        roles = Map.copyOf(roles);
    }

    RoleConfigs(String prefix) {
        this(prefix, Map.of());
    }

    /** These configs with {@code settings} added to every file of {@code role}. */
    RoleConfigs with(String role, Map<String, String> settings) {
        Map<String, Map<String, String>> all = new HashMap<>(roles);
        all.put(role, Map.copyOf(settings));
        return new RoleConfigs(prefix, all);
    }

    /** Settings of publish, status and restore: the prefix alone. */
    Properties client() {
        return withRole(base(), CLIENT);
    }

    /** Settings of a striper instance, plus {@code extra} (its state directory, say). */
    Properties striper(Map<String, String> extra) {
        Properties p = base();
        p.setProperty("session.timeout.ms", "6000");
        p.setProperty("heartbeat.interval.ms", "1500");
        extra.forEach(p::setProperty);
        return withRole(p, STRIPER);
    }

    /** Settings of a sink. */
    Properties sink() {
        Properties p = base();
        p.setProperty("checkstripe.retry.backoff.ms", "200");
        p.setProperty("checkstripe.retry.backoff.max.ms", "2000");
        return withRole(p, SINK);
    }

    private Properties base() {
        Properties p = new Properties();
        p.setProperty("checkstripe.topic.prefix", prefix);
        p.setProperty("checkstripe.transactional.id.prefix", prefix + "publish-");
        return p;
    }

    private Properties withRole(Properties p, String role) {
        roles.getOrDefault(role, Map.of()).forEach(p::setProperty);
        return p;
    }

    /** The file's bytes in the properties format. */
    static byte[] bytes(Properties settings, String role) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            settings.store(out, "checkstripe fault tests: " + role);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes {@code settings} to {@code dir/ROLE.properties} and returns the file. */
    static Path write(Path dir, String role, Properties settings) {
        Path file = dir.resolve(role + ".properties");
        try {
            Files.createDirectories(dir);
            Files.write(file, bytes(settings, role));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
