package io.checkstripe.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes, from a flight recording: the execution samples ({@code jdk.ExecutionSample}, threads
 * running Java code) counted by thread group (the thread name without its numbers), by the method on top of
 * the stack, and by the first checkstripe or Kafka method on the stack; and the native samples
 * ({@code jdk.NativeMethodSample}, threads inside native code) by the method on top of the stack, leaving
 * out the idle waits of selectors and sockets, so that {@code fsync} and file reads show. What
 * {@code jfr print --events jdk.ExecutionSample} shows, added up. Stateless.
 */
final class JfrSummary {

    private static final int TOP = 15;
    /** Native frames where a thread waits for work rather than doing it. */
    private static final Pattern IDLE = Pattern.compile("EPoll\\.wait|Net\\.poll|Net\\.accept|Object\\.wait"
            + "|Unsafe\\.park|Thread\\.sleep|ProcessHandleImpl\\.waitForProcessExit0|Signal\\.dispatch"
            + "|Reference\\.waitForReferencePendingList");

    private JfrSummary() {
    }

    /** The summary of {@code recording} as text, the largest counts first. */
    static String of(Path recording) throws IOException {
        Map<String, Long> running = new HashMap<>();
        Map<String, Long> nativeSamples = new HashMap<>();
        Map<String, Long> topFrames = new HashMap<>();
        Map<String, Long> ownFrames = new HashMap<>();
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                String type = e.getEventType().getName();
                boolean java = type.equals("jdk.ExecutionSample");
                if (!java && !type.equals("jdk.NativeMethodSample")) {
                    continue;
                }
                RecordedStackTrace stack = e.getStackTrace();
                List<RecordedFrame> frames = stack == null ? List.of() : stack.getFrames();
                if (!java) {
                    if (!frames.isEmpty() && !IDLE.matcher(name(frames.get(0).getMethod())).find()) {
                        nativeSamples.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
                    }
                    continue;
                }
                samples++;
                running.merge(threadGroup(e.getThread("sampledThread")), 1L, Long::sum);
                if (frames.isEmpty()) {
                    continue;
                }
                topFrames.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
                for (RecordedFrame f : frames) {
                    String n = name(f.getMethod());
                    if (n.startsWith("io.checkstripe.") || n.startsWith("org.apache.kafka.") || n.startsWith("kafka.")) {
                        ownFrames.merge(n, 1L, Long::sum);
                        break;
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(recording.getFileName()).append(": ").append(samples).append(" execution samples\n");
        append(sb, "running Java, by thread group", running, samples);
        append(sb, "in native code, top of stack (selector and socket waits left out)", nativeSamples,
                nativeSamples.values().stream().mapToLong(Long::longValue).sum());
        append(sb, "hottest methods (top of stack, self time)", topFrames, samples);
        append(sb, "first checkstripe or Kafka method on the stack", ownFrames, samples);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String title, Map<String, Long> counts, long total) {
        sb.append("  ").append(title).append(":\n");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(en -> sb.append(String.format(Locale.ROOT, "    %5.1f%%  %6d  %s%n",
                        total == 0 ? 0.0 : 100.0 * en.getValue() / total, en.getValue(), en.getKey())));
    }

    private static String threadGroup(RecordedThread t) {
        if (t == null) {
            return "?";
        }
        String n = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        return n == null ? "?" : n.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\\d+", "N");
    }

    private static String name(RecordedMethod m) {
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }
}
