package io.checkstripe.faults;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.checkstripe.cli.Checkstripe;

/**
 * Runs a {@code checkstripe} command in this JVM through {@link Checkstripe#run}, for the commands of a scenario
 * that nothing kills (status, most restores): the same code as the launcher, without a JVM start each time.
 */
final class Cli {

    private Cli() {
    }

    static CheckstripeProcess.Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Checkstripe.run(args.toArray(String[]::new), o, e);
        }
        return new CheckstripeProcess.Result(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    }
}
