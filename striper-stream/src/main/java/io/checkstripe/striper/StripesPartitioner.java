package io.checkstripe.striper;

import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.striping.SegmentStriper;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Routes records of the stripes topic, where partition i is backup server i: a
 * {@link StripeUnit} to the one server that stores it ({@link SegmentStriper#serverOf}), a
 * {@link CheckpointManifest} to every server (multicast, so each sink learns of every
 * checkpoint from its own partition).
 *
 * <p>The partition is derived from the record alone, never from the topic's partition count;
 * the job checks at start that the stripes topic has exactly N partitions, so the two agree.
 * Immutable and thread-safe.
 */
public final class StripesPartitioner implements StreamPartitioner<String, SpecificRecord> {

    private final Set<Integer> everyServer;

    /** @param servers N, the number of backup servers */
    public StripesPartitioner(int servers) {
        if (servers < 1) {
            throw new IllegalArgumentException("servers must be at least 1, got " + servers);
        }
        this.everyServer = IntStream.range(0, servers).boxed().collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, SpecificRecord value, int numPartitions) {
        if (value instanceof StripeUnit unit) {
            return Optional.of(Set.of(SegmentStriper.serverOf(unit)));
        }
        if (value instanceof CheckpointManifest) {
            return Optional.of(everyServer);
        }
        throw new IllegalArgumentException("the stripes topic " + topic + " carries StripeUnit and CheckpointManifest "
                + "records only, got " + (value == null ? "null" : value.getClass().getName()));
    }
}
