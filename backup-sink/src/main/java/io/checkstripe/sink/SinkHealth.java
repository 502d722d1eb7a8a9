package io.checkstripe.sink;

import java.time.Instant;
import java.util.Objects;

/**
 * What a backup sink is doing, for the HTTP API ({@code GET /v1/server}), the CLI and tests: a stalled sink
 * (full disk, I/O error, Kafka refusing a dead letter) keeps serving reads and says why it stopped consuming.
 * Immutable and thread-safe.
 *
 * @param state  the state
 * @param reason why the sink is stalled or failed; null otherwise
 * @param since  when the sink entered this state
 */
public record SinkHealth(State state, String reason, Instant since) {

    /** The sink's states. */
    public enum State {
        /** Opening its store and connecting; nothing consumed yet. */
        STARTING,
        /** Consuming and storing. */
        RUNNING,
        /** Not consuming: the store or Kafka failed; retrying with backoff. {@link #reason()} says why. */
        STALLED,
        /** Stopped by an error it cannot retry (out of memory, say); {@link #reason()} says which. Close it. */
        FAILED,
        /** Closed. */
        STOPPED
    }

    /** @throws IllegalArgumentException when a stalled health has no reason, or another state has one */
    public SinkHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        boolean needsReason = state == State.STALLED || state == State.FAILED;
        if (needsReason != (reason != null)) {
            throw new IllegalArgumentException("state " + state + " with reason " + reason
                    + ": a reason is given exactly when the sink is stalled or failed");
        }
    }

    static SinkHealth of(State state) {
        return new SinkHealth(state, null, Instant.now());
    }

    static SinkHealth stalled(String reason) {
        return new SinkHealth(State.STALLED, reason, Instant.now());
    }

    static SinkHealth failed(String reason) {
        return new SinkHealth(State.FAILED, reason, Instant.now());
    }
}
