package io.checkstripe.e2e;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A Java Flight Recorder recording of this JVM for the length of a benchmark, beside the one a child JVM (the
 * broker) makes of itself into the same directory, so that a slow figure comes with where the time went. At
 * the end both are summarised ({@link JfrSummary}) on the output and into {@code hot-methods.txt}.
 */
final class FlightRecording {

    private static final String SELF = "bench.jfr";
    private static final String BROKER = "broker.jfr";

    private final Path dir;
    private final Recording recording;

    private FlightRecording(Path dir, Recording recording) {
        this.dir = dir;
        this.recording = recording;
    }

    /** Starts recording this JVM with the JDK's {@code profile} settings, into {@code dir}. */
    static FlightRecording start(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setName("checkstripe-bench");
            r.start();
            return new FlightRecording(dir, r);
        } catch (ParseException e) {
            throw new IOException("the JDK's 'profile' flight recorder settings are unreadable: " + e.getMessage(), e);
        }
    }

    /** The JVM option that makes the broker's JVM record itself into the same directory until it exits. */
    static String brokerJvmOption(Path dir) {
        return "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + dir.toAbsolutePath().resolve(BROKER);
    }

    /** Stops the recording, dumps it, and prints (and saves) the summary of it and of the broker's. */
    void finish(PrintWriter out) throws IOException {
        Path self = dir.toAbsolutePath().resolve(SELF);
        recording.stop();
        recording.dump(self);
        recording.close();
        StringBuilder summary = new StringBuilder();
        for (Path file : List.of(self, dir.toAbsolutePath().resolve(BROKER))) {
            if (Files.isRegularFile(file)) {
                summary.append(JfrSummary.of(file)).append('\n');
            }
        }
        Files.writeString(dir.resolve("hot-methods.txt"), summary, StandardCharsets.UTF_8);
        out.println();
        out.println("profile (" + dir + "):");
        out.print(summary);
        out.flush();
    }
}
