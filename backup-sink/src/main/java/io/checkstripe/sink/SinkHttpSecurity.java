package io.checkstripe.sink;

import io.checkstripe.core.tls.BearerToken;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How the sinks' HTTP API protects itself: TLS (HTTPS instead of plain HTTP), client certificates (mutual TLS),
 * a bearer token, and the guard against guessing the token. A sink reads its cells to anyone who can reach the
 * API and, with repairs on, takes writes: outside a trusted loopback these are what keep others out.
 *
 * <p>With a token, every request but {@code GET /health} must carry {@code Authorization: Bearer <token>}; with
 * client certificates the TLS handshake refuses a client without one the configured CA issued, before any request
 * is read. Both together require both. {@code /health} stays open so that orchestrators' probes need no secret;
 * it tells only the state and lag. Immutable and thread-safe.
 *
 * @param sslContext         the server's TLS context, or null for plain HTTP
 * @param clientCertificates whether the TLS handshake requires a client certificate the context trusts
 * @param token              the token every request must present, or null for none
 * @param maxFailures        failed authentications from one address within {@code lockout} after which that
 *                           address is answered 429 until {@code lockout} has passed
 * @param lockout            the window failures are counted in, and how long an address is then refused
 */
public record SinkHttpSecurity(SSLContext sslContext, boolean clientCertificates, BearerToken token,
        int maxFailures, Duration lockout) {

    /** Default of {@code maxFailures}: a client with a wrong token fails a few times, not ten in a minute. */
    public static final int DEFAULT_MAX_FAILURES = 10;

    /** Default of {@code lockout}. */
    public static final Duration DEFAULT_LOCKOUT = Duration.ofMinutes(1);

    /** @throws IllegalArgumentException naming the bad value */
    public SinkHttpSecurity {
        Objects.requireNonNull(lockout, "lockout");
        if (clientCertificates && sslContext == null) {
            throw new IllegalArgumentException("client certificates need TLS: give the server a TLS context too");
        }
        if (maxFailures < 1) {
            throw new IllegalArgumentException("max failures " + maxFailures + " is less than 1");
        }
        if (lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("lockout " + lockout + " is not positive");
        }
    }

    /** Plain HTTP without authentication: for a loopback address or a network that is trusted. */
    public static SinkHttpSecurity none() {
        return new SinkHttpSecurity(null, false, null, DEFAULT_MAX_FAILURES, DEFAULT_LOCKOUT);
    }

    /** HTTPS with {@code sslContext} and, when {@code token} is not null, a bearer token; default guard. */
    public static SinkHttpSecurity of(SSLContext sslContext, boolean clientCertificates, BearerToken token) {
        return new SinkHttpSecurity(sslContext, clientCertificates, token, DEFAULT_MAX_FAILURES, DEFAULT_LOCKOUT);
    }

    /** Whether the API is served over TLS. */
    public boolean tls() {
        return sslContext != null;
    }

    /** Whether anything authenticates clients: a token or client certificates. */
    public boolean authenticates() {
        return token != null || clientCertificates;
    }

    /** These settings with another guard. */
    public SinkHttpSecurity withGuard(int failures, Duration window) {
        return new SinkHttpSecurity(sslContext, clientCertificates, token, failures, window);
    }

    @Override
    public String toString() {
        return (tls() ? "HTTPS" : "plain HTTP") + (clientCertificates ? ", client certificates" : "")
                + (token != null ? ", " + token : "") + (authenticates() ? "" : ", no authentication");
    }
}
