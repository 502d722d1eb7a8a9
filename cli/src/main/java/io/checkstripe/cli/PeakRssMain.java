package io.checkstripe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Runs one checkstripe command line, then prints the process's peak resident set size ({@code VmHWM} of
 * {@code /proc/self/status}) on standard error as {@value #MARKER} followed by kibibytes, and exits with
 * the command's exit code. {@code checkstripe bench} launches it in a child JVM with a small heap to
 * measure what {@code publish} and {@code restore} really take from the machine, heap or not. Linux only:
 * elsewhere nothing is printed.
 */
public final class PeakRssMain {

    /** The line prefix the parent looks for. */
    static final String MARKER = "checkstripe-peak-rss-kib: ";

    private PeakRssMain() {
    }

    public static void main(String[] args) {
        int code = Checkstripe.run(args, System.out, System.err);
        peakRssKib().ifPresent(kib -> System.err.println(MARKER + kib));
        System.exit(code);
    }

    /** {@code VmHWM} of this process in KiB, if the platform reports it. */
    static OptionalLong peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
