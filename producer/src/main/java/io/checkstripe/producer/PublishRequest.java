package io.checkstripe.producer;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import io.checkstripe.crypto.ProtectionMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What to publish a checkpoint as: the application, optionally its checkpoint id, the
 * application's metadata, whether to wait until every backup server holds it, and optionally
 * the redundancy policy it asks for.
 *
 * <p>The application id is validated here, so a bad one is refused before anything reaches
 * Kafka. Without a checkpoint id the publisher takes the one after the application's newest
 * committed checkpoint; an explicit id must be newer than that. Immutable.
 *
 * @param appId         a valid application id ({@link AppId})
 * @param checkpointId  the checkpoint id to use, or empty for the next one
 * @param metadata      free-form properties copied into the commit and the manifest (stored in the clear,
 *                      signed when publishing with a key); keys starting with
 *                      {@value ProtectionMetadata#RESERVED_PREFIX} are checkstripe's own
 * @param waitProtected whether {@link CheckpointPublisher#publish} returns only once every
 *                      backup server acknowledged the checkpoint
 * @param policy        the policy the checkpoint asks to be striped with, or empty for the
 *                      publisher's {@value PublisherConfig#PUBLISH_POLICY_CONFIG} (and without that,
 *                      the striper's default); the striper refuses one it does not allow
 */
public record PublishRequest(String appId, OptionalLong checkpointId, Map<String, String> metadata,
                             boolean waitProtected, Optional<RedundancyPolicy> policy) {

    /**
     * @throws IllegalArgumentException naming a bad application id, a negative checkpoint id,
     *     a null metadata key or value, or a metadata key with the reserved prefix
     */
    public PublishRequest {
        AppId.validate(appId);
        if (checkpointId == null) {
            throw new IllegalArgumentException("checkpointId must be given or OptionalLong.empty(), not null");
        }
        if (checkpointId.isPresent() && checkpointId.getAsLong() < 0) {
            throw new IllegalArgumentException("invalid checkpoint id " + checkpointId.getAsLong() + " of application "
                    + appId + ": must not be negative");
        }
        if (metadata == null) {
            throw new IllegalArgumentException("metadata must not be null; use an empty map");
        }
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("metadata of application " + appId + " has a null key or value: "
                        + key + "=" + value);
            }
            if (ProtectionMetadata.isReserved(key)) {
                throw new IllegalArgumentException("metadata key " + key + " of application " + appId + " starts with "
                        + ProtectionMetadata.RESERVED_PREFIX + ", which is reserved for checkstripe's own keys");
            }
        });
        metadata = Map.copyOf(metadata);
        if (policy == null) {
            throw new IllegalArgumentException("policy must be given or Optional.empty(), not null");
        }
    }

    /** A request that leaves the policy to the publisher's configuration. */
    public PublishRequest(String appId, OptionalLong checkpointId, Map<String, String> metadata,
                          boolean waitProtected) {
        this(appId, checkpointId, metadata, waitProtected, Optional.empty());
    }

    /** The next checkpoint of {@code appId}, no metadata, not waiting for protection. */
    public static PublishRequest of(String appId) {
        return new PublishRequest(appId, OptionalLong.empty(), Map.of(), false, Optional.empty());
    }

    /** This request with an explicit checkpoint id. */
    public PublishRequest withCheckpointId(long id) {
        return new PublishRequest(appId, OptionalLong.of(id), metadata, waitProtected, policy);
    }

    /** This request with the application's metadata. */
    public PublishRequest withMetadata(Map<String, String> properties) {
        return new PublishRequest(appId, checkpointId, properties, waitProtected, policy);
    }

    /** This request, waiting (or not) until every backup server acknowledged the checkpoint. */
    public PublishRequest withWaitProtected(boolean wait) {
        return new PublishRequest(appId, checkpointId, metadata, wait, policy);
    }

    /**
     * This request, asking for the policy {@code name} (e.g. {@code RS-6-3}).
     *
     * @throws IllegalArgumentException naming the bad name when it is no policy
     */
    public PublishRequest withPolicy(String name) {
        return new PublishRequest(appId, checkpointId, metadata, waitProtected,
                Optional.of(RedundancyPolicy.parse(name)));
    }
}
