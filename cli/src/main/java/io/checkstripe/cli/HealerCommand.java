package io.checkstripe.cli;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import io.checkstripe.heal.HealPass;
import io.checkstripe.heal.Healer;
import io.checkstripe.heal.HealerOptions;
import io.checkstripe.metrics.OpsHttpServer;
import io.checkstripe.metrics.ProcessMetrics;
import io.checkstripe.restore.RestoreOptions;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe healer}: keeps the backup servers complete by rebuilding, from the others, the cells a
 * server lacks (a wiped or replaced store) or holds corrupt (found by its scrub), and writing them through its
 * HTTP API, with the same TLS and token options as {@code restore}. The sinks must run with
 * {@code --accept-repairs}. It runs until stopped, or one pass with
 * {@code --once}.
 */
@Command(name = "healer", mixinStandardHelpOptions = true,
        description = "Rebuild, from the other backup servers, the cells a server lacks or holds corrupt, and write "
                + "them to it through its HTTP API (sinks started with --accept-repairs). Runs a pass every "
                + "--interval until stopped, or one with --once.")
final class HealerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Option(names = "--servers", required = true, split = ",", paramLabel = "URL,URL,...",
            description = "Every backup server's HTTP API, http(s)://host:port; each is healed from the others.")
    List<URI> servers;

    @Mixin
    SinkClientOptions client;

    @Option(names = "--rate", paramLabel = "MB_PER_S", defaultValue = "" + HealerOptions.DEFAULT_RATE_MEGABYTES,
            description = "Checkpoint bytes rebuilt per second at most, in MB; 0 for no limit. Default: "
                    + "${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "60",
            description = "Seconds between two passes. Default: ${DEFAULT-VALUE}.")
    long interval;

    @Option(names = "--once", description = "Run one pass, print what it did and exit.")
    boolean once;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = "Where a checkpoint's rebuilt cells wait until it verified. Default: a directory under "
                    + "java.io.tmpdir.")
    Path spoolDir;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Port of GET /metrics (Prometheus) and GET /health; 0 picks a free one; -1 (default) "
                    + "serves none.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the HTTP server binds to. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Override
    public Integer call() throws Exception {
        if (interval < 1) {
            throw new UsageException("--interval must be at least 1 second, got " + interval);
        }
        if (output.json() && !once) {
            throw new UsageException("--output json prints the report of one pass: give --once too");
        }
        Path spool = spoolDir != null ? spoolDir : Path.of(System.getProperty("java.io.tmpdir"), "checkstripe-healer");
        HealerOptions options;
        try {
            options = new HealerOptions(servers, rate, Duration.ofSeconds(interval), spool.toAbsolutePath(),
                    RestoreOptions.defaults().withCredentials(client.credentials()), HealerOptions.DEFAULT_WRITE_TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrometheusMeterRegistry registry = ProcessMetrics.registry(Tags.empty());
        Healer healer;
        try {
            healer = new Healer(options, registry);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage()); // a URL that is not http(s)://host:port
        }
        try (healer;
             OpsHttpServer http = httpPort < 0 ? null
                     : OpsHttpServer.start(new InetSocketAddress(httpHost, httpPort), registry, healer::health)) {
            if (once) {
                HealPass pass = healer.pass();
                output.print(spec.commandLine().getOut(), pass::format, () -> ReportJson.heal(pass));
                if (pass.unrecoverable() > 0) {
                    return ExitCode.UNRECOVERABLE;
                }
                return pass.serversSkipped() > 0 ? ExitCode.DEGRADED : ExitCode.OK;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(healer::close, "checkstripe-healer-shutdown"));
            spec.commandLine().getOut().printf("healer running over %d servers%s; Ctrl-C stops it%n", servers.size(),
                    http == null ? "" : ", metrics and health on HTTP " + http.uri());
            spec.commandLine().getOut().flush();
            healer.run();
        }
        return ExitCode.OK;
    }
}
