package io.checkstripe.restore;

import java.io.IOException;

/**
 * A sink that answered but refused this client: it asked for credentials the client did not present or presented
 * wrong (HTTP 401/403), or the TLS handshake failed (a certificate not trusted, naming another host, a client
 * certificate missing or refused). Like any {@link IOException} of a source it makes that server count as lost,
 * but the message says why in the user's terms and which option fixes it, since the server itself is probably
 * fine. Retrying unchanged does not help.
 */
public final class SinkAccessException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why access failed. */
    public enum Kind {
        /** HTTP 401 or 403: no token, a wrong token, or a client the sink does not accept. */
        UNAUTHORIZED,
        /** The TLS handshake failed. */
        TLS
    }

    private final Kind kind;

    SinkAccessException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why access failed. */
    public Kind kind() {
        return kind;
    }
}
