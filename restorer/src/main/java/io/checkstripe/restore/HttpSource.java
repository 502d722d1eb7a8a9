package io.checkstripe.restore;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredManifest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import javax.net.ssl.SSLException;

/**
 * A running sink's read-only HTTP API, read with {@link HttpClient}. The contract (version 1):
 * <pre>
 * GET /v1/server                                   {"serverIndex": I, "formatVersion": 1, "state": "RUNNING"}
 * GET /v1/apps                                     ["app1", ...]
 * GET /v1/apps/{app}/checkpoints                   [{"checkpointId": 5, "hasManifest": true, "complete": true,
 *                                                    "cells": 12, "expectedCells": 12}, ...]
 * GET /v1/apps/{app}/checkpoints/{cp}/manifest     the ManifestFormat bytes; 404 when absent
 * GET /v1/apps/{app}/checkpoints/{cp}/cells?from=S&amp;to=T
 *                                                  CellRecordFormat records of segments S..T-1, in segment
 *                                                  order, only those present
 * GET /v1/apps/{app}/checkpoints/{cp}/cells/{segment}/{cell}   one record; 404 when absent
 * </pre>
 *
 * <p>An {@code https://} source is read over TLS with the {@link HttpCredentials}' context (the JDK checks the
 * certificate's chain and that it names the host), and every request carries their bearer token if any. A 401, a
 * 403 on a read, or a failed handshake is a {@link SinkAccessException} saying so and which option helps.
 *
 * <p>Every request is bounded in time: the connection by the connect timeout, the response headers by the
 * request timeout, and every read of a body by the request timeout again (a sink that answers and then goes
 * silent fails the read instead of hanging the restore). Failures are {@link IOException}s, which the
 * restorer counts as a lost server. Bodies are streamed: a range of cells is never held in memory.
 * Thread-safe.
 */
public final class HttpSource implements CellSource {

    /** The only API format version this client reads. */
    public static final int FORMAT_VERSION = 1;

    private static final int MAX_JSON_BYTES = 16 << 20;
    private static final int BUFFER = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final String base;
    private final Duration requestTimeout;
    private final HttpClient client;
    private final String authorization;
    private volatile Integer serverIndex;

    /**
     * A source for the sink at {@code base} ({@code http://host:port}, optionally with a path prefix), without a
     * token and trusting the JDK's CAs.
     *
     * @throws IllegalArgumentException when {@code base} is not an absolute http(s) URL with a host
     */
    public HttpSource(URI base, Duration connectTimeout, Duration requestTimeout) {
        this(base, connectTimeout, requestTimeout, HttpCredentials.none());
    }

    /**
     * A source for the sink at {@code base} with the timeouts and credentials of {@code options}.
     *
     * @throws IllegalArgumentException when {@code base} is not an absolute http(s) URL with a host
     */
    public HttpSource(URI base, RestoreOptions options) {
        this(base, options.connectTimeout(), options.requestTimeout(), options.credentials());
    }

