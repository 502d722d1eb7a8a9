package io.checkstripe.producer;

import io.checkstripe.core.CheckstripeException;

/**
 * The Kafka cluster did not answer within the configured time: no broker reachable at the
 * bootstrap address, no leader for a partition, or a request that timed out mid-publish.
 *
 * <p>A distinct type so that command-line tools can tell "Kafka unreachable" (exit code 4)
 * from a usage error or a data problem without parsing messages. It is thrown after a bounded
 * wait ({@value PublisherConfig#KAFKA_TIMEOUT_MS_CONFIG}), never instead of waiting forever.
 * When it interrupts a publish, that checkpoint's transaction is aborted or left open for the
 * next publish of the same application to abort; nothing of it is visible to
 * {@code read_committed} readers.
 */
public final class KafkaUnavailableException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;

    /**
     * @param bootstrapServers the address that was tried, for the message and for callers
     * @param message          what could not be done, and for how long it was tried
     * @param cause            the client's timeout or connection error
     */
    public KafkaUnavailableException(String bootstrapServers, String message, Throwable cause) {
        super(message + " (bootstrap.servers " + bootstrapServers + ")", cause);
        this.bootstrapServers = bootstrapServers;
    }

    /** True: the servers may still acknowledge, or the brokers come back; waiting or trying again can help. */
    @Override
    public boolean retriable() {
        return true;
    }

    /** The {@code bootstrap.servers} value that could not be reached. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
