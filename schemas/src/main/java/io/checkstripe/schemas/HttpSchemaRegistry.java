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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API (also served by Apicurio Registry's
 * {@code ccompat} API and by Karapace), with {@link HttpClient} and Jackson only, so that
 * checkstripe needs no Confluent client libraries.
 *
 * <p>Requests: {@code POST /subjects/{subject}/versions} registers, {@code POST
 * /subjects/{subject}} looks up without registering, {@code GET /schemas/ids/{id}} fetches, and
 * {@code PUT /config/{subject}} sets a subject's compatibility level, all with content type
 * {@value #CONTENT_TYPE}. The base URL may carry a path, e.g. Apicurio's
 * {@code http://host:8080/apis/ccompat/v7}. Only one URL is accepted (no fail-over list) and no
 * authentication is sent.
 *
 * <p>Answers are cached both ways (subject and schema to id, id to schema); ids never change
 * meaning in a registry, so the caches are never invalidated. Failed requests are not cached.
 * Errors become {@link SchemaRegistryException}s carrying the HTTP status and the registry's
 * {@code error_code}, with a message naming the registry URL and the subject or id.
 *
 * <p>Thread-safe.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistry.class);

    /** Content type of the registry's requests and answers. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** Default time to open a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Default time to wait for a whole answer. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Longest part of a non-JSON error body quoted in a message. */
    private static final int QUOTED_BODY_CHARS = 200;

    private final String baseUrl;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final HttpClient http;
    private final ConcurrentHashMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Schema> schemas = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    /** A client with the default timeouts. */
    public HttpSchemaRegistry(String baseUrl) {
        this(baseUrl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param baseUrl        {@code http(s)://host:port[/path]}
     * @param connectTimeout time to open a connection
     * @param requestTimeout time to wait for a whole answer
     * @throws IllegalArgumentException naming the URL or timeout when it is not usable
     */
    public HttpSchemaRegistry(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
        this.baseUrl = checkUrl(baseUrl);
        this.connectTimeout = checkTimeout("connect", connectTimeout);
        this.requestTimeout = checkTimeout("request", requestTimeout);
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
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
        log.debug("registered schema {} under subject {} at {} with id {}", schema.getFullName(), subject, baseUrl, id);
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
        JsonNode answer = send(what, request("/schemas/ids/" + id).GET().build());
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException(failure(what) + ": answer has no \"schema\" text: " + answer, 200,
                    SchemaRegistryException.NO_RESPONSE, null);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(failure(what) + ": not an Avro schema: " + e.getMessage(), 200,
                    SchemaRegistryException.NO_RESPONSE, e);
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
        String body = json(Map.of("compatibility", level));
        send(what, request("/config/" + pathSegment(subject))
                .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    /** The base URL, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The base URL. */
    @Override
    public String toString() {
        return baseUrl;
    }

    private HttpRequest post(String path, String body) {
        return request(path).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE + ", application/json");
    }

    /** Sends the request and returns the JSON answer of a 2xx response; anything else throws. */
    private JsonNode send(String what, HttpRequest request) {
        HttpResponse<String> response;
        long startNanos = System.nanoTime();
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            // The JDK client may call a request timeout a connect timeout, so state both limits.
            throw unreachable(what, "timed out after " + (System.nanoTime() - startNanos) / 1_000_000
                    + " ms; connect timeout " + connectTimeout.toMillis() + " ms, request timeout "
                    + requestTimeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw unreachable(what, "connection refused", e);
        } catch (IOException e) {
            throw unreachable(what, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(failure(what) + ": interrupted", SchemaRegistryException.NO_RESPONSE,
                    SchemaRegistryException.NO_RESPONSE, e);
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
        throw new SchemaRegistryException(failure(what) + ": HTTP " + status
                + (errorCode == SchemaRegistryException.NO_RESPONSE ? "" : ", error_code " + errorCode)
                + ": " + message, status, errorCode, null);
    }

    private SchemaRegistryException unreachable(String what, String reason, Exception cause) {
        return new SchemaRegistryException("schema registry at " + baseUrl + " is not reachable (" + reason
                + ") while " + what, SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, cause);
    }

    private String failure(String what) {
        return "schema registry at " + baseUrl + " failed " + what;
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

    private static String checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema registry URL must not be empty");
        }
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid schema registry URL \"" + url + "\": " + e.getMessage(), e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("invalid schema registry URL \"" + url
                    + "\": expected http(s)://host:port[/path] (one URL, no query)");
        }
        return trimmed;
    }

    private static Duration checkTimeout(String which, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("invalid schema registry " + which + " timeout " + timeout
                    + ": must be positive");
        }
        return timeout;
    }
}
