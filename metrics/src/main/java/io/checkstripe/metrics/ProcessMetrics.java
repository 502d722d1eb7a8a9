package io.checkstripe.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The metrics registry of one checkstripe process: Prometheus's, so that {@code GET /metrics} is a scrape in the
 * text format, with the JVM's and the process's own metrics already bound (memory, GC, threads, classes, CPU,
 * open files, uptime), and the given tags on every meter (the process's {@code server}, say). Meter names follow
 * Micrometer's dotted form; the registry renders them the Prometheus way ({@code checkstripe.sink.cells.stored}
 * as a counter becomes {@code checkstripe_sink_cells_stored_total}).
 */
public final class ProcessMetrics {

    /** The prefix of every meter checkstripe itself defines. */
    public static final String PREFIX = "checkstripe.";

    private ProcessMetrics() {
    }

    /**
     * A new registry with the JVM and process binders.
     *
     * @param commonTags tags on every meter, e.g. {@code Tags.of("server", "3")}
     */
    public static PrometheusMeterRegistry registry(Tags commonTags) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(commonTags);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}
