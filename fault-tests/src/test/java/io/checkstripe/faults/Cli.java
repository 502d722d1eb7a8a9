package io.checkstripe.faults;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.checkstripe.cli.CliRun;
import io.checkstripe.cli.ExitCode;

/**
 * Runs a {@code checkstripe} command in this JVM through {@link CliRun}, for the commands of a scenario
 * that nothing kills (status, most restores): the same code as the launcher, without a JVM start each time,
 * with its result in the shape of a child process's.
 */
final class Cli {

    private Cli() {
    }

    private static final Pattern STATUS_ROW = Pattern.compile("(?m)^(\\d+)\\s+(COMPLETE|DEGRADED|UNRECOVERABLE)\\s");

    /**
     * The exit code {@code status} owes for the table it printed: that of its newest checkpoint's health (0
     * complete, {@link ExitCode#DEGRADED}, {@link ExitCode#UNRECOVERABLE}), unrecoverable without any.
     */
    static int statusExitCodeFor(String table) {
        Matcher row = STATUS_ROW.matcher(table);
        long newest = -1;
        String health = null;
        while (row.find()) {
            long id = Long.parseLong(row.group(1));
            if (id > newest) {
                newest = id;
                health = row.group(2);
            }
        }
        if (health == null) {
            return ExitCode.UNRECOVERABLE;
        }
        return switch (health) {
            case "COMPLETE" -> ExitCode.OK;
            case "DEGRADED" -> ExitCode.DEGRADED;
            default -> ExitCode.UNRECOVERABLE;
        };
    }

    static CheckstripeProcess.Result run(List<String> args) {
        CliRun run = CliRun.of(args);
        return new CheckstripeProcess.Result(run.exitCode(), run.out(), run.err(), run.elapsed());
    }
}
