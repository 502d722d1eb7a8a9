package io.checkstripe.faults;

import java.util.List;

import io.checkstripe.cli.CliRun;

/**
 * Runs a {@code checkstripe} command in this JVM through {@link CliRun}, for the commands of a scenario
 * that nothing kills (status, most restores): the same code as the launcher, without a JVM start each time,
 * with its result in the shape of a child process's.
 */
final class Cli {

    private Cli() {
    }

    static CheckstripeProcess.Result run(List<String> args) {
        CliRun run = CliRun.of(args);
        return new CheckstripeProcess.Result(run.exitCode(), run.out(), run.err(), run.elapsed());
    }
}
