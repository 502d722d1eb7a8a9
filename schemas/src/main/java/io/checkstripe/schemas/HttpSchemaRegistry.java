package io.checkstripe.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API (also served by Apicurio Registry's
 * {@code ccompat} API and by Karapace), with {@link HttpClient} and Jackson only, so that
 * checkstripe needs no Confluent client libraries. It behaves as Confluent's client does where
 * a production deployment depends on it: several URLs with fail-over, HTTP basic
 * authentication, TLS with the caller's trust and key material, bounded retries.
 *
 * <p>Requests: {@code POST /subjects/{subject}/versions} registers, {@code POST
 * /subjects/{subject}} looks up without registering, {@code GET /schemas/ids/{id}} fetches, and
 * {@code PUT /config/{subject}} sets a subject's compatibility level, all with content type
 * {@value #CONTENT_TYPE}. A base URL may carry a path, e.g. Apicurio's
 * {@code http://host:8080/apis/ccompat/v7}, and user info ({@code https://user:password@host})
 * when {@link Settings#credentials()} is null; user info never appears in a message or a log.
 *
 * <p>Failures: a URL that cannot be reached, times out, or answers 408, 429 or 5xx is a
 * failure of that URL, and the request moves on to the next URL; once every URL failed it is
 * retried, up to {@link Settings#maxRetries()} times, after an exponential backoff with jitter
 * ({@link Settings#backoffMillis(int)}). Any other answer, 401, 403 and 404 included, is the
 * registry's answer and is never retried or failed over; neither is a server certificate the
 * client rejects (a configuration problem that waiting does not solve). The whole operation,
 * every attempt and wait included, ends within {@link Settings#requestTimeout()}: each attempt
 * gets the time left, shared among the URLs still to try in its round. A URL that answered
 * stays the first one asked until it fails.
 *
 * <p>Answers are cached both ways (subject and schema to id, id to schema); ids never change
 * meaning in a registry, so the caches are never invalidated. Failed requests are not cached.
 * Errors become {@link SchemaRegistryException}s carrying the HTTP status and the registry's
 * {@code error_code}, with a message naming the registry URL(s), the subject or id and, for a
 * refusal of credentials, the user (never the password).
 *
 * <p>Thread-safe.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistry.class);

    /** Content type of the registry's requests and answers. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** Default time to open a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Default time one operation may take, every attempt and wait included. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Default number of retries after every URL failed (Confluent's default). */
    public static final int DEFAULT_MAX_RETRIES = 3;

    /** Default wait before the first retry (Confluent's default). */
    public static final Duration DEFAULT_RETRY_WAIT = Duration.ofSeconds(1);

    /** Default longest wait before a retry (Confluent's default). */
    public static final Duration DEFAULT_RETRY_MAX_WAIT = Duration.ofSeconds(20);

    /** Each wait is the exponential term times a random factor in [1 - JITTER, 1 + JITTER), capped. */
    static final double JITTER = 0.2;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Longest part of a non-JSON error body quoted in a message. */
    private static final int QUOTED_BODY_CHARS = 200;

    /** The user info of a URL, for taking it out of text that quotes a URL. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#@]*@");

    private final List<Endpoint> endpoints;
    private final Settings settings;
    private final HttpClient http;
    /** Index of the endpoint asked first: the one that answered last. */
    private final AtomicInteger preferred = new AtomicInteger();
    private final ConcurrentHashMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Schema> schemas = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    /** One registry URL, without user info, and the credentials sent to it (null: none). */
    private record Endpoint(String url, BasicCredentials credentials) {
    }

    /**
     * How the client connects, authenticates, times out and retries; immutable.
     *
     * @param connectTimeout time to open one connection (capped by the time left)
     * @param requestTimeout time one operation may take, every attempt, fail-over and wait included
     * @param maxRetries     rounds over every URL after the first one failed, 0 for none
     * @param retryWait      wait before the first retry; each further one doubles it
     * @param retryMaxWait   longest wait before a retry
     * @param credentials    basic credentials sent to every URL; null takes them from each URL's
     *                       user info, or sends none when it has none
     * @param sslContext     TLS context of {@code https} URLs; null for the JDK's default
     */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int maxRetries, Duration retryWait,
                           Duration retryMaxWait, BasicCredentials credentials, SSLContext sslContext) {

        /** The defaults: no credentials but those in the URLs, the JDK's trust store. */
        public static final Settings DEFAULTS = new Settings(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_RETRIES, DEFAULT_RETRY_WAIT, DEFAULT_RETRY_MAX_WAIT, null, null);

        /** @throws IllegalArgumentException naming the value that is not usable */
        public Settings {
            checkPositive("connect timeout", connectTimeout);
            checkPositive("request timeout", requestTimeout);
            if (maxRetries < 0) {
                throw new IllegalArgumentException("invalid schema registry max retries " + maxRetries
                        + ": must be at least 0");
            }
            checkNotNegative("retry wait", retryWait);
            checkNotNegative("retry max wait", retryMaxWait);
        }

        /** These settings with other timeouts. */
        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(connect, request, maxRetries, retryWait, retryMaxWait, credentials, sslContext);
        }

        /** These settings with another retry policy. */
        public Settings withRetries(int max, Duration wait, Duration maxWait) {
            return new Settings(connectTimeout, requestTimeout, max, wait, maxWait, credentials, sslContext);
        }

        /** These settings with credentials for every URL (null: those in the URLs). */
        public Settings withCredentials(BasicCredentials basic) {
            return new Settings(connectTimeout, requestTimeout, maxRetries, retryWait, retryMaxWait, basic,
                    sslContext);
        }

        /** These settings with a TLS context (null: the JDK's default). */
        public Settings withSslContext(SSLContext context) {
            return new Settings(connectTimeout, requestTimeout, maxRetries, retryWait, retryMaxWait, credentials,
                    context);
        }

        /**
         * The wait before retry {@code retry} (0 for the first): {@code retryWait × 2^retry} times a
         * random factor in [0.8, 1.2), never more than {@code retryMaxWait}.
         */
        public long backoffMillis(int retry) {
            // Kafka's backoff returns the initial wait uncapped when it exceeds the maximum.
            long wait = new ExponentialBackoff(retryWait.toMillis(), 2, retryMaxWait.toMillis(), JITTER).backoff(retry);
            return Math.min(wait, retryMaxWait.toMillis());
        }

        private static void checkPositive(String which, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("invalid schema registry " + which + " " + value
                        + ": must be positive");
            }
        }

        private static void checkNotNegative(String which, Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("invalid schema registry " + which + " " + value
                        + ": must not be negative");
            }
        }
    }

    /** A client of one URL with the default settings. */
    public HttpSchemaRegistry(String urls) {
        this(urls, Settings.DEFAULTS);
    }

    /**
     * @param urls     one or more comma-separated {@code http(s)://[user:password@]host:port[/path]},
     *                 asked in this order
     * @param settings timeouts, retries, credentials and TLS
     * @throws IllegalArgumentException naming the URL (without its user info) when it is not usable,
     *                                  or when a URL carries user info while {@code settings} has
     *                                  credentials
     */
    public HttpSchemaRegistry(String urls, Settings settings) {
        this.settings = settings;
        this.endpoints = endpoints(urls, settings.credentials());
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.connectTimeout());
        if (settings.sslContext() != null) {
            builder.sslContext(settings.sslContext());
        }
        this.http = builder.build();
        for (Endpoint endpoint : endpoints) {
            if (endpoint.credentials() != null && endpoint.url().startsWith("http:")) {
                log.warn("sending the password of schema registry user {} to {} over plain http, readable on the "
                        + "network: use https", endpoint.credentials().user(), endpoint.url());
            }
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(checkSubject(subject), schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        String what = "registering schema " + schema.getFullName() + " under subject \"" + subject + "\"";
        JsonNode answer = send(what, post("/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema)));
        int id = idIn(what, answer);
        ids.put(key, id);
        schemas.putIfAbsent(id, schema);
        log.debug("registered schema {} under subject {} at {} with id {}", schema.getFullName(), subject, this, id);
        return id;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(checkSubject(subject), schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        String what = "looking up schema " + schema.getFullName() + " under subject \"" + subject + "\"";
        JsonNode answer = send(what, post("/subjects/" + pathSegment(subject), schemaBody(schema)));
        int id = idIn(what, answer);
        ids.put(key, id);
        schemas.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema cached = schemas.get(id);
        if (cached != null) {
            return cached;
        }
        String what = "fetching schema id " + id;
        Answer answer = sendForAnswer(what, new Call("GET", "/schemas/ids/" + id, null));
        JsonNode text = answer.body().get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException(failure(answer.url(), what) + ": answer has no \"schema\" text: "
                    + answer.body(), 200, SchemaRegistryException.NO_RESPONSE, null);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(failure(answer.url(), what) + ": not an Avro schema: " + e.getMessage(),
                    200, SchemaRegistryException.NO_RESPONSE, e);
        }
        Schema known = schemas.putIfAbsent(id, schema);
        return known != null ? known : schema;
    }

    /**
     * Sets the compatibility level of a subject ({@code PUT /config/{subject}}), e.g.
     * {@code BACKWARD}, {@code FULL_TRANSITIVE} or {@code NONE}.
     *
     * @throws SchemaRegistryException when the registry refuses or cannot be reached
     */
    public void setCompatibility(String subject, String level) {
        String what = "setting compatibility " + level + " of subject \"" + checkSubject(subject) + "\"";
        send(what, new Call("PUT", "/config/" + pathSegment(subject), json(Map.of("compatibility", level))));
    }

    /** How this client connects, authenticates, times out and retries. */
    public Settings settings() {
        return settings;
    }

    /** The base URLs, in the order they are asked, without trailing slashes or user info. */
    public List<String> urls() {
        return endpoints.stream().map(Endpoint::url).toList();
    }

    /** The base URLs, comma-separated, without user info. */
    @Override
    public String toString() {
        return String.join(",", urls());
    }

    /** A request, built again for each URL it is sent to. */
    private record Call(String method, String path, String body) {
    }

    /** A 2xx JSON answer and the URL that gave it. */
    private record Answer(String url, JsonNode body) {
    }

    private static Call post(String path, String body) {
        return new Call("POST", path, body);
    }

    private JsonNode send(String what, Call call) {
        return sendForAnswer(what, call).body();
    }

    /**
     * Sends {@code call} to the URLs in turn, and again after a backoff, as the class comment
     * describes; returns the first 2xx JSON answer and throws on a final answer or once the
     * retries or the time are used up.
     */
    private Answer sendForAnswer(String what, Call call) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + settings.requestTimeout().toNanos();
        Map<String, SchemaRegistryException> lastFailures = new LinkedHashMap<>();
        SchemaRegistryException last = null;
        int attempts = 0;
        for (int retry = 0; ; retry++) {
            int first = preferred.get();
            for (int i = 0; i < endpoints.size(); i++) {
                long leftNanos = deadlineNanos - System.nanoTime();
                if (leftNanos <= 0) {
                    break;
                }
                int index = (first + i) % endpoints.size();
                Endpoint endpoint = endpoints.get(index);
                // Share the time left among the URLs still to try, so one that hangs leaves the others theirs.
                Duration timeout = Duration.ofNanos(Math.max(leftNanos / (endpoints.size() - i), 1_000_000));
                attempts++;
                try {
                    JsonNode body = attempt(endpoint, what, call, timeout, startNanos);
                    preferred.set(index);
                    return new Answer(endpoint.url(), body);
                } catch (SchemaRegistryException e) {
                    if (!e.retriable()) {
                        throw e;
                    }
                    // An attempt cut short by the operation's deadline says nothing new about its URL.
                    boolean cutShort = e.getCause() instanceof HttpTimeoutException
                            && System.nanoTime() >= deadlineNanos;
                    if (!cutShort || !lastFailures.containsKey(endpoint.url())) {
                        lastFailures.put(endpoint.url(), e);
                    }
                    last = lastFailures.get(endpoint.url());
                    if (i < endpoints.size() - 1) {
                        log.warn("{}; trying the next schema registry URL", e.getMessage());
                    }
                }
            }
            long backoffMillis = retry < settings.maxRetries() ? settings.backoffMillis(retry) : -1;
            if (backoffMillis < 0 || last == null
                    || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis) >= deadlineNanos) {
                break;
            }
            log.warn("{}; retry {} of {} in {} ms", endpoints.size() == 1 ? last.getMessage()
                    : "every schema registry URL failed " + what, retry + 1, settings.maxRetries(), backoffMillis);
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while waiting to retry " + what + " at " + this,
                        SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, e);
            }
        }
        throw gaveUp(what, lastFailures, last, attempts, startNanos);
    }

    private SchemaRegistryException gaveUp(String what, Map<String, SchemaRegistryException> failures,
                                           SchemaRegistryException last, int attempts, long startNanos) {
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
        String tally = attempts == 1 ? "" : "; gave up after " + attempts + " attempts in " + elapsedMillis + " ms";
        if (last == null) {
            return new SchemaRegistryException("schema registry at " + this + " was not asked " + what + ": the "
                    + settings.requestTimeout().toMillis() + " ms request timeout was over",
                    SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, null);
        }
        String message = failures.size() == 1 ? last.getMessage() + tally
                : "no schema registry answered " + what + ": " + failures.values().stream()
                        .map(Throwable::getMessage).collect(Collectors.joining("; ")) + tally;
        // A registry's own answer says more than a URL that did not connect, whichever was tried last.
        SchemaRegistryException answered = failures.values().stream()
                .filter(f -> f.httpStatus() != SchemaRegistryException.NO_RESPONSE).reduce((a, b) -> b).orElse(last);
        return new SchemaRegistryException(message, answered.httpStatus(), answered.errorCode(), last);
    }

    /** One request to one URL: the JSON answer of a 2xx response; anything else throws. */
    private JsonNode attempt(Endpoint endpoint, String what, Call call, Duration timeout, long startNanos) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.url() + call.path()))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (call.body() != null) {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8));
        } else {
            request.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        if (endpoint.credentials() != null) {
            request.header("Authorization", endpoint.credentials().authorizationHeader());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            // The JDK client may call a request timeout a connect timeout, so state both limits.
            throw unreachable(endpoint, what, "timed out after " + (System.nanoTime() - startNanos) / 1_000_000
                    + " ms; connect timeout " + settings.connectTimeout().toMillis() + " ms, request timeout "
                    + settings.requestTimeout().toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw unreachable(endpoint, what, "connection refused", e);
        } catch (SSLHandshakeException e) {
            throw tlsFailure(endpoint, what, e);
        } catch (IOException e) {
            throw unreachable(endpoint, what, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(failure(endpoint.url(), what) + ": interrupted",
                    SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, e);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status / 100 == 2 && body != null) {
            return body;
        }
        int errorCode = SchemaRegistryException.NO_RESPONSE;
        String message = quote(response.body());
        if (body != null && body.path("error_code").canConvertToInt()) {
            errorCode = body.get("error_code").asInt();
            message = body.path("message").asText(message);
        }
        if (status == 401 || status == 403) {
            String who = endpoint.credentials() == null
                    ? "the request without credentials (set " + SchemaRegistryClientConfigs.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG
                    + "=USER_INFO and " + SchemaRegistryClientConfigs.BASIC_AUTH_USER_INFO_CONFIG + ")"
                    : "the credentials of user " + endpoint.credentials().user();
            throw new SchemaRegistryException("schema registry at " + endpoint.url() + " refused " + who + " (HTTP "
                    + status + ") while " + what + ": " + message, status, errorCode, null);
        }
        throw new SchemaRegistryException(failure(endpoint.url(), what) + ": HTTP " + status
                + (errorCode == SchemaRegistryException.NO_RESPONSE ? "" : ", error_code " + errorCode)
                + ": " + message, status, errorCode, null);
    }

    private static SchemaRegistryException unreachable(Endpoint endpoint, String what, String reason,
                                                       Exception cause) {
        return new SchemaRegistryException("schema registry at " + endpoint.url() + " is not reachable (" + reason
                + ") while " + what, SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, cause);
    }

    /**
     * A refused server certificate is final ({@link SchemaRegistryException#CERTIFICATE_REFUSED});
     * other handshake failures are the connection's.
     */
    private SchemaRegistryException tlsFailure(Endpoint endpoint, String what, SSLHandshakeException e) {
        String reason = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                reason = "the server's certificate is not trusted: no chain to a CA of the trust store ("
                        + SchemaRegistryClientConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG + ", or the JDK's when unset)";
                break;
            }
            if (t instanceof CertificateException && reason == null) {
                reason = "the server's certificate was refused: " + t.getMessage();
            }
        }
        if (reason == null) {
            return unreachable(endpoint, what, "TLS handshake failed: " + e.getMessage(), e);
        }
        return new SchemaRegistryException("TLS connection to schema registry at " + endpoint.url() + " failed while "
                + what + ": " + reason, SchemaRegistryException.CERTIFICATE_REFUSED, SchemaRegistryException.NO_RESPONSE, e);
    }

    private static String failure(String url, String what) {
        return "schema registry at " + url + " failed " + what;
    }

    private String failure(String what) {
        return failure(toString(), what);
    }

    private int idIn(String what, JsonNode answer) {
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new SchemaRegistryException(failure(what) + ": answer has no integer \"id\": " + answer, 200,
                    SchemaRegistryException.NO_RESPONSE, null);
        }
        return id.asInt();
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String schemaBody(Schema schema) {
        return json(Map.of("schema", schema.toString()));
    }

    private static String json(Map<String, String> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON of a string map", e);
        }
    }

    private static String quote(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String trimmed = body.strip();
        return trimmed.length() <= QUOTED_BODY_CHARS ? trimmed : trimmed.substring(0, QUOTED_BODY_CHARS) + "...";
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    private static String pathSegment(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    private static String checkSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    /** The endpoints of comma-separated {@code urls}, credentials taken from {@code shared} or each URL. */
    private static List<Endpoint> endpoints(String urls, BasicCredentials shared) {
        if (urls == null || urls.isBlank()) {
            throw new IllegalArgumentException("schema registry URL must not be empty");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String url : urls.split(",", -1)) {
            Endpoint endpoint = endpoint(url.strip(), shared);
            if (endpoints.stream().anyMatch(e -> e.url().equals(endpoint.url()))) {
                throw new IllegalArgumentException("schema registry URL " + endpoint.url() + " is listed twice");
            }
            endpoints.add(endpoint);
        }
        return List.copyOf(endpoints);
    }

    private static Endpoint endpoint(String url, BasicCredentials shared) {
        String shown = redact(url);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("invalid schema registry URL list: an empty entry between commas");
        }
        String trimmed = url;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid schema registry URL \"" + shown + "\": "
                    + redact(e.getReason()));
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("invalid schema registry URL \"" + shown
                    + "\": expected http(s)://[user:password@]host:port[/path], no query");
        }
        String bare = redact(trimmed);
        if (uri.getRawUserInfo() == null) {
            return new Endpoint(bare, shared);
        }
        if (shared != null) {
            throw new IllegalArgumentException("schema registry URL " + bare + " carries user info while the "
                    + "credentials come from " + SchemaRegistryClientConfigs.BASIC_AUTH_USER_INFO_CONFIG
                    + ": remove it from the URL");
        }
        String userInfo = uri.getUserInfo();
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        String password = colon < 0 ? "" : userInfo.substring(colon + 1);
        try {
            return new Endpoint(bare, new BasicCredentials(user, new Password(password)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid user info in schema registry URL " + bare + ": "
                    + e.getMessage());
        }
    }

    /** {@code text} with the user info of any URL in it cut out. */
    static String redact(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("");
    }
}
