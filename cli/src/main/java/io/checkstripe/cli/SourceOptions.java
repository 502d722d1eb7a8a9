package io.checkstripe.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.RestoreOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the cells are read from, shared by {@code status}, {@code restore} and {@code repair}:
 * sinks' data directories or {@code http(s)://host:port} endpoints, with the credentials of those that
 * need them. One that is missing, does not answer in time or refuses the credentials counts as a lost server.
 */
final class SourceOptions {

    @Option(names = "--app", required = true, paramLabel = "APP", description = "Application id.")
    String app;

    @Option(names = "--from", required = true, split = ",", paramLabel = "S1,S2,...",
            description = "Backup servers: data directories or http(s)://host:port sink endpoints, in any order.")
    List<String> from;

    @Mixin
    SinkClientOptions client;

    @Option(names = "--connect-timeout", paramLabel = "MS", defaultValue = "3000",
            description = "Connect timeout per HTTP source. Default: ${DEFAULT-VALUE} ms.")
    long connectTimeoutMs;

    @Option(names = "--request-timeout", paramLabel = "MS", defaultValue = "10000",
            description = "Longest an HTTP source may stay silent before it counts as lost. Default: ${DEFAULT-VALUE} ms.")
    long requestTimeoutMs;

    RestoreOptions options(PrintStream progress, boolean forceProgress) {
        if (connectTimeoutMs <= 0 || requestTimeoutMs <= 0) {
            throw new UsageException("--connect-timeout and --request-timeout must be positive");
        }
        return RestoreOptions.defaults()
                .withTimeouts(Duration.ofMillis(connectTimeoutMs), Duration.ofMillis(requestTimeoutMs))
                .withCredentials(client.credentials())
                .withProgress(progress, forceProgress);
    }

    /** Opens every source (lazily: nothing is contacted yet); the caller closes them. */
    List<CellSource> open(RestoreOptions options) {
        List<CellSource> sources = new ArrayList<>();
        for (String location : from) {
            sources.add(CellSource.open(location, options));
        }
        return sources;
    }

    static void closeAll(List<CellSource> sources) throws IOException {
        IOException first = null;
        for (CellSource s : sources) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
