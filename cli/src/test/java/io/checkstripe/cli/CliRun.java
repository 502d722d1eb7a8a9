package io.checkstripe.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One in-process run of the real command line ({@link Checkstripe#run}): its exit code, what it
 * printed on each stream and how long it took, so tests assert what a user would see. The cli's
 * tests and the fault suite share it (the cli's test jar), so both run the command line one way.
 */
public record CliRun(List<String> args, int exitCode, String out, String err, Duration elapsed) {

    public static CliRun of(String... args) {
        return of(List.of(args));
    }

    public static CliRun of(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Checkstripe.run(args.toArray(String[]::new), o, e);
        }
        return new CliRun(List.copyOf(args), code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    }

    /** The lines printed on the error stream. */
    public List<String> errLines() {
        return err.lines().toList();
    }

    /** Everything, for assertion messages. */
    public String describe() {
        return "checkstripe " + String.join(" ", args) + "\nexit " + exitCode + " after " + elapsed.toMillis()
                + " ms\n--- out\n" + out + "--- err\n" + err;
    }
}
