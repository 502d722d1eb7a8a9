package io.checkstripe.e2e;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Runs the {@code main} of the class named by its first argument (the {@code checkstripe} command line) with the
 * other arguments, and when the JVM exits prints the process's peak resident set size ({@code VmHWM} of
 * {@code /proc/self/status}) on standard error as {@value #MARKER} followed by kibibytes; the exit code is the
 * command's. The benchmark launches it in a child JVM with a small heap to measure what {@code publish} and
 * {@code restore} really take from the machine, heap or not. The command line is named rather than linked so
 * that the benchmark does not depend on the module that launches it. Linux only: elsewhere nothing is printed.
 */
public final class PeakRssMain {

    /** The line prefix the parent looks for. */
    static final String MARKER = "checkstripe-peak-rss-kib: ";

    private PeakRssMain() {
    }

    /** {@code PeakRssMain MAIN_CLASS [ARG...]}. */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: PeakRssMain MAIN_CLASS [ARG...]");
            System.exit(2);
        }
        // The command exits through System.exit: its exit code stays its own and the peak is read last.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                peakRssKib().ifPresent(kib -> System.err.println(MARKER + kib)), "peak-rss"));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        System.exit(0);
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
