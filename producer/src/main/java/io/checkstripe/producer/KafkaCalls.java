package io.checkstripe.producer;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Bounded waits on Kafka clients, turning every "no answer in time" into a
 * {@link KafkaUnavailableException} that names the operation, the wait and the bootstrap
 * servers.
 */
final class KafkaCalls {

    private KafkaCalls() {
    }

    /**
     * Waits for an Admin result.
     *
     * @throws KafkaUnavailableException when it does not complete within {@code timeout} or
     *     fails with a Kafka timeout
     * @throws RuntimeException the Admin call's own failure (e.g. an unknown topic), as it is
     */
    static <T> T get(KafkaFuture<T> future, Duration timeout, String bootstrapServers, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("interrupted while trying to " + what, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unavailable(bootstrapServers, what, timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (isTimeout(cause)) {
                throw unavailable(bootstrapServers, what, timeout, cause);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new KafkaException("cannot " + what + ": " + cause, cause);
        }
    }

    /**
     * The partitions of {@code topic}, or an empty list when it does not exist.
     *
     * @throws KafkaUnavailableException when the cluster does not answer within {@code timeout}
     */
    static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Duration timeout,
                                           String bootstrapServers) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (TimeoutException e) {
            throw unavailable(bootstrapServers, "read the partitions of topic " + topic, timeout, e);
        }
        return infos == null ? List.of()
                : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                        .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    /** Whether {@code error} or one of its causes is a Kafka timeout. */
    static boolean isTimeout(Throwable error) {
        return causedBy(error, TimeoutException.class);
    }

    /** Whether {@code error} or one of its causes is a {@code type}. */
    static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static KafkaUnavailableException unavailable(String bootstrapServers, String what, Duration timeout,
                                                 Throwable cause) {
        return new KafkaUnavailableException(bootstrapServers, "Kafka did not answer within " + timeout.toMillis()
                + " ms: cannot " + what, cause);
    }
}
