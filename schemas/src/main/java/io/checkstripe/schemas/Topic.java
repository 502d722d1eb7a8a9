package io.checkstripe.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic's name with the serdes of its keys and values, so that producers, consumers and the
 * Streams topology cannot pair a topic with the wrong serde. Immutable; the serdes are
 * thread-safe.
 *
 * @param name       the topic name
 * @param keySerde   serde of the record keys
 * @param valueSerde serde of the record values
 * @param <K>        key type
 * @param <V>        value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    /** @throws IllegalArgumentException when a part is missing */
    public Topic {
        if (name == null || keySerde == null || valueSerde == null) {
            throw new IllegalArgumentException("topic name and serdes must not be null, got name " + name
                    + ", key serde " + keySerde + ", value serde " + valueSerde);
        }
    }
}
