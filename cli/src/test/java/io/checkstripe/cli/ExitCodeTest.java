package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.checkstripe.producer.CheckpointRejectedException;
import io.checkstripe.restore.CheckpointStatus;
import io.checkstripe.restore.Health;
import io.checkstripe.restore.IndexRanges;
import io.checkstripe.restore.StatusReport;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exit codes: what {@code status} exits with, decided on report values (the newest checkpoint's health alone),
 * and Kafka refusing a principal.
 */
class ExitCodeTest {

    static Stream<Arguments> newestAndOlder() {
        return Stream.of(
                Arguments.of(Health.COMPLETE, Health.UNRECOVERABLE, ExitCode.OK),
                Arguments.of(Health.DEGRADED, Health.COMPLETE, ExitCode.DEGRADED),
                Arguments.of(Health.UNRECOVERABLE, Health.COMPLETE, ExitCode.UNRECOVERABLE));
    }

    @ParameterizedTest(name = "newest {0}, older {1}: exit {2}")
    @MethodSource("newestAndOlder")
    void statusExitsWithTheNewestCheckpointsHealth(Health newest, Health older, int expected) {
        assertThat(ExitCode.ofStatus(report(newest, older))).isEqualTo(expected);
        assertThat(ExitCode.ofStatus(report(newest))).as("alone").isEqualTo(expected);
    }

    @Test
    void everyHealthHasItsOwnCode() {
        assertThat(Stream.of(Health.values()).map(h -> ExitCode.ofStatus(report(h))).distinct())
                .hasSize(Health.values().length);
    }

    @Test
    void statusWithNoCheckpointIsUnrecoverable() {
        assertThat(ExitCode.ofStatus(report())).isEqualTo(ExitCode.UNRECOVERABLE);
    }

    @Test
    void everyExitCodeIsDistinct() throws IllegalAccessException {
        List<Integer> codes = new ArrayList<>();
        for (Field f : ExitCode.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                codes.add(f.getInt(null));
            }
        }
        assertThat(codes).hasSize(11).doesNotHaveDuplicates().contains(ExitCode.DEGRADED, ExitCode.NOT_AUTHORIZED,
                ExitCode.KEY_NEEDED, ExitCode.REJECTED);
    }

    @Test
    void aRefusedCheckpointIsRejectedWhereverItIsWrappedAndSaysWhy() {
        CheckpointRejectedException refused = new CheckpointRejectedException("billing", 4, "policy-not-allowed",
                "application billing checkpoint 4 asks for policy RS-4-2, which is not among the allowed policies "
                        + "[RS-3-2]");
        RuntimeException wrapped = new RuntimeException("publish failed", refused);

        assertThat(Failures.exitCode(wrapped)).isEqualTo(ExitCode.REJECTED).isEqualTo(9);
        assertThat(Failures.describe(wrapped, "publish", Optional.empty())).isEqualTo("checkpoint 4 of application "
                + "billing was refused (policy-not-allowed): application billing checkpoint 4 asks for policy RS-4-2, "
                + "which is not among the allowed policies [RS-3-2]");
    }

    @Test
    void kafkaRefusingThePrincipalIsNotAuthorizedWhereverItIsWrapped() {
        assertThat(Failures.exitCode(new KafkaException("cannot publish",
                new TopicAuthorizationException(Set.of("checkpoints"))))).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(Failures.exitCode(new TransactionalIdAuthorizationException("no"))).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(Failures.exitCode(new GroupAuthorizationException("no", "g"))).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(Failures.exitCode(new SaslAuthenticationException("bad credentials")))
                .isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(Failures.exitCode(new SslAuthenticationException("handshake"))).isEqualTo(ExitCode.NOT_AUTHORIZED);
    }

    @Test
    void aRefusalNamesThePrincipalWhatWasRefusedAndWhereTheAclsAre() {
        String message = Failures.describe(new KafkaException("cannot publish",
                new TopicAuthorizationException(Set.of("checkpoints"))), "publish", Optional.of("User:alice"));

        assertThat(message).startsWith("Kafka refused User:alice: not authorized on topic(s) checkpoints (Not "
                + "authorized to access topics: [checkpoints]); grant it the ACLs of the publish role (Write, Read and "
                + "DescribeConfigs on topic checkpoints")
                .endsWith("docs/SECURITY.md lists the ACLs of every role as kafka-acls.sh commands");
        assertThat(Failures.describe(new SaslAuthenticationException("invalid credentials with SASL mechanism "
                + "SCRAM-SHA-512"), "sink", Optional.empty()))
                .startsWith("Kafka did not authenticate the principal of --command-config (invalid credentials")
                .contains("sasl.jaas.config");
    }

    /** A report of checkpoints with these healths, newest first. */
    private static StatusReport report(Health... newestFirst) {
        List<CheckpointStatus> checkpoints = new ArrayList<>();
        for (int i = 0; i < newestFirst.length; i++) {
            checkpoints.add(new CheckpointStatus(newestFirst.length - i, newestFirst[i], "RS-3-2", 1, List.of(),
                    IndexRanges.empty(), List.of(), newestFirst[i] == Health.UNRECOVERABLE ? "stripe 0 lost" : "",
                    ""));
        }
        return new StatusReport("app", true, checkpoints, List.of(), List.of());
    }
}
