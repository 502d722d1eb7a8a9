package io.checkstripe.cli;

/** A mistake in how a command was called; printed as one line, exit code {@link ExitCode#USAGE}. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
