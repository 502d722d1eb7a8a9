package io.checkstripe.schemas;

import java.util.List;

/**
 * The names of the topics checkstripe uses, in one value so that every program of a deployment
 * is configured the same way.
 *
 * <p>Defaults are {@code checkpoints}, {@code stripes}, {@code checkpoint-manifests},
 * {@code checkpoint-acks} and {@code checkpoints-dlq}. Several deployments can share a cluster
 * by giving each a {@linkplain #withPrefix(String) prefix}, and any single name can be
 * overridden with its {@code with...} method. Immutable and thread-safe.
 *
 * @param checkpoints published segments and commits (key: appId)
 * @param stripes     stripe units and manifests, one partition per backup server
 * @param manifests   compacted manifests (key: appId/checkpointId)
 * @param acks        backup servers' durability acknowledgements
 * @param deadLetters records the striper could not process, reason in headers
 */
public record TopicNames(String checkpoints, String stripes, String manifests, String acks, String deadLetters) {

    /** Longest topic name Kafka accepts. */
    public static final int MAX_TOPIC_LENGTH = 249;

    private static final TopicNames DEFAULTS = new TopicNames(
            "checkpoints", "stripes", "checkpoint-manifests", "checkpoint-acks", "checkpoints-dlq");

    /**
     * Validates every name against Kafka's topic name rule and requires them to be distinct.
     *
     * @throws IllegalArgumentException naming the bad or repeated name
     */
    public TopicNames {
        checkTopic("checkpoints", checkpoints);
        checkTopic("stripes", stripes);
        checkTopic("manifests", manifests);
        checkTopic("acks", acks);
        checkTopic("deadLetters", deadLetters);
        List<String> all = List.of(checkpoints, stripes, manifests, acks, deadLetters);
        for (int i = 0; i < all.size(); i++) {
            if (all.indexOf(all.get(i)) != i) {
                throw new IllegalArgumentException("topic name \"" + all.get(i) + "\" is used for two purposes in "
                        + all + "; every checkstripe topic needs its own name");
            }
        }
    }

    /** The default names. */
    public static TopicNames defaults() {
        return DEFAULTS;
    }

    /**
     * Every name with {@code prefix} in front, e.g. {@code withPrefix("prod.")} gives
     * {@code prod.checkpoints}, {@code prod.stripes}, ...
     *
     * @throws IllegalArgumentException when a prefixed name is not a legal topic name
     */
    public TopicNames withPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null");
        }
        return new TopicNames(prefix + checkpoints, prefix + stripes, prefix + manifests, prefix + acks,
                prefix + deadLetters);
    }

    /** These names with another checkpoints topic. */
    public TopicNames withCheckpoints(String name) {
        return new TopicNames(name, stripes, manifests, acks, deadLetters);
    }

    /** These names with another stripes topic. */
    public TopicNames withStripes(String name) {
        return new TopicNames(checkpoints, name, manifests, acks, deadLetters);
    }

    /** These names with another manifests topic. */
    public TopicNames withManifests(String name) {
        return new TopicNames(checkpoints, stripes, name, acks, deadLetters);
    }

    /** These names with another acks topic. */
    public TopicNames withAcks(String name) {
        return new TopicNames(checkpoints, stripes, manifests, name, deadLetters);
    }

    /** These names with another dead-letter topic. */
    public TopicNames withDeadLetters(String name) {
        return new TopicNames(checkpoints, stripes, manifests, acks, name);
    }

    /** Every name, in declaration order. */
    public List<String> all() {
        return List.of(checkpoints, stripes, manifests, acks, deadLetters);
    }

    /** Kafka's rule: 1 to 249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}. */
    private static void checkTopic(String role, String name) {
        boolean valid = name != null && !name.isEmpty() && name.length() <= MAX_TOPIC_LENGTH
                && !name.equals(".") && !name.equals("..") && name.chars().allMatch(TopicNames::legal);
        if (!valid) {
            throw new IllegalArgumentException("invalid " + role + " topic name "
                    + (name == null ? "null" : "\"" + name + "\"")
                    + ": must be 1 to " + MAX_TOPIC_LENGTH + " of [a-zA-Z0-9._-], not \".\" or \"..\"");
        }
    }

    private static boolean legal(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }
}
