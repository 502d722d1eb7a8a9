package io.checkstripe.producer;

import java.util.Map;

/**
 * Publishes a generated checkpoint from a JVM started with a small heap by
 * {@link BoundedMemoryIntegrationTest}, and prints the result on one line. Arguments:
 * bootstrap servers, topic prefix, length in bytes, seed.
 */
final class BoundedMemoryPublish {

    /** The line prefix the test looks for. */
    static final String RESULT = "RESULT ";

    private BoundedMemoryPublish() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> props = Map.of(
                PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                PublisherConfig.TOPIC_PREFIX_CONFIG, args[1]);
        try (CheckpointPublisher publisher = new CheckpointPublisher(props)) {
            PublishResult result = publisher.publish(PublishRequest.of("big"),
                    new GeneratedInput(Long.parseLong(args[2]), Long.parseLong(args[3])));
            System.out.println(RESULT + result.checkpointId() + " " + result.segments() + " " + result.totalBytes() + " "
                    + result.sha256() + " maxHeap " + Runtime.getRuntime().maxMemory());
        }
    }
}
