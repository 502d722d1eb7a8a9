package io.checkstripe.cli;

import java.util.Map;
import java.util.Optional;

import io.checkstripe.schemas.KafkaRefusals;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Explains Kafka refusing a command ({@link ExitCode#NOT_AUTHORIZED}) so that an operator can fix it from the one
 * line: who was refused (the SASL user of {@code --command-config}), what for (the topics, group or transactional
 * id Kafka named), and what the command's role needs, which docs/SECURITY.md lists as {@code kafka-acls.sh}
 * commands. Kafka's authorization errors do not say which operation was missing, so the line names the role's
 * whole set. Nothing here reads or prints a password.
 */
final class KafkaRefusal {

    private static final String ACLS = "docs/SECURITY.md lists the ACLs of every role as kafka-acls.sh commands";

    /** What each command's principal needs, in brief; topic names are the defaults. */
    private static final Map<String, String> ROLE_ACLS = Map.of(
            "publish", "Write, Read and DescribeConfigs on topic checkpoints, Read on topics checkpoint-manifests "
                    + "and checkpoint-acks, and (prefixed by checkstripe.transactional.id.prefix, default "
                    + "checkstripe-publish-) Read on the group and Write on the transactional id",
            "striper", "Read on topic checkpoints, Write on topics stripes, checkpoint-manifests and "
                    + "checkpoints-dlq, DescribeConfigs on those and checkpoint-acks, Read on the group named by "
                    + "its application id, and (prefixed by the application id and -) Write on the transactional id "
                    + "and Create, Read, Write and DescribeConfigs on topics",
            "sink", "Read on topic stripes and Write on topics checkpoint-acks and checkpoints-dlq");

    private KafkaRefusal() {
    }

    /**
     * The line saying who was refused, what for, and what to do.
     *
     * @param refusal   an exception {@link KafkaRefusals#isRefusal} accepts
     * @param command   the checkstripe command that was refused
     * @param principal its principal, {@code User:<name>}, when its {@code --command-config} names one
     */
    static String describe(Throwable refusal, String command, Optional<String> principal) {
        String who = principal.orElse("the principal of --command-config");
        if (refusal instanceof AuthenticationException) {
            return authentication(refusal, who);
        }
        String role = ROLE_ACLS.get(command);
        return "Kafka refused " + who + ": " + what(refusal) + "; grant it the ACLs of the " + command + " role"
                + (role == null ? "" : " (" + role + ")") + ": " + ACLS;
    }

    private static String what(Throwable refusal) {
        if (refusal instanceof TopicAuthorizationException topics && !topics.unauthorizedTopics().isEmpty()) {
            return "not authorized on topic(s) " + String.join(", ", topics.unauthorizedTopics().stream().sorted()
                    .toList()) + " (" + Failures.message(refusal) + ")";
        }
        if (refusal instanceof GroupAuthorizationException group && group.groupId() != null) {
            return "not authorized on consumer group " + group.groupId();
        }
        if (refusal instanceof TransactionalIdAuthorizationException) {
            return "not authorized to use its transactional id (" + Failures.message(refusal) + ")";
        }
        if (refusal instanceof ClusterAuthorizationException) {
            return "not authorized on the cluster (" + Failures.message(refusal) + ")";
        }
        return Failures.message(refusal);
    }

    private static String authentication(Throwable refusal, String who) {
        if (refusal instanceof SslAuthenticationException) {
            return "the TLS handshake with Kafka failed for " + who + " (" + Failures.message(refusal) + "): check "
                    + "that ssl.truststore.* in --command-config trusts the certificate authority of the brokers and "
                    + "that their certificates name the host of --bootstrap-server";
        }
        String fix = refusal instanceof SaslAuthenticationException
                ? ": check sasl.mechanism and the username and password in sasl.jaas.config of --command-config, "
                        + "and that the user has credentials for that mechanism on the cluster"
                : "";
        return "Kafka did not authenticate " + who + " (" + Failures.message(refusal) + ")" + fix;
    }
}
