package io.checkstripe.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a process is doing its job, as {@code GET /health} answers it to load balancers, orchestrators and
 * {@code docker-compose}: 200 only when {@link #healthy()}, 503 otherwise, with the state and the reason in both
 * cases so that a person reading the answer learns why. Immutable.
 *
 * @param state   the process's own state name ({@code RUNNING}, {@code STARTING}, {@code STALLED}, ...)
 * @param healthy whether the process does its job now
 * @param reason  why it does not, or what it waits for; null when healthy
 * @param details further fields of the answer (lag, offsets, ...), in order; copied
 */
public record Health(String state, boolean healthy, String reason, Map<String, Object> details) {

    /** @throws IllegalArgumentException when an unhealthy answer has no reason, or a healthy one has one */
    public Health {
        Objects.requireNonNull(state, "state");
        if (healthy == (reason != null)) {
            throw new IllegalArgumentException("health " + state + (healthy ? " is healthy" : " is not healthy")
                    + " with reason " + reason + ": a reason is given exactly when not healthy");
        }
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static Health healthy(String state, Map<String, Object> details) {
        return new Health(state, true, null, details);
    }

    public static Health unhealthy(String state, String reason, Map<String, Object> details) {
        return new Health(state, false, Objects.requireNonNull(reason, "reason"), details);
    }

    /** The HTTP status of the answer: 200 or 503. */
    public int httpStatus() {
        return healthy ? 200 : 503;
    }

    /** The answer's JSON fields: {@code state}, {@code healthy}, {@code reason} when unhealthy, then the details. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("state", state);
        fields.put("healthy", healthy);
        if (reason != null) {
            fields.put("reason", reason);
        }
        fields.putAll(details);
        return fields;
    }
}
