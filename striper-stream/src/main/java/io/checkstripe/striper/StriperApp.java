package io.checkstripe.striper;

import io.checkstripe.metrics.Health;
import io.checkstripe.metrics.OpsHttpServer;
import io.checkstripe.metrics.ProcessMetrics;
import io.checkstripe.schemas.KafkaRefusals;
import io.checkstripe.schemas.TopicProvisioner;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running striper: provisions the topics, then runs the {@link StriperTopology} in Kafka
 * Streams until closed.
 *
 * <p>{@link #start()} first creates the missing topics and checks the existing ones with the
 * {@link TopicProvisioner} (the stripes topic must have exactly N partitions), so a
 * misconfigured deployment fails at once with a
 * {@link TopicProvisioner.TopicMismatchException} rather than routing cells to the wrong
 * servers; Kafka not answering within {@value StriperConfig#PROVISION_TIMEOUT_MS_CONFIG} is a
 * Kafka {@link org.apache.kafka.common.errors.TimeoutException}. A stream thread that dies of an
 * exception is logged and replaced; an {@link Error} (out of memory, a linkage problem) stops
 * the instance, after which {@link #run()} throws with it as the cause, and so does Kafka refusing the
 * principal (an authentication failure or a missing ACL), which a new thread would only meet again.
 *
 * <p>{@link #run()} is the blocking form for a CLI: it starts the instance and returns when
 * {@link #close()} is called (from a shutdown hook, say). Thread-safe.
 */
public final class StriperApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StriperApp.class);

    /** How long {@link #close()} waits for the stream threads to finish their transactions. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final StriperConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrometheusMeterRegistry registry = ProcessMetrics.registry(Tags.empty());
    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private OpsHttpServer http;
    private boolean closed;
    /** Why the instance stopped itself, when it did. */
    private volatile Throwable fatal;

    /** An instance for {@code config}; nothing starts before {@link #start()}. */
    public StriperApp(StriperConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    /**
     * Provisions the topics and starts the stream threads; returns once they are starting.
     *
     * @throws TopicProvisioner.TopicMismatchException when an existing topic does not fit
     * @throws org.apache.kafka.common.errors.TimeoutException when Kafka does not answer
     * @throws IllegalStateException when already started or closed
     */
    public synchronized void start() {
        if (closed || streams != null) {
            throw new IllegalStateException(closed ? "the striper is closed" : "the striper is already started");
        }
        provisionTopics();
        KafkaStreams created = new KafkaStreams(StriperTopology.buildTopology(config, registry),
                config.streamsProperties());
        created.setUncaughtExceptionHandler(this::onUncaught);
        created.setStateListener((now, before) -> {
            log.info("striper {} went from {} to {}", config.applicationId(), before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams = created;
        streamsMetrics = new KafkaStreamsMetrics(created);
        streamsMetrics.bindTo(registry);
        InetSocketAddress address = config.httpAddress();
        if (address != null) {
            try {
                http = OpsHttpServer.start(address, registry, this::health);
            } catch (IOException e) {
                created.close(Duration.ZERO);
                throw new UncheckedIOException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
            }
        }
        created.start();
        log.info("striper {} started: policy {} (allowed {}), {} backup servers, {} -> {}", config.applicationId(),
                config.policy(), config.allowedPolicies(), config.servers(), config.topicNames().checkpoints(),
                config.topicNames().stripes());
        config.allowedPolicies().stream().filter(p -> p.totalCells() > config.servers()).forEach(p -> log.warn(
                "allowed policy {} needs {} backup servers and there are {}: checkpoints asking for it are refused "
                        + "(too-few-servers) until the stripes topic has that many partitions", p, p.totalCells(),
                config.servers()));
    }

    /**
     * Starts (unless started) and blocks until {@link #close()} is called or the instance stops
     * after a fatal error.
     *
     * @throws IllegalStateException when the instance stopped because of a fatal error
     * @throws InterruptedException when the waiting thread is interrupted (the instance keeps running)
     */
    public void run() throws InterruptedException {
        synchronized (this) {
            if (streams == null && !closed) {
                start();
            }
        }
        stopped.await();
        if (state() == KafkaStreams.State.ERROR) {
            Throwable cause = fatal;
            throw new IllegalStateException("the striper " + config.applicationId() + " stopped after a fatal error"
                    + (cause == null ? "; see the log" : ": " + cause), cause);
        }
    }

    /** The Kafka Streams state: CREATED before {@link #start()}, NOT_RUNNING after {@link #close()}. */
    public synchronized KafkaStreams.State state() {
        if (streams == null) {
            return closed ? KafkaStreams.State.NOT_RUNNING : KafkaStreams.State.CREATED;
        }
        return streams.state();
    }

    /**
     * The Kafka Streams metrics of the instance (its threads, tasks and clients, as {@link KafkaStreams#metrics()}),
     * so an operator or a benchmark can see where a commit's time goes; empty before {@link #start()}.
     */
    public synchronized Map<MetricName, ? extends Metric> metrics() {
        return streams == null ? Map.of() : streams.metrics();
    }

    /** The registry of the striper's meters, Kafka Streams' and its JVM's, which {@code GET /metrics} serves. */
    public PrometheusMeterRegistry meters() {
        return registry;
    }

    /** The HTTP server's {@code http://host:port}, or null when it is off or not started. */
    public synchronized URI httpUri() {
        return http == null ? null : http.uri();
    }

    /**
     * What {@code GET /health} answers: healthy only while Kafka Streams is RUNNING; STARTING before and while it
     * rebalances, FAILED after a fatal error, STOPPED once closed.
     */
    public Health health() {
        KafkaStreams.State state = state();
        Map<String, Object> details = Map.of("applicationId", config.applicationId(), "streamsState", state.name());
        return switch (state) {
            case RUNNING -> Health.healthy("RUNNING", details);
            case CREATED, REBALANCING -> Health.unhealthy("STARTING", "Kafka Streams is " + state
                    + ": tasks are being assigned", details);
            case PENDING_ERROR, ERROR -> Health.unhealthy("FAILED", "Kafka Streams stopped after a fatal error; "
                    + "see the log", details);
            case PENDING_SHUTDOWN, NOT_RUNNING -> Health.unhealthy("STOPPED", "the striper is closed", details);
        };
    }

    /** The configuration it runs with. */
    public StriperConfig config() {
        return config;
    }

    /** Stops the stream threads (committing their work) and releases {@link #run()}; idempotent. */
    @Override
    public void close() {
        KafkaStreams running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = streams;
        }
        try {
            if (running != null && !running.close(CLOSE_TIMEOUT)) {
                log.warn("striper {} did not stop within {}", config.applicationId(), CLOSE_TIMEOUT);
            }
        } finally {
            if (http != null) {
                http.close();
            }
            if (streamsMetrics != null) {
                streamsMetrics.close();
            }
            registry.close();
            stopped.countDown();
        }
    }

    private void provisionTopics() {
        List<TopicProvisioner.TopicSpec> specs =
                TopicProvisioner.specs(config.topicNames(), config.servers(), config.topicSettings());
        Admin admin = Admin.create(config.adminProperties());
        boolean provisioned = false;
        try {
            List<String> created = new TopicProvisioner(admin, config.provisionTimeout())
                    .ensure(specs, config.createTopics());
            provisioned = true;
            log.info("topics ready for striper {}: {} (created {})", config.applicationId(),
                    specs.stream().map(TopicProvisioner.TopicSpec::name).toList(), created);
        } finally {
            // Bounded: with Kafka unreachable, pending calls would otherwise hold close() for their own timeout.
            // After a failure nothing pending is worth waiting for, so start-up fails within the timeout, not twice it.
            admin.close(provisioned ? config.provisionTimeout() : Duration.ZERO);
        }
    }

    private StreamThreadExceptionResponse onUncaught(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (KafkaRefusals.isRefusal(t)) {
                log.error("Kafka refused striper {}: {}; stopping this instance", config.applicationId(), t.toString());
                fatal = t;
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            if (t instanceof Error) {
                log.error("fatal error in a striper stream thread; stopping this instance", failure);
                fatal = t;
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        log.error("a striper stream thread failed; replacing it", failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
