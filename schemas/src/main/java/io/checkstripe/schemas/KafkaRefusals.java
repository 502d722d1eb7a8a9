package io.checkstripe.schemas;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Tells Kafka refusing a principal (it did not authenticate, or an ACL is missing) from every other failure, in
 * one place for every checkstripe process: retrying cannot fix a refusal, only an operator can, so the striper and
 * the sinks stop on one instead of retrying for ever, and the CLI exits with a code of its own.
 */
public final class KafkaRefusals {

    private KafkaRefusals() {
    }

    /** Whether {@code t} itself is a refusal: an {@link AuthenticationException} or {@link AuthorizationException}. */
    public static boolean isRefusal(Throwable t) {
        return t instanceof AuthorizationException || t instanceof AuthenticationException;
    }

    /** Whether {@code failure} or one of its causes is a refusal. */
    public static boolean causedByRefusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (isRefusal(t)) {
                return true;
            }
        }
        return false;
    }
}
