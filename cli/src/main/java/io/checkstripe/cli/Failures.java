package io.checkstripe.cli;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.function.Supplier;

import io.checkstripe.codec.TooFewCellsException;
import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.KeyFileException;
import io.checkstripe.producer.CheckpointRejectedException;
import io.checkstripe.producer.KafkaUnavailableException;
import io.checkstripe.producer.NotProtectedException;
import io.checkstripe.restore.KeyNeededException;
import io.checkstripe.restore.UnrecoverableCheckpointException;
import io.checkstripe.restore.VerificationFailedException;
import io.checkstripe.schemas.KafkaRefusals;
import io.checkstripe.schemas.TopicProvisioner;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine;

/**
 * Maps a command's failure to its exit code and a one-line message. The first cause in the chain
 * that has a meaning for the user decides, so a library may wrap freely.
 */
final class Failures {

    private Failures() {
    }

    static int exitCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Integer code = codeOf(t);
            if (code != null) {
                return code;
            }
        }
        return ExitCode.SOFTWARE;
    }

    /**
     * The message of the cause that decided the exit code, or of the failure itself. Kafka refusing the principal
     * is explained by {@link KafkaRefusal}, naming {@code principal} (from the command's {@code --command-config})
     * and the ACLs of {@code command}.
     */
    static String describe(Throwable failure, String command, Optional<String> principal) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (codeOf(t) != null) {
                return KafkaRefusals.isRefusal(t) ? KafkaRefusal.describe(t, command, principal) : message(t);
            }
        }
        return message(failure);
    }

    /** Builds a config, turning Kafka's {@link ConfigException} into a usage error. */
    static <T> T config(Supplier<T> build) {
        try {
            return build.get();
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Integer codeOf(Throwable t) {
        if (t instanceof UsageException || t instanceof IllegalArgumentException || t instanceof ConfigException
                || t instanceof TopicProvisioner.TopicMismatchException || t instanceof NoSuchFileException
                || t instanceof CommandLine.ParameterException || t instanceof KeyFileException
                || t instanceof FileAlreadyExistsException) {
            return ExitCode.USAGE;
        }
        if (t instanceof TooFewCellsException || t instanceof UnrecoverableCheckpointException) {
            return ExitCode.UNRECOVERABLE;
        }
        if (t instanceof VerificationFailedException || t instanceof AuthenticationFailedException) {
            return ExitCode.VERIFICATION_FAILED;
        }
        if (t instanceof KafkaUnavailableException || t instanceof TimeoutException) {
            return ExitCode.KAFKA_UNREACHABLE;
        }
        if (t instanceof NotProtectedException) {
            return ExitCode.NOT_PROTECTED;
        }
        if (KafkaRefusals.isRefusal(t)) {
            return ExitCode.NOT_AUTHORIZED;
        }
        if (t instanceof KeyNeededException) {
            return ExitCode.KEY_NEEDED;
        }
        if (t instanceof CheckpointRejectedException) {
            return ExitCode.REJECTED;
        }
        return null;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
