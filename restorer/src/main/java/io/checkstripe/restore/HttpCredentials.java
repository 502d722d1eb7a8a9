package io.checkstripe.restore;

import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.core.tls.KeyMaterial;
import io.checkstripe.core.tls.TlsContexts;
import io.checkstripe.core.tls.TrustMaterial;
import javax.net.ssl.SSLContext;

/**
 * What a client of the sinks' HTTP API (restorer, {@code status}, {@code repair}, healer) presents and trusts:
 * the TLS context for {@code https://} sources (the CAs it trusts, and its own certificate for mutual TLS) and the
 * bearer token it sends. The same credentials go to every source of one operation. The token is never part of
 * {@link #toString()}. Immutable and thread-safe.
 *
 * @param sslContext the TLS context, or null for the JDK's default (its CAs, no client certificate)
 * @param token      the token sent as {@code Authorization: Bearer}, or null for none
 */
public record HttpCredentials(SSLContext sslContext, BearerToken token) {

    /** No token, the JDK's CAs: what plain-HTTP and public-CA sources need. */
    public static HttpCredentials none() {
        return new HttpCredentials(null, null);
    }

    /**
     * Credentials from their parts, any of which may be null.
     *
     * @param trust      the CAs of the sinks' certificates; null for the JDK's
     * @param clientKey  a client certificate for sinks that require one; null for none
     * @param token      the bearer token; null for none
     */
    public static HttpCredentials of(TrustMaterial trust, KeyMaterial clientKey, BearerToken token) {
        SSLContext context = trust == null && clientKey == null ? null : TlsContexts.client(trust, clientKey);
        return new HttpCredentials(context, token);
    }

    @Override
    public String toString() {
        return (sslContext == null ? "default TLS trust" : "configured TLS") + (token == null ? ", no token"
                : ", " + token);
    }
}
