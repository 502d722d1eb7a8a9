package io.checkstripe.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.checkstripe.sink.BackupSink;
import io.checkstripe.sink.SinkConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe sink}: the backup sink of one server. It stores the cells of its partition
 * of the stripes topic durably in {@code --data-dir}, acknowledges complete checkpoints and
 * serves its store over a read-only HTTP API. Ctrl-C closes it cleanly.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = "Run the backup sink of one server: store its cells durably, serve them over HTTP.")
final class SinkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--server-index", required = true, paramLabel = "I",
            description = "This server's index, 0..N-1 (= its partition of the stripes topic).")
    int serverIndex;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The server's cell store.")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Port of the read-only HTTP API; 0 picks a free one; -1 (default) serves none.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = SinkConfig.HTTP_HOST_DEFAULT,
            description = "Address the HTTP API binds to. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--retain", paramLabel = "R", defaultValue = "3",
            description = "Complete checkpoints to keep per application, besides every checkpoint a kept one reads "
                    + "from (its bases, docs/INCREMENTAL.md). Default: ${DEFAULT-VALUE}.")
    int retain;

    @Option(names = "--scrub-rate", paramLabel = "MB_PER_S",
            description = "Pace of the background scrub that CRC-checks every cell and manifest, in MB/s; 0 turns it "
                    + "off. Default: 16.")
    Double scrubRate;

    @Option(names = "--scrub-interval", paramLabel = "SECONDS",
            description = "Seconds between two scrub passes. Default: 3600.")
    Long scrubInterval;

    @Option(names = "--accept-repairs",
            description = "Let a healer write rebuilt cells and manifests through the HTTP API (POST/PUT); with "
                    + "--http-token-file or --http-tls-client-ca-file the healer needs those credentials, without "
                    + "them only where the network is trusted. Default: read-only.")
    boolean acceptRepairs;

    @Option(names = "--http-tls-cert", paramLabel = "FILE",
            description = "PEM server certificate (and chain) of the HTTP API: with --http-tls-key it serves HTTPS. "
                    + "A key store instead: " + SinkConfig.HTTP_TLS_KEYSTORE_LOCATION_CONFIG + " in --command-config.")
    Path tlsCert;

    @Option(names = "--http-tls-key", paramLabel = "FILE",
            description = "Unencrypted PKCS#8 PEM key of --http-tls-cert.")
    Path tlsKey;

    @Option(names = "--http-tls-client-ca-file", paramLabel = "FILE",
            description = "PEM CA(s) of the client certificates the HTTPS API requires (mutual TLS).")
    Path tlsClientCa;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "File of the bearer token every request but GET /health must present.")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> props = kafka.clientProperties();
        props.put(SinkConfig.SERVER_INDEX_CONFIG, serverIndex);
        props.put(SinkConfig.DATA_DIR_CONFIG, dataDir.toAbsolutePath().toString());
        props.put(SinkConfig.HTTP_PORT_CONFIG, httpPort);
        props.put(SinkConfig.HTTP_HOST_CONFIG, httpHost);
        if (scrubRate != null) {
            props.put(SinkConfig.SCRUB_RATE_MB_CONFIG, scrubRate);
        }
        if (scrubInterval != null) {
            props.put(SinkConfig.SCRUB_INTERVAL_S_CONFIG, scrubInterval);
        }
        props.put(SinkConfig.RETAIN_CONFIG, retain);
        props.put(SinkConfig.HTTP_REPAIRS_CONFIG, acceptRepairs);
        putPath(props, SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, tlsCert);
        putPath(props, SinkConfig.HTTP_TLS_KEY_FILE_CONFIG, tlsKey);
        putPath(props, SinkConfig.HTTP_TLS_CLIENT_CA_FILE_CONFIG, tlsClientCa);
        putPath(props, SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG, tokenFile);
        SinkConfig config = Failures.config(() -> new SinkConfig(props));
        try (BackupSink sink = new BackupSink(config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "checkstripe-sink-shutdown"));
            sink.start(); // a TLS or token file that is unreadable or malformed: a ConfigException, exit code 1
            var out = spec.commandLine().getOut();
            out.printf("sink %d running: store %s%s; Ctrl-C stops it%n", sink.serverIndex(), sink.dataDir(),
                    httpPort >= 0 ? ", HTTP " + sink.httpUri() : "");
            out.flush();
            sink.run();
        }
        return ExitCode.OK;
    }

    /** Sets {@code key} when the option was given, leaving a value from --command-config otherwise. */
    private static void putPath(Map<String, Object> props, String key, Path file) {
        if (file != null) {
            props.put(key, file.toAbsolutePath().toString());
        }
    }
}
