package io.checkstripe.core.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Makes the {@link SSLContext}s of the sinks' HTTP API and of its clients (restorer, {@code status},
 * {@code repair}, healer) from {@link KeyMaterial} and {@link TrustMaterial}, in one place, so that server and
 * clients agree on protocol versions: TLS 1.3 and 1.2 only, as the JDK's defaults allow. Stateless.
 */
public final class TlsContexts {

    /** The protocol an {@link SSLContext} is asked for; the JDK then enables TLS 1.3 and 1.2. */
    public static final String PROTOCOL = "TLS";

    private TlsContexts() {
    }

    /**
     * A server's context presenting {@code key}; with {@code clientCas}, client certificates they issued are
     * trusted (the server must still ask for them, with {@code SSLParameters.setNeedClientAuth}).
     *
     * @param clientCas the CAs of client certificates, or null when clients present none
     */
    public static SSLContext server(KeyMaterial key, TrustMaterial clientCas) {
        Objects.requireNonNull(key, "key");
        return context(key, clientCas);
    }

    /**
     * A client's context trusting {@code trust} (the JDK's default CAs when null) and presenting {@code key} when
     * the server asks for a client certificate.
     *
     * @param key the client certificate for mutual TLS, or null for none
     */
    public static SSLContext client(TrustMaterial trust, KeyMaterial key) {
        return context(key, trust);
    }

    private static SSLContext context(KeyMaterial key, TrustMaterial trust) {
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(key == null ? null : key.keyManagers(), trust == null ? null : trust.trustManagers(),
                    new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make a TLS context: " + e.getMessage(), e);
        }
    }
}
