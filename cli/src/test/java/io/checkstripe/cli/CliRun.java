package io.checkstripe.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One in-process run of the real command line ({@link Checkstripe#run}): its exit code, what it
 * printed on each stream and how long it took, so tests assert what a user would see. The cli's
 * tests and the fault suite share it (the cli's test jar), so both run the command line one way.
 */
public record CliRun(List<String> args, int exitCode, String out, String err, Duration elapsed) {

    /** Refuses anything after the first document, as {@code --output json} promises one and nothing else. */
    private static final ObjectMapper ONE_DOCUMENT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static CliRun of(String... args) {
        return of(List.of(args));
    }

    /** A run with an empty standard input. */
    public static CliRun of(List<String> args) {
        return withInput(InputStream.nullInputStream(), args);
    }

    /** A run that reads {@code stdin} as its standard input. */
    public static CliRun withInput(InputStream stdin, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliRun run = piped(stdin, out, args);
        return new CliRun(run.args, run.exitCode, out.toString(StandardCharsets.UTF_8), run.err, run.elapsed);
    }

    /**
     * A run in a pipe: it reads {@code stdin}, and its standard output goes to {@code stdout} byte for
     * byte (closed at the end, as a process's would be), so {@link #out()} is empty.
     */
    public static CliRun piped(InputStream stdin, OutputStream stdout, List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        try (PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Checkstripe.run(args.toArray(String[]::new), stdin, o, e);
        }
        return new CliRun(List.copyOf(args), code, "", err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Standard output as the one JSON document it must be with {@code --output json}. */
    public JsonNode json() {
        JsonNode document;
        try {
            document = ONE_DOCUMENT.readTree(out);
        } catch (JsonProcessingException e) {
            throw new AssertionError("stdout is not one JSON document: " + e.getOriginalMessage() + "\n"
                    + describe(), e);
        }
        if (document.isMissingNode()) {
            throw new AssertionError("stdout is empty, not a JSON document\n" + describe());
        }
        return document;
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
