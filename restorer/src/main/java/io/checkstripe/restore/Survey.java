package io.checkstripe.restore;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every source says about an application, asked of all of them in parallel: which server each one is
 * and which checkpoints it holds. A source that fails to answer is unreachable (a lost server); two sources
 * that are the same server keep the first. A server that fails later, during a transfer, is marked lost here
 * so that a fallback to an older checkpoint does not wait for it again. Thread-safe.
 */
final class Survey {

    private static final Logger log = LoggerFactory.getLogger(Survey.class);

    /** A reachable server: its source and the checkpoints it holds. */
    record Server(int index, CellSource source, NavigableSet<Long> checkpoints) {
    }

    private final String app;
    private final NavigableMap<Integer, Server> servers = new TreeMap<>();
    private final NavigableMap<Integer, LostServer> failed = new TreeMap<>();
    private final List<UnreachableSource> unreachable = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private Survey(String app) {
        this.app = app;
    }

    /** Asks every source in parallel which server it is and which checkpoints of {@code app} it holds. */
    static Survey of(String app, List<CellSource> sources, RestoreOptions options, ExecutorService pool)
            throws InterruptedException {
        Survey survey = new Survey(app);
        List<Future<Server>> answers = new ArrayList<>();
        for (CellSource source : sources) {
            answers.add(pool.submit(() -> {
                int index = source.serverIndex();
                return new Server(index, source, Collections.unmodifiableNavigableSet(
                        new TreeSet<>(source.checkpoints(app))));
            }));
        }
        // Each source bounds its own requests; this bound only guards against one that does not.
        Duration patience = options.connectTimeout().plus(options.requestTimeout().multipliedBy(3));
        long deadline = System.nanoTime() + patience.toNanos();
        for (int i = 0; i < sources.size(); i++) {
            CellSource source = sources.get(i);
            Future<Server> answer = answers.get(i);
            try {
                Server s = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                Server first = survey.servers.putIfAbsent(s.index(), s);
                if (first != null) {
                    survey.warnings.add("source " + source.location() + " is server " + s.index() + " again (as "
                            + first.source().location() + "); only the first is read");
                }
            } catch (ExecutionException e) {
                survey.unreachable(source, reason(e.getCause()));
            } catch (TimeoutException e) {
                answer.cancel(true);
                survey.unreachable(source, "no answer within " + patience.toMillis() + " ms");
            }
        }
        return survey;
    }

    private void unreachable(CellSource source, String reason) {
        log.warn("source {} is unreachable, counted as a lost server: {}", source.location(), reason);
        unreachable.add(new UnreachableSource(source.location(), reason));
    }

    static String reason(Throwable t) {
        if (t instanceof IOException && t.getMessage() != null) {
            return t.getClass() == IOException.class || t instanceof SinkAccessException ? t.getMessage()
                    : t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        return String.valueOf(t);
    }

    String app() {
        return app;
    }

    /** The reachable servers not marked failed, by index. */
    synchronized NavigableMap<Integer, Server> servers() {
        NavigableMap<Integer, Server> live = new TreeMap<>(servers);
        live.keySet().removeAll(failed.keySet());
        return live;
    }

    /** Servers that were reachable but failed during a transfer. */
    synchronized NavigableMap<Integer, LostServer> failed() {
        return new TreeMap<>(failed);
    }

    /** Marks a server lost for the rest of this operation. */
    synchronized void markFailed(LostServer lost) {
        failed.putIfAbsent(lost.serverIndex(), lost);
    }

    synchronized List<UnreachableSource> unreachable() {
        return List.copyOf(unreachable);
    }

    synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Every checkpoint id any live server holds, newest first. */
    synchronized NavigableSet<Long> checkpointIds() {
        NavigableSet<Long> ids = new TreeSet<>(Collections.reverseOrder());
        servers().values().forEach(s -> ids.addAll(s.checkpoints()));
        return ids;
    }
}