    /**
     * A source for the sink at {@code base}, presenting {@code credentials}.
     *
     * @throws IllegalArgumentException when {@code base} is not an absolute http(s) URL with a host
     */
    public HttpSource(URI base, Duration connectTimeout, Duration requestTimeout, HttpCredentials credentials) {
        Objects.requireNonNull(base, "base");
        String scheme = base.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || base.getHost() == null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("sink URL " + base + " must be http://host:port or https://host:port");
        }
        String s = base.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(credentials, "credentials");
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER);
        if (credentials.sslContext() != null) {
            builder.sslContext(credentials.sslContext());
        }
        this.client = builder.build();
        this.authorization = credentials.token() == null ? null : credentials.token().authorization();
    }

    @Override
    public String location() {
        return base;
    }

    @Override
    public int serverIndex() throws IOException {
        Integer known = serverIndex;
        if (known != null) {
            return known;
        }
        JsonNode info = json("/v1/server");
        int version = info.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IOException(base + " serves API format version " + info.path("formatVersion")
                    + ", this restorer reads " + FORMAT_VERSION);
        }
        JsonNode index = info.get("serverIndex");
        if (index == null || !index.canConvertToInt() || index.asInt() < 0) {
            throw new IOException(base + "/v1/server has no valid serverIndex: " + info);
        }
        serverIndex = index.asInt();
        return serverIndex;
    }

    @Override
    public List<Long> checkpoints(String app) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (JsonNode entry : listing(app)) {
            ids.add(entry.path("checkpointId").asLong());
        }
        Collections.sort(ids);
        return ids;
    }

    @Override
    public Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException {
        String path = checkpointPath(app, checkpointId) + "/manifest";
        try (Response r = get(path)) {
            if (r.status == 404) {
                return Optional.empty();
            }
            r.expectOk();
            return Optional.of(ManifestFormat.decode(r.readAll(ManifestFormat.MAX_LENGTH)));
        }
    }

    @Override
    public NavigableSet<CellKey> cellKeys(StoredManifest manifest) throws IOException {
        String app = manifest.appId();
        long cp = manifest.checkpointId();
        int server = serverIndex();
        for (JsonNode entry : listing(app)) {
            if (entry.path("checkpointId").asLong() == cp && entry.path("complete").asBoolean(false)
                    && entry.path("hasManifest").asBoolean(false)) {
                return expectedKeys(manifest, server);
            }
        }
        NavigableSet<CellKey> keys = new TreeSet<>();
        try (Response r = get(cellsPath(app, cp, 0, manifest.segmentCount()))) {
            if (r.status == 404) {
                return Collections.emptyNavigableSet();
            }
            r.expectOk();
            CellRecordReader reader = new CellRecordReader(new BufferedInputStream(r.body, BUFFER));
            for (Optional<CellHeader> h = reader.next(); h.isPresent(); h = reader.next()) {
                if (h.get().appId().equals(app) && h.get().checkpointId() == cp) {
                    keys.add(h.get().key());
                }
            }
        }
        return Collections.unmodifiableNavigableSet(keys);
    }

    @Override
    public CellStream cells(String app, long checkpointId, int fromSegment, int toSegment) throws IOException {
        if (fromSegment < 0 || toSegment < fromSegment) {
            throw new IllegalArgumentException("bad segment range [" + fromSegment + ", " + toSegment + ")");
        }
        Response r = get(cellsPath(app, checkpointId, fromSegment, toSegment));
        if (r.status == 404) {
            r.close();
            return new CellStream() {
                @Override
                public Optional<CellKey> next() {
                    return Optional.empty();
                }

                @Override
                public Optional<CellReadResult> read() {
                    throw new IllegalStateException("no cell to read: the range is empty");
                }

                @Override
                public void close() {
                    // nothing was opened
                }
            };
        }
        try {
            r.expectOk();
        } catch (IOException e) {
            r.close();
            throw e;
        }
        CellRecordReader reader = new CellRecordReader(new BufferedInputStream(r.body, BUFFER));
        return new CellStream() {
            @Override
            public Optional<CellKey> next() throws IOException {
                return reader.next().map(CellHeader::key);
            }

            @Override
            public Optional<CellReadResult> read() throws IOException {
                return Optional.of(reader.readCell());
            }

            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }

    @Override
    public Optional<CellReadResult> cell(String app, long checkpointId, int segment, int cell) throws IOException {
        try (Response r = get(checkpointPath(app, checkpointId) + "/cells/" + segment + "/" + cell)) {
            if (r.status == 404) {
                return Optional.empty();
            }
            r.expectOk();
            return new CellRecordReader(r.body).nextCell();
        }
    }

    /** Nothing to release: the client's connections are idle and its threads are daemons. */
    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21
    }

    @Override
    public String toString() {
        return "sink " + base;
    }

    /** The keys server {@code server} holds of a complete checkpoint: one per stripe that has a cell on it. */
    static NavigableSet<CellKey> expectedKeys(StoredManifest m, int server) {
        NavigableSet<CellKey> keys = new TreeSet<>();
        int cellsPerStripe = RedundancyPolicy.parse(m.policy()).totalCells();
        if (server < m.servers()) {
            for (int s = 0; s < m.segmentCount(); s++) {
                int cell = CellLayout.cellOn(s, server, m.servers(), cellsPerStripe);
                if (cell >= 0) {
                    keys.add(new CellKey(s, cell));
                }
            }
        }
        return Collections.unmodifiableNavigableSet(keys);
    }

    private JsonNode listingNode(String app) throws IOException {
        try (Response r = get("/v1/apps/" + app + "/checkpoints")) {
            if (r.status == 404) {
                return JSON.createArrayNode();
            }
            r.expectOk();
            return JSON.readTree(r.readAll(MAX_JSON_BYTES));
        }
    }

    List<JsonNode> listing(String app) throws IOException {
        JsonNode node = listingNode(app);
        if (!node.isArray()) {
            throw new IOException(base + " sent a checkpoint listing of " + app + " that is not a JSON array");
        }
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode entry : node) {
            JsonNode id = entry.get("checkpointId");
            if (id == null || !id.canConvertToLong() || id.asLong() < 0) {
                throw new IOException(base + " sent a checkpoint listing entry without a valid checkpointId: " + entry);
            }
            entries.add(entry);
        }
        return entries;
    }

    JsonNode json(String path) throws IOException {
        try (Response r = get(path)) {
            r.expectOk();
            return JSON.readTree(r.readAll(MAX_JSON_BYTES));
        }
    }

    private static String checkpointPath(String app, long checkpointId) {
        // application ids are [A-Za-z0-9._-]: safe in a path segment without encoding
        return "/v1/apps/" + app + "/checkpoints/" + checkpointId;
    }

    private static String cellsPath(String app, long checkpointId, int from, int to) {
        return checkpointPath(app, checkpointId) + "/cells?from=" + from + "&to=" + to;
    }

    private Response get(String path) throws IOException {
        URI uri = URI.create(base + path);
        HttpRequest request = authorize(HttpRequest.newBuilder(uri)).timeout(requestTimeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking " + uri);
        } catch (IOException e) {
            throw failed("GET", uri, e);
        }
        InputStream body = new IdleTimeoutInputStream(response.body(), requestTimeout, uri.toString());
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            try (body) {
                throw unauthorized("GET", uri, status, new String(body.readNBytes(512), StandardCharsets.UTF_8));
            }
        }
        return new Response(uri, status, body);
    }

    private HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    /** A refused request in the user's terms: the status, the source, the server's words, the option to check. */
    private SinkAccessException unauthorized(String method, URI uri, int status, String answer) {
        String error = answer.strip();
        try {
            JsonNode node = JSON.readTree(answer);
            if (node != null && node.hasNonNull("error")) {
                error = node.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: quote it as it came
        }
        error = error.length() > 200 ? error.substring(0, 200) + "..." : error;
        return new SinkAccessException(SinkAccessException.Kind.UNAUTHORIZED, "unauthorized (" + status + "): "
                + request(method, uri) + " was refused" + (error.isEmpty() ? "" : " (" + error + ")") + "; "
                + (authorization == null ? "no token was given: give the sink's token with --token-file"
                        : "check that --token-file holds this sink's token"), null);
    }

    /** A request that got no answer; a failed TLS handshake says so, and what usually causes it. */
    private static IOException failed(String method, URI uri, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                String why = String.valueOf(t.getMessage());
                String hint;
                if (why.contains("PKIX") || why.contains("unable to find valid certification path")) {
                    hint = "the sink's certificate is not issued by a CA this client trusts: give its CA with "
                            + "--ca-file or --trust-store";
                } else if (why.contains("subject alternative") || why.contains("No name matching")) {
                    hint = "the sink's certificate does not name the host " + uri.getHost() + ": connect by a name "
                            + "it holds, or issue it for this one";
                } else if (why.contains("bad_certificate") || why.contains("certificate_required")
                        || why.contains("certificate_unknown")) {
                    hint = "the sink requires a client certificate it trusts: give --client-cert and --client-key";
                } else if (uri.getScheme().equalsIgnoreCase("https")) {
                    hint = "is the sink serving HTTPS on this port?";
                } else {
                    hint = "";
                }
                return new SinkAccessException(SinkAccessException.Kind.TLS, "TLS failed: " + request(method, uri)
                        + ": " + why + (hint.isEmpty() ? "" : "; " + hint), e);
            }
        }
        return new IOException(request(method, uri) + ": " + describe(e), e);
    }

    /** {@code uri} alone for a read, as every message of a source has it; {@code METHOD uri} for a write. */
    private static String request(String method, URI uri) {
        return method.equals("GET") ? uri.toString() : method + " " + uri;
    }

    /**
     * Sends a request with a body ({@code POST}, {@code PUT}) and reads its JSON answer; any status but 200 is
     * an {@link IOException} carrying the server's message. {@code timeout} bounds the whole exchange, which
     * includes the server's fsync.
     */
    JsonNode send(String method, String path, HttpRequest.BodyPublisher body, Duration timeout) throws IOException {
        URI uri = URI.create(base + path);
        HttpRequest request = authorize(HttpRequest.newBuilder(uri)).timeout(timeout).header("Content-Type",
                "application/octet-stream").method(method, body).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending to " + uri);
        } catch (IOException e) {
            throw failed(method, uri, e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8).strip();
        if (response.statusCode() == 401) {
            // 403 is the sink's "repairs not accepted", which its message explains
            throw unauthorized(method, uri, 401, text);
        }
        if (response.statusCode() != 200) {
            throw new IOException(method + " " + uri + " answered HTTP " + response.statusCode() + ": "
                    + (text.length() > 512 ? text.substring(0, 512) : text));
        }
        return JSON.readTree(text);
    }

    /** The HTTP status of {@code GET path} and its body as JSON (null when it is not JSON). */
    StatusAndBody probe(String path) throws IOException {
        try (Response r = get(path)) {
            byte[] bytes = r.readAll(MAX_JSON_BYTES);
            JsonNode node;
            try {
                node = JSON.readTree(bytes);
            } catch (IOException e) {
                node = null;
            }
            return new StatusAndBody(r.status, node);
        }
    }

    /** An answer of {@link #probe}. */
    record StatusAndBody(int status, JsonNode body) {
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    /** A response whose body must be closed. */
    private static final class Response implements AutoCloseable {
        final URI uri;
        final int status;
        final InputStream body;

        Response(URI uri, int status, InputStream body) {
            this.uri = uri;
            this.status = status;
            this.body = body;
        }

        void expectOk() throws IOException {
            if (status != 200) {
                byte[] text = body.readNBytes(512);
                throw new IOException(uri + " answered HTTP " + status + ": "
                        + new String(text, StandardCharsets.UTF_8).strip());
            }
        }

        byte[] readAll(int limit) throws IOException {
            byte[] bytes = body.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new IOException(uri + " sent more than " + limit + " bytes");
            }
            return bytes;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
