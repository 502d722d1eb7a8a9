package io.checkstripe.broker;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client listener a broker process opens besides its loopback {@code PLAINTEXT} listener (which the
 * node's own Admin probe, the inter-broker traffic and {@link KafkaBrokers#admin()} keep using): a
 * {@code SASL_SSL} listener for tests of authentication and ACLs, say. It binds 127.0.0.1 like the others
 * and is advertised as such; its security settings ({@code ssl.*}, {@code sasl.*},
 * {@code listener.name.<name>.*}) are broker settings the caller passes with it.
 *
 * @param name             the listener name, upper case, e.g. {@code SASL_SSL} or {@code CLIENTS}
 * @param securityProtocol one of Kafka's security protocols: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
 * @param port             the port on 127.0.0.1
 */
public record BrokerListener(String name, String securityProtocol, int port) {

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    /** The names {@link BrokerSpec} gives its own listeners. */
    private static final Set<String> RESERVED = Set.of("PLAINTEXT", "CONTROLLER");

    /** @throws IllegalArgumentException naming the bad name, protocol or port */
    public BrokerListener {
        if (name == null || !NAME.matcher(name).matches() || RESERVED.contains(name)) {
            throw new IllegalArgumentException("listener name must be upper case letters, digits and _, and not "
                    + RESERVED + ": " + name);
        }
        if (securityProtocol == null || !PROTOCOLS.contains(securityProtocol.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("security protocol must be one of " + PROTOCOLS + ": "
                    + securityProtocol);
        }
        securityProtocol = securityProtocol.toUpperCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of listener " + name + " must be between 1 and 65535: " + port);
        }
    }

    /** {@code host:port} of this listener, the {@code bootstrap.servers} of its clients. */
    public String address() {
        return LocalPorts.HOST + ":" + port;
    }
}
