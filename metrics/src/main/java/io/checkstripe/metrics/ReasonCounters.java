package io.checkstripe.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * One counter per reason under one meter name, tagged {@code reason}, each registered the first time its reason
 * is counted: the dead letters of the sink and of the striper. Reasons are registered lazily so that a scrape
 * lists only those that happened, and the sink and the striper count the same way without writing it twice.
 * Thread-safe: a reason's counter is registered once however many threads count it at the same time.
 */
public final class ReasonCounters {

    private static final String REASON = "reason";

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Tags tags;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param name        the meter's name, e.g. {@code checkstripe.sink.dead.letters}
     * @param description its help text in the scrape
     * @param tags        tags of every counter besides {@code reason} (the registry adds its common ones)
     */
    public ReasonCounters(MeterRegistry registry, String name, String description, Tags tags) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tags = tags;
    }

    /** Counts one more for {@code reason}, registering its counter the first time. */
    public void increment(String reason) {
        counters.computeIfAbsent(reason, r -> Counter.builder(name).tags(tags).tag(REASON, r)
                .description(description).register(registry)).increment();
    }

    /** The counts of every reason so far, summed. */
    public long total() {
        long total = 0;
        for (Counter c : counters.values()) {
            total += (long) c.count();
        }
        return total;
    }
}
