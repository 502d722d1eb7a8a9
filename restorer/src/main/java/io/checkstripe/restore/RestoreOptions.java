package io.checkstripe.restore;

import io.checkstripe.crypto.KeyFile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the restorer talks to backup servers and how much it buffers: the timeouts that decide when a server
 * counts as lost, the credentials of {@code https://} and token-protected sinks, the read-ahead that bounds
 * memory, and where progress goes.
 *
 * <p>A restore runs at failover, when some servers are down or hang; short timeouts keep one silent server
 * from stalling the whole restore, because the others can rebuild its cells. Memory is bounded by
 * {@code readAheadBytes} (the cells of a window of stripes), never by the checkpoint's size. Immutable and
 * thread-safe.
 *
 * @param connectTimeout  how long to wait for an HTTP connection to a sink
 * @param requestTimeout  how long a source may stay silent while the restore waits for it (an HTTP request
 *                        without response headers, or a stream that delivers nothing) before it counts as lost
 * @param readAheadBytes  cell bytes fetched ahead of the stripe being decoded, across all sources; at least
 *                        two stripes are always fetched ahead, whatever their size
 * @param progressOut     where progress lines go, or {@code null} for none
 * @param forceProgress   show progress on {@code progressOut} even when no terminal is attached
 * @param credentials     what {@code https://} and token-protected sinks are read with
 * @param keyFile         the application's key file: a restore then takes only checkpoints its keys signed and
 *                        decrypts them; without one, an encrypted checkpoint is refused
 */
public record RestoreOptions(Duration connectTimeout, Duration requestTimeout, long readAheadBytes,
        PrintStream progressOut, boolean forceProgress, HttpCredentials credentials, Optional<KeyFile> keyFile) {

    /** Default connect timeout: a sink on a live host answers a connection in well under a second. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** Default read-ahead, 16 MiB: enough to keep every source streaming, small enough for a 64 MiB heap. */
    public static final long DEFAULT_READ_AHEAD_BYTES = 16L << 20;

    /** @throws IllegalArgumentException naming a timeout that is not positive or a read-ahead below 1 byte */
    public RestoreOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(credentials, "credentials");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout " + connectTimeout + " is not positive");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout " + requestTimeout + " is not positive");
        }
        Objects.requireNonNull(keyFile, "keyFile");
        if (readAheadBytes < 1) {
            throw new IllegalArgumentException("read-ahead " + readAheadBytes + " bytes is less than 1");
        }
    }

    /** The defaults: 3 s to connect, 10 s per request, 16 MiB read-ahead, no progress output, no credentials, no key. */
    public static RestoreOptions defaults() {
        return new RestoreOptions(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_READ_AHEAD_BYTES, null,
                false, HttpCredentials.none(), Optional.empty());
    }

    /** These options with other timeouts. */
    public RestoreOptions withTimeouts(Duration connect, Duration request) {
        return new RestoreOptions(connect, request, readAheadBytes, progressOut, forceProgress, credentials, keyFile);
    }

    /** These options with another read-ahead. */
    public RestoreOptions withReadAheadBytes(long bytes) {
        return new RestoreOptions(connectTimeout, requestTimeout, bytes, progressOut, forceProgress, credentials,
                keyFile);
    }

    /**
     * These options with progress shown on {@code out} when a terminal is attached ({@code System.console()}
     * is not null), or always when {@code force}.
     */
    public RestoreOptions withProgress(PrintStream out, boolean force) {
        return new RestoreOptions(connectTimeout, requestTimeout, readAheadBytes, out, force, credentials, keyFile);
    }

    /** These options with other credentials for the sinks' HTTP API. */
    public RestoreOptions withCredentials(HttpCredentials credentials) {
        return new RestoreOptions(connectTimeout, requestTimeout, readAheadBytes, progressOut, forceProgress,
                credentials, keyFile);
    }

    /** These options restoring with the application's key file: only its checkpoints, decrypted. */
    public RestoreOptions withKeyFile(KeyFile keys) {
        return new RestoreOptions(connectTimeout, requestTimeout, readAheadBytes, progressOut, forceProgress,
                credentials, Optional.of(keys));
    }
}
