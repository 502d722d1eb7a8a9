package io.checkstripe.sink;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.checkstripe.core.AppId;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.metrics.Health;
import io.checkstripe.metrics.OpsEndpoints;
import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.core.DiskFullException;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.CheckpointConflictException;
import io.checkstripe.store.CorruptRecordException;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup server's HTTP API, through which the restorer, {@code status} and {@code repair} read the server's
 * cells and manifests from another host, and through which the healer writes back cells it rebuilt (when the
 * sink accepts repairs). Every answer comes from the store's thread-safe read paths;
 * cells are streamed from the cell logs in bounded memory, never buffered whole.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>path</th><th>answer</th></tr>
 *   <tr><td>{@code /v1/server}</td><td>JSON {@code {"serverIndex": I, "formatVersion": 1, "state": "RUNNING",
 *       "acceptsRepairs": false, ...}}: the state is a {@link SinkHealth.State}; a stalled sink adds
 *       {@code "reason"}; a sink adds its {@link SinkStats} counters</td></tr>
 *   <tr><td>{@code /health}</td><td>JSON {@code {"state": "RUNNING", "healthy": true, "serverIndex": I, "lag": 0,
 *       ...}}, status 200 only while the sink runs and keeps up with its partition, 503 with a {@code "reason"}
 *       otherwise ({@link BackupSink#opsHealth()})</td></tr>
 *   <tr><td>{@code /metrics}</td><td>the sink's and its JVM's meters, a Prometheus scrape in the text format</td></tr>
 *   <tr><td>{@code /v1/scrub}</td><td>JSON {@link ScrubReport}: the background scrub's settings, passes, and the
 *       last pass's cells checked and corrupt cells and manifests found (404 without a scrub)</td></tr>
 *   <tr><td>{@code /v1/apps}</td><td>JSON array of the application ids with checkpoints here, sorted</td></tr>
 *   <tr><td>{@code /v1/apps/{app}/checkpoints}</td><td>JSON array, by ascending id, of {@code {"checkpointId": 5,
 *       "hasManifest": true, "complete": true, "cells": 12, "expectedCells": 12, "keptAsBase": false}}
 *       ({@code expectedCells} is null without a manifest; {@code keptAsBase} says that retention keeps the
 *       checkpoint only because a kept incremental checkpoint reads from it); 404 when the application has no
 *       checkpoint here</td></tr>
 *   <tr><td>{@code /v1/apps/{app}/checkpoints/{cp}/manifest}</td><td>the manifest in {@link ManifestFormat}
 *       (application/octet-stream, it carries its own CRC); 404 when absent</td></tr>
 *   <tr><td>{@code /v1/apps/{app}/checkpoints/{cp}/cells?from=S&to=T}</td><td>chunked stream of
 *       {@link CellRecordFormat} records of the stored cells of segments S..T−1, in segment then cell order; only
 *       the cells present are sent, each record as stored (the receiver checks the data CRC). {@code from}
 *       defaults to 0, {@code to} to the end; 404 when the checkpoint is not here</td></tr>
 *   <tr><td>{@code /v1/apps/{app}/checkpoints/{cp}/cells/{segment}/{cell}}</td><td>that one cell record; 404 when
 *       absent</td></tr>
 *   <tr><td>{@code POST /v1/apps/{app}/checkpoints/{cp}/cells}</td><td>body: {@link CellRecordFormat} records of
 *       the checkpoint; appends those the store lacks or holds corrupt, commits, and answers {@code {"appended": N,
 *       "bytes": B, "alreadyHeld": M}}; 403 unless the sink accepts repairs, 409 for a cell that contradicts the
 *       checkpoint, 507 when the disk is full</td></tr>
 *   <tr><td>{@code PUT /v1/apps/{app}/checkpoints/{cp}/manifest}</td><td>body: the {@link ManifestFormat} bytes;
 *       stores and commits it unless held intact (a file that rotted is written again), answers
 *       {@code {"stored": true|false}}</td></tr>
 * </table>
 *
 * <p>Errors are JSON {@code {"error": "..."}}: 400 for an invalid application id (checked with {@link AppId}
 * before the store is touched), checkpoint id, index or range; 404 for an unknown path or anything not stored;
 * 405 (with {@code Allow: GET}) for any other method or path; 503 while the sink has no store open; 500 when the store
 * fails to read. A failure in the middle of a stream cuts the connection without the final chunk, so the client
 * sees an incomplete response rather than a short, well-formed one.
 *
 * <h2>Security</h2>
 * With a {@link SinkHttpSecurity} that has a TLS context the API is HTTPS (and {@link #uri()} says
 * {@code https://}); with client certificates the handshake refuses a client without one. With a bearer token
 * every request but {@code GET /health} (kept open for orchestrators' probes) must carry
 * {@code Authorization: Bearer <token>}: {@code /metrics}, {@code /v1/*} and the repair writes alike, since
 * cells, application ids and even meters name what a server holds. A request without the right token gets 401
 * with {@code WWW-Authenticate: Bearer}; an address that failed too often gets 429 with {@code Retry-After}
 * ({@link AuthGuard}). A request line longer than {@value #MAX_URI_LENGTH} characters gets 414 and headers
 * beyond {@value #MAX_HEADER_BYTES} bytes or {@value #MAX_HEADERS} fields get 431, before anything else is
 * looked at; request bodies are only ever streamed or read up to a bound.
 *
 * <p>Requests are served by a fixed pool of threads with a queue of {@value #QUEUE_CAPACITY}; beyond that new
 * connections are closed at once. Thread-safe.
 */
public final class SinkHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SinkHttpServer.class);

    /** Requests waiting for a thread beyond which new connections are refused. */
    public static final int QUEUE_CAPACITY = 256;

    /** Version of the API's paths and of the formats it serves. */
    public static final int FORMAT_VERSION = CellRecordFormat.VERSION;

    private static final String BINARY = "application/octet-stream";
    private static final int STREAM_BUFFER = 64 * 1024;
    /** Bytes of a refused write's body read before answering; beyond it the connection is cut. */
    private static final long DRAIN_LIMIT = 64L << 20;
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");
    /** Longest request URI answered; the API's own are under 200 characters. */
    static final int MAX_URI_LENGTH = 4096;
    /** Most header bytes (names and values) of a request answered. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Most header fields of a request answered. */
    static final int MAX_HEADERS = 64;
    /** Bytes of a refused unauthenticated request's body read before the connection is cut. */
    private static final long UNAUTHENTICATED_DRAIN_LIMIT = 64 * 1024;

    /** What the API serves: the sink's current store and state. Implementations are thread-safe. */
    interface Source {
        int serverIndex();

        /** The store to read, or null while none is open. */
        CellStore store();

        SinkHealth health();

        /** The counters, or null when there are none (a bare store). */
        SinkStats stats();

        /** The meters {@code GET /metrics} serves, or null when there are none (a bare store). */
        PrometheusMeterRegistry registry();

        /** What {@code GET /health} answers. */
        Health opsHealth();

        /** What {@code GET /v1/scrub} answers, or null when nothing scrubs (a bare store). */
        ScrubReport scrub();

        /** Whether the repair endpoints take writes ({@value SinkConfig#HTTP_REPAIRS_CONFIG}). */
        boolean acceptsRepairs();

        /** The store to write repaired cells into, or null while none is open for writing. */
        CellStore writableStore();

        /**
         * A repair made cells (none for a manifest) of {@code app} durable in the store: counted, and for a sink a
         * reason to look at the application's acknowledgements and retention again.
         */
        void repaired(String app, long cells, long bytes);

        /**
         * The applications' public keys ({@value io.checkstripe.schemas.CommonConfigs#APP_KEYS_DIR_CONFIG}): a
         * repair's manifest of a keyed application is stored only with a valid signature, as one from Kafka is.
         */
        default AppKeyDirectory appKeys() {
            return AppKeyDirectory.none();
        }

        /**
         * The checkpoints of {@code app} that retention keeps only because a kept checkpoint reads from them, as
         * its last pass decided; none where nothing applies retention (a bare store).
         */
        default Set<Long> keptAsBases(String app) {
            return Set.of();
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final Source source;
    private final boolean tls;
    private final AuthGuard guard;

    private SinkHttpServer(HttpServer server, ThreadPoolExecutor executor, Source source, SinkHttpSecurity security,
            AuthGuard guard) {
        this.server = server;
        this.executor = executor;
        this.source = source;
        this.tls = security.tls();
        this.guard = guard;
    }

    /**
     * Serves a store that nothing else changes the health of, for tests and tools that want the API over a data
     * directory without a sink (a read-only store, say); it reports state RUNNING and no counters, and takes no
     * repairs. The store stays the caller's to close, after this server.
     *
     * @param address where to listen; port 0 picks a free port
     * @param threads request threads, at least 1
     * @throws IOException when the address cannot be bound
     */
    public static SinkHttpServer serve(CellStore store, InetSocketAddress address, int threads) throws IOException {
        return serve(store, address, threads, false);
    }

    /**
     * Same as {@link #serve(CellStore, InetSocketAddress, int)}, taking repairs into a writable store when
     * {@code acceptRepairs}.
     */
    public static SinkHttpServer serve(CellStore store, InetSocketAddress address, int threads,
            boolean acceptRepairs) throws IOException {
        return serve(store, address, threads, acceptRepairs, SinkHttpSecurity.none());
    }

    /**
     * Same as {@link #serve(CellStore, InetSocketAddress, int, boolean)}, protected by {@code security}: HTTPS,
     * client certificates, a bearer token.
     */
    public static SinkHttpServer serve(CellStore store, InetSocketAddress address, int threads,
            boolean acceptRepairs, SinkHttpSecurity security) throws IOException {
        return serve(store, address, threads, acceptRepairs, security, System::nanoTime, AppKeyDirectory.none());
    }

    /**
     * Same as {@link #serve(CellStore, InetSocketAddress, int, boolean, SinkHttpSecurity)} on another clock,
     * checking repaired manifests against {@code appKeys}.
     */
    static SinkHttpServer serve(CellStore store, InetSocketAddress address, int threads,
            boolean acceptRepairs, SinkHttpSecurity security, LongSupplier nanoTime, AppKeyDirectory appKeys)
            throws IOException {
        Objects.requireNonNull(appKeys, "appKeys");
        Objects.requireNonNull(store, "store");
        SinkHealth running = SinkHealth.of(SinkHealth.State.RUNNING);
        return start(address, threads, new Source() {
            @Override
            public int serverIndex() {
                return store.serverIndex();
            }

            @Override
            public CellStore store() {
                return store;
            }

            @Override
            public SinkHealth health() {
                return running;
            }

            @Override
            public SinkStats stats() {
                return null;
            }

            @Override
            public PrometheusMeterRegistry registry() {
                return null;
            }

            @Override
            public Health opsHealth() {
                return Health.healthy(running.state().name(), Map.of("serverIndex", store.serverIndex()));
            }

            @Override
            public ScrubReport scrub() {
                return null;
            }

            @Override
            public boolean acceptsRepairs() {
                return acceptRepairs;
            }

            @Override
            public CellStore writableStore() {
                return store.readOnly() ? null : store;
            }

            @Override
            public void repaired(String app, long cells, long bytes) {
                // a bare store has no meters
            }

            @Override
            public AppKeyDirectory appKeys() {
                return appKeys;
            }
        }, security, nanoTime);
    }

    /**
     * Binds {@code address} and serves {@code source}, protected by {@code security}; {@code nanoTime} is the
     * clock of the guard against token guessing.
     */
    static SinkHttpServer start(InetSocketAddress address, int threads, Source source, SinkHttpSecurity security,
            LongSupplier nanoTime) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(security, "security");
        if (threads < 1) {
            throw new IllegalArgumentException("HTTP threads must be at least 1, got " + threads);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
                    Thread t = new Thread(r, "checkstripe-sink-" + source.serverIndex() + "-http-"
                            + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        HttpServer server;
        try {
            server = security.tls() ? https(address, security) : HttpServer.create(address, 0);
        } catch (IOException e) {
            executor.shutdown();
            throw new IOException("cannot listen for HTTP" + (security.tls() ? "S" : "") + " on " + address + ": "
                    + e.getMessage(), e);
        }
        AuthGuard guard = new AuthGuard(source.serverIndex(), security,
                source.registry() != null ? source.registry() : new SimpleMeterRegistry(), nanoTime);
        SinkHttpServer api = new SinkHttpServer(server, executor, source, security, guard);
        server.createContext("/", api::handle);
        server.setExecutor(executor);
        server.start();
        log.info("HTTP API of backup server {} listening on {} ({})", source.serverIndex(), api.uri(), security);
        return api;
    }

    private static HttpsServer https(InetSocketAddress address, SinkHttpSecurity security) throws IOException {
        HttpsServer server = HttpsServer.create(address, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(security.sslContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLContext context = getSSLContext();
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(security.clientCertificates());
                params.setSSLParameters(parameters);
            }
        });
        return server;
    }

    /** The bound address, with the actual port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port} ({@code https://} with TLS), what a restorer is given as a source. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create((tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + a.getPort());
    }

    /** Requests refused for their token or their address so far. */
    long authFailures() {
        return guard.failures();
    }

    /** Stops listening, cuts open connections and stops the request threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("HTTP request threads of backup server {} did not stop within 5 s", source.serverIndex());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- routing

    /** An answer that is an error: status and message. */
    private static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!admit(exchange, method)) {
                return;
            }
            if (method.equals("POST") || method.equals("PUT")) {
                routeWrite(exchange, method);
            } else if (method.equals("GET")) {
                route(exchange);
            } else {
                exchange.getResponseHeaders().set("Allow", "GET");
                throw new HttpError(405, "method " + method + " not allowed: read with GET; POST and PUT are "
                        + "only for repairs of cells and manifests");
            }
            exchange.close();
        } catch (HttpError e) {
            drainBody(exchange, DRAIN_LIMIT);
            OpsEndpoints.json(exchange, e.status, Map.of("error", e.getMessage()));
        } catch (IOException | RuntimeException e) {
            if (exchange.getResponseCode() != -1) {
                // Headers are out: cut the connection, so the client sees an incomplete response.
                log.debug("backup server {}: {} failed while streaming: {}", source.serverIndex(),
                        exchange.getRequestURI(), e.toString());
                throw e;
            }
            log.warn("backup server {}: {} failed: {}", source.serverIndex(), exchange.getRequestURI(), e.toString());
            drainBody(exchange, DRAIN_LIMIT);
            OpsEndpoints.json(exchange, 500, Map.of("error", "cannot read the store: " + e.getMessage()));
        }
    }

    /**
     * Answers a request that is too large or not authenticated, and says whether to go on: sizes first, so that
     * nothing of an oversized request is parsed, then the token (all but {@code GET /health} need it).
     */
    private boolean admit(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestURI().toString().length() > MAX_URI_LENGTH) {
            return refuse(exchange, 414, "request URI longer than " + MAX_URI_LENGTH + " characters");
        }
        long headerBytes = 0;
        int headers = 0;
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            for (String value : h.getValue()) {
                headerBytes += h.getKey().length() + value.length() + 4;
                headers++;
            }
        }
        if (headerBytes > MAX_HEADER_BYTES || headers > MAX_HEADERS) {
            return refuse(exchange, 431, "request headers too large: at most " + MAX_HEADERS + " fields and "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (method.equals("GET") && exchange.getRequestURI().getRawPath().equals("/health")) {
            return true;
        }
        String what = method + " " + shorten(exchange.getRequestURI().getRawPath());
        AuthGuard.Verdict verdict = guard.check(exchange.getRemoteAddress().getAddress(),
                exchange.getRequestHeaders().getFirst("Authorization"), what);
        if (verdict instanceof AuthGuard.Allowed) {
            return true;
        }
        if (verdict instanceof AuthGuard.Throttled t) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(t.seconds()));
            return refuse(exchange, 429, "too many failed authentications from this address: retry in " + t.seconds()
                    + " s");
        }
        boolean presented = ((AuthGuard.Unauthorized) verdict).presented();
        exchange.getResponseHeaders().set("WWW-Authenticate", presented
                ? "Bearer realm=\"checkstripe\", error=\"invalid_token\"" : "Bearer realm=\"checkstripe\"");
        return refuse(exchange, 401, presented ? "the bearer token is not this backup server's"
                : "backup server " + source.serverIndex() + " requires a bearer token (Authorization: Bearer)");
    }

    /** Answers a request refused before it was routed, reading little of its body; returns false. */
    private static boolean refuse(HttpExchange exchange, int status, String message) throws IOException {
        drainBody(exchange, UNAUTHENTICATED_DRAIN_LIMIT);
        OpsEndpoints.json(exchange, status, Map.of("error", message));
        return false;
    }

    private void route(HttpExchange exchange) throws IOException, HttpError {
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/health")) {
            OpsEndpoints.health(exchange, source::opsHealth);
            return;
        }
        if (path.equals("/metrics") && source.registry() != null) {
            OpsEndpoints.metrics(exchange, source.registry());
            return;
        }
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        int n = parts.length;
        if (n < 2 || !parts[0].equals("v1")) {
            throw notFound(path);
        }
        if (n == 2 && parts[1].equals("server")) {
            server(exchange);
        } else if (n == 2 && parts[1].equals("scrub") && source.scrub() != null) {
            OpsEndpoints.json(exchange, 200, source.scrub());
        } else if (n == 2 && parts[1].equals("apps")) {
            OpsEndpoints.json(exchange, 200, store().apps());
        } else if (n == 4 && parts[1].equals("apps") && parts[3].equals("checkpoints")) {
            checkpoints(exchange, app(parts[2]));
        } else if (n == 6 && parts[1].equals("apps") && parts[3].equals("checkpoints") && parts[5].equals("manifest")) {
            manifest(exchange, app(parts[2]), checkpointId(parts[4]));
        } else if (n == 6 && parts[1].equals("apps") && parts[3].equals("checkpoints") && parts[5].equals("cells")) {
            String app = app(parts[2]);
            long cp = checkpointId(parts[4]);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            int from = query.containsKey("from") ? index("from", query.get("from")) : 0;
            int to = query.containsKey("to") ? index("to", query.get("to")) : Integer.MAX_VALUE;
            if (to < from) {
                throw new HttpError(400, "invalid segment range from=" + from + " to=" + to
                        + ": need from <= to");
            }
            cells(exchange, app, cp, from, to);
        } else if (n == 8 && parts[1].equals("apps") && parts[3].equals("checkpoints") && parts[5].equals("cells")) {
            cell(exchange, app(parts[2]), checkpointId(parts[4]), index("segment", parts[6]), index("cell", parts[7]));
        } else {
            throw notFound(path);
        }
    }

    /**
     * {@code POST .../cells} and {@code PUT .../manifest}: a healer's writes of what it rebuilt. Each cell is
     * appended only if the store lacks it or holds it corrupt ({@link CellStore#append}), and nothing is
     * answered before the store committed (fsync) what the request added.
     */
    private void routeWrite(HttpExchange exchange, String method) throws IOException, HttpError {
        String path = exchange.getRequestURI().getRawPath();
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        boolean checkpoint = parts.length == 6 && parts[0].equals("v1") && parts[1].equals("apps")
                && parts[3].equals("checkpoints");
        boolean cells = checkpoint && parts[5].equals("cells") && method.equals("POST");
        boolean manifest = checkpoint && parts[5].equals("manifest") && method.equals("PUT");
        if (!cells && !manifest) {
            exchange.getResponseHeaders().set("Allow", "GET");
            throw new HttpError(405, "method " + method + " not allowed on " + shorten(path) + ": only POST .../cells"
                    + " and PUT .../manifest of a checkpoint take writes");
        }
        if (!source.acceptsRepairs()) {
            throw new HttpError(403, "backup server " + source.serverIndex() + " does not accept repairs: start its"
                    + " sink with --accept-repairs (" + SinkConfig.HTTP_REPAIRS_CONFIG + "=true)");
        }
        String app = app(parts[2]);
        long cp = checkpointId(parts[4]);
        CellStore store = source.writableStore();
        if (store == null) {
            throw new HttpError(503, "backup server " + source.serverIndex() + " has no store open for writing ("
                    + source.health().state() + "); try again later");
        }
        try {
            if (cells) {
                repairCells(exchange, store, app, cp);
            } else {
                repairManifest(exchange, store, app, cp);
            }
        } catch (CorruptRecordException | CorruptCellException | IllegalArgumentException e) {
            throw new HttpError(400, "bad repair of " + app + "/" + cp + ": " + e.getMessage());
        } catch (CheckpointConflictException e) {
            throw new HttpError(409, e.getMessage());
        } catch (DiskFullException e) {
            throw new HttpError(507, "backup server " + source.serverIndex() + ": " + e.getMessage());
        }
    }

    private void repairCells(HttpExchange exchange, CellStore store, String app, long cp) throws IOException,
            HttpError {
        long appended = 0;
        long bytes = 0;
        long held = 0;
        try (CellRecordReader in = new CellRecordReader(new BufferedInputStream(exchange.getRequestBody(),
                STREAM_BUFFER))) {
            for (Optional<CellHeader> h = in.next(); h.isPresent(); h = in.next()) {
                if (!h.get().appId().equals(app) || h.get().checkpointId() != cp) {
                    throw new HttpError(400, "cell " + h.get() + " is not of " + app + "/" + cp);
                }
                StoredCell cell = in.readCell().cell();
                if (store.append(cell)) {
                    appended++;
                    bytes += cell.data().length;
                } else {
                    held++;
                }
            }
        } finally {
            if (appended > 0) {
                // What was appended is intact and verified: keep it even when the rest of the body is bad.
                store.commit(Map.of());
                source.repaired(app, appended, bytes);
                log.info("backup server {}: a repair added {} cells ({} bytes) of {}/{}", source.serverIndex(),
                        appended, bytes, app, cp);
            }
        }
        OpsEndpoints.json(exchange, 200, Map.of("appended", appended, "bytes", bytes, "alreadyHeld", held));
    }

    private void repairManifest(HttpExchange exchange, CellStore store, String app, long cp) throws IOException,
            HttpError {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(ManifestFormat.MAX_LENGTH + 1);
        }
        if (body.length > ManifestFormat.MAX_LENGTH) {
            throw new HttpError(413, "a manifest is at most " + ManifestFormat.MAX_LENGTH + " bytes");
        }
        StoredManifest manifest = ManifestFormat.decode(body);
        if (!manifest.appId().equals(app) || manifest.checkpointId() != cp) {
            throw new HttpError(400, "the manifest is of " + manifest.appId() + "/" + manifest.checkpointId()
                    + ", not of " + app + "/" + cp);
        }
        SignatureVerdict verdict = source.appKeys().verify(manifest.signedFields());
        if (!verdict.accepted()) {
            log.warn("backup server {}: refused a repair's manifest of {}/{}: {}", source.serverIndex(), app, cp,
                    verdict.reason());
            throw new HttpError(422, "the manifest of " + app + "/" + cp + " is refused: " + verdict.reason());
        }
        boolean stored = store.putManifest(manifest);
        if (stored) {
            store.commit(Map.of());
            source.repaired(app, 0, 0);
            log.info("backup server {}: a repair stored the manifest of {}/{}", source.serverIndex(), app, cp);
        }
        OpsEndpoints.json(exchange, 200, Map.of("stored", stored));
    }

    // ---------------------------------------------------------------- endpoints

    private void server(HttpExchange exchange) throws IOException {
        SinkHealth health = source.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serverIndex", source.serverIndex());
        body.put("formatVersion", FORMAT_VERSION);
        body.put("state", health.state().name());
        if (health.reason() != null) {
            body.put("reason", health.reason());
        }
        body.put("stateSince", health.since().toString());
        body.put("acceptsRepairs", source.acceptsRepairs());
        SinkStats stats = source.stats();
        if (stats != null) {
            body.put("committedOffset", stats.committedOffset());
            body.put("cellsStored", stats.cellsStored());
            body.put("bytesStored", stats.bytesStored());
            body.put("manifestsStored", stats.manifestsStored());
            body.put("deadLetters", stats.deadLetters());
            body.put("acksSent", stats.acksSent());
            body.put("checkpointsDeleted", stats.checkpointsDeleted());
        }
        body.put("time", Instant.now().toString());
        OpsEndpoints.json(exchange, 200, body);
    }

    private void checkpoints(HttpExchange exchange, String app) throws IOException, HttpError {
        CellStore store = store();
        Set<Long> keptAsBases = source.keptAsBases(app);
        List<Map<String, Object>> list = new ArrayList<>();
        for (long cp : store.checkpoints(app)) {
            boolean hasManifest = store.manifest(app, cp).isPresent();
            int cells = store.cells(app, cp).size();
            if (!hasManifest && cells == 0) {
                continue; // deleted since it was listed, or an empty directory
            }
            OptionalInt expected = store.expectedCells(app, cp);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("checkpointId", cp);
            entry.put("hasManifest", hasManifest);
            entry.put("complete", store.isComplete(app, cp));
            entry.put("cells", cells);
            entry.put("expectedCells", expected.isPresent() ? expected.getAsInt() : null);
            entry.put("keptAsBase", keptAsBases.contains(cp));
            list.add(entry);
        }
        if (list.isEmpty()) {
            throw new HttpError(404, "no checkpoint of application " + app + " on backup server "
                    + source.serverIndex());
        }
        OpsEndpoints.json(exchange, 200, list);
    }

    private void manifest(HttpExchange exchange, String app, long cp) throws IOException, HttpError {
        Optional<StoredManifest> manifest = store().manifest(app, cp);
        if (manifest.isEmpty()) {
            throw new HttpError(404, "no manifest of " + app + "/" + cp + " on backup server " + source.serverIndex());
        }
        byte[] bytes = ManifestFormat.encode(manifest.get());
        exchange.getResponseHeaders().set("Content-Type", BINARY);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void cells(HttpExchange exchange, String app, long cp, int from, int to) throws IOException, HttpError {
        CellStore store = store();
        if (!store.checkpoints(app).contains(cp)) {
            throw new HttpError(404, "no checkpoint " + app + "/" + cp + " on backup server " + source.serverIndex());
        }
        exchange.getResponseHeaders().set("Content-Type", BINARY);
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), STREAM_BUFFER);
        int sent = store.transferCells(app, cp, from, to, Channels.newChannel(out));
        out.close();
        log.debug("backup server {}: sent {} cells of {}/{} segments [{}, {})", source.serverIndex(), sent, app, cp,
                from, to);
    }

    private void cell(HttpExchange exchange, String app, long cp, int segment, int cell) throws IOException, HttpError {
        Optional<InputStream> record = store().openCellStream(app, cp, segment, cell);
        if (record.isEmpty()) {
            throw new HttpError(404, "no cell " + cell + " of segment " + segment + " of " + app + "/" + cp
                    + " on backup server " + source.serverIndex());
        }
        try (InputStream in = record.get()) {
            exchange.getResponseHeaders().set("Content-Type", BINARY);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            in.transferTo(out);
            out.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private CellStore store() throws HttpError {
        CellStore store = source.store();
        if (store == null) {
            SinkHealth health = source.health();
            throw new HttpError(503, "backup server " + source.serverIndex() + " has no store open ("
                    + (health.reason() != null ? health.reason() : health.state()) + "); try again later");
        }
        return store;
    }

    /**
     * Reads what is left of a refused request's body, up to {@code limit} bytes, so that the client, which may
     * still be sending it, gets the error answer rather than a broken connection.
     */
    private static void drainBody(HttpExchange exchange, long limit) {
        try (InputStream in = exchange.getRequestBody()) {
            long left = limit;
            byte[] buffer = new byte[STREAM_BUFFER];
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException e) {
            log.debug("could not read the rest of a refused request's body: {}", e.toString());
        }
    }

    private static String app(String raw) throws HttpError {
        try {
            return AppId.validate(raw);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    private static long checkpointId(String raw) throws HttpError {
        if (DECIMAL.matcher(raw).matches()) {
            try {
                return Long.parseLong(raw);
            } catch (NumberFormatException e) {
                // beyond Long.MAX_VALUE: reported below
            }
        }
        throw new HttpError(400, "invalid checkpoint id \"" + shorten(raw) + "\": expected a decimal number from 0 to "
                + Long.MAX_VALUE);
    }

    private static int index(String what, String raw) throws HttpError {
        if (raw != null && DECIMAL.matcher(raw).matches() && raw.length() <= 10) {
            long value = Long.parseLong(raw);
            if (value <= Integer.MAX_VALUE) {
                return (int) value;
            }
        }
        throw new HttpError(400, "invalid " + what + " \"" + shorten(raw) + "\": expected a decimal number from 0 to "
                + Integer.MAX_VALUE);
    }

    private static Map<String, String> query(String rawQuery) throws HttpError {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (params.put(key, value) != null) {
                throw new HttpError(400, "query parameter \"" + shorten(key) + "\" is given twice");
            }
        }
        return params;
    }

    private static HttpError notFound(String path) {
        return new HttpError(404, "no such resource: " + shorten(path) + " (the API is under /v1/server and /v1/apps)");
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
