package io.checkstripe.producer;

import io.checkstripe.core.CheckstripeException;
import java.util.Optional;

/**
 * The checkpoint is refused and will never be protected: the striper sent its records to the dead-letter
 * topic (a policy it does not allow, too few servers for the policy, a bad signature, ...), or the publisher
 * saw before sending anything that it would be. Waiting does not help, so a publish that waits for protection
 * fails at once with the striper's reason and detail instead of timing out.
 *
 * <p>The reason is the dead-letter code ({@code io.checkstripe.schemas.DeadLetterReason#code()}, e.g.
 * {@code policy-not-allowed}), kept as text because a newer striper may give one this version does not know.
 */
public final class CheckpointRejectedException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String appId;
    private final long checkpointId;
    private final String reason;
    private final String detail;
    private final transient Optional<PublishResult> committed;

    /**
     * @param appId        the application
     * @param checkpointId the checkpoint refused
     * @param reason       the dead-letter reason code
     * @param detail       what the striper (or the publisher's own check) said about it
     */
    public CheckpointRejectedException(String appId, long checkpointId, String reason, String detail) {
        this("checkpoint " + checkpointId + " of application " + appId + " was refused (" + reason + "): " + detail,
                appId, checkpointId, reason, detail, Optional.empty());
    }

    private CheckpointRejectedException(String message, String appId, long checkpointId, String reason, String detail,
                                        Optional<PublishResult> committed) {
        super(message);
        this.appId = appId;
        this.checkpointId = checkpointId;
        this.reason = reason;
        this.detail = detail;
        this.committed = committed;
    }

    /** The same facts, stating that the checkpoint was committed to Kafka as {@code result} describes. */
    CheckpointRejectedException committed(PublishResult result) {
        CheckpointRejectedException e = new CheckpointRejectedException("committed, but " + getMessage(), appId,
                checkpointId, reason, detail, Optional.of(result));
        e.initCause(this);
        return e;
    }

    public String appId() {
        return appId;
    }

    public long checkpointId() {
        return checkpointId;
    }

    /** The dead-letter reason code, e.g. {@code policy-not-allowed}. */
    public String reason() {
        return reason;
    }

    /** What the refusal said: the striper's exception header, or the publisher's own message. */
    public String detail() {
        return detail;
    }

    /** The checkpoint committed to Kafka before the striper refused it; empty when nothing was sent. */
    public Optional<PublishResult> committedResult() {
        return committed;
    }
}
