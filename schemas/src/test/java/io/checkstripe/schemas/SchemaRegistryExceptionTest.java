package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.core.CheckstripeException;
import org.junit.jupiter.api.Test;

class SchemaRegistryExceptionTest {

    @Test
    void onlyASilentOrFailingRegistryIsWorthAnotherTry() {
        assertThat(failure(SchemaRegistryException.NO_RESPONSE).retriable()).isTrue();
        assertThat(failure(503).retriable()).isTrue();
        assertThat(failure(409).retriable()).as("incompatible schema").isFalse();
        assertThat(failure(404).retriable()).as("not found").isFalse();
        assertThat(failure(408).retriable()).as("request timeout").isTrue();
        assertThat(failure(429).retriable()).as("too many requests").isTrue();
        assertThat(failure(401).retriable()).as("credentials refused").isFalse();
        assertThat(failure(403).retriable()).as("not authorized").isFalse();
        assertThat(failure(SchemaRegistryException.CERTIFICATE_REFUSED).retriable()).as("certificate").isFalse();
    }

    @Test
    void registryAndRejectionFailuresShareTheUserFacingRoot() {
        assertThat(failure(500)).isInstanceOf(CheckstripeException.class);
        assertThat(new RejectedRecordException(DeadLetterReason.UNREADABLE, "bad bytes"))
                .isInstanceOf(CheckstripeException.class)
                .satisfies(e -> assertThat(e.retriable()).isFalse());
    }

    private static SchemaRegistryException failure(int status) {
        return new SchemaRegistryException("register subject s", status, SchemaRegistryException.NO_RESPONSE, null);
    }
}
