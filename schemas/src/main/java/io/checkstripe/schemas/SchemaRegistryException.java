package io.checkstripe.schemas;

import io.checkstripe.core.CheckstripeException;

/**
 * A schema registry refused a request or could not be asked.
 *
 * <p>Carries the HTTP status and the registry's {@code error_code} as the Confluent REST API
 * reports them, so callers can tell "not registered" from "incompatible" from "registry down".
 * The in-memory registry reports the codes a Confluent registry would answer for the same
 * request. Failures that had no HTTP answer (connection refused, timeout) have status and code
 * {@link #NO_RESPONSE}; a server certificate the client refused has status {@link #CERTIFICATE_REFUSED}.
 */
public class SchemaRegistryException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    /** Status and code of a failure without an HTTP answer. */
    public static final int NO_RESPONSE = -1;

    /**
     * Status of a failure where the client refused the server's TLS certificate (untrusted, or
     * not naming the host): no HTTP answer, and retrying cannot help.
     */
    public static final int CERTIFICATE_REFUSED = -2;

    /** {@code error_code}: the subject does not exist. */
    public static final int SUBJECT_NOT_FOUND = 40401;

    /** {@code error_code}: the version does not exist. */
    public static final int VERSION_NOT_FOUND = 40402;

    /** {@code error_code}: the schema (by id, or under a subject) does not exist. */
    public static final int SCHEMA_NOT_FOUND = 40403;

    /** {@code error_code}: the schema is incompatible with earlier versions of the subject (HTTP 409). */
    public static final int INCOMPATIBLE_SCHEMA = 409;

    /** {@code error_code}: the registry cannot parse the schema. */
    public static final int INVALID_SCHEMA = 42201;

    private final int httpStatus;
    private final int errorCode;

    /**
     * @param message    what was asked, of which registry, and what went wrong
     * @param httpStatus the HTTP status, or {@link #NO_RESPONSE}
     * @param errorCode  the registry's {@code error_code}, or {@link #NO_RESPONSE}
     * @param cause      the underlying failure, may be null
     */
    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status, or {@link #NO_RESPONSE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, or {@link #NO_RESPONSE}. */
    public int errorCode() {
        return errorCode;
    }

    /** Whether the registry answered that the subject or schema does not exist. */
    public boolean isNotFound() {
        return errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND || errorCode == SCHEMA_NOT_FOUND;
    }

    /**
     * Retriable when the registry did not answer, failed on its side (5xx), timed out the request
     * (408) or asked to slow down (429); any other refusal (4xx) and a refused certificate are final.
     */
    @Override
    public boolean retriable() {
        return httpStatus == NO_RESPONSE || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
