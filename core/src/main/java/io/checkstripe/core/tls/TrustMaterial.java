package io.checkstripe.core.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities one side of a TLS connection trusts: a client's CA for the sinks' certificates, or
 * a sink's CA for client certificates (mutual TLS). Read from a PEM file of one or more CA certificates or from a
 * PKCS#12/JKS trust store. A trust store holds only public certificates, so its password guards its integrity,
 * not a secret.
 *
 * <p>Read and checked when made, so a bad file stops a process at start with a message naming it. Immutable and
 * thread-safe.
 */
public final class TrustMaterial {

    private final TrustManager[] trustManagers;
    private final String description;

    private TrustMaterial(TrustManager[] trustManagers, String description) {
        this.trustManagers = trustManagers;
        this.description = description;
    }

    /**
     * Trusts the CA certificates of {@code caFile} (PEM, one or more).
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or holds no valid certificate
     */
    public static TrustMaterial pem(Path caFile) {
        Objects.requireNonNull(caFile, "caFile");
        List<X509Certificate> cas = Pem.certificates(caFile, "CA file");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return new TrustMaterial(trustManagers(store), "CA file " + caFile);
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the certificates of CA file " + caFile + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Trusts the certificate entries of a trust store.
     *
     * @param password the store's password, or null to read it without checking its integrity
     * @param type     {@code PKCS12} or {@code JKS}
     * @throws IllegalArgumentException naming the file when it is unreadable, the password is wrong, or it holds no
     *                                  certificate
     */
    public static TrustMaterial trustStore(Path location, char[] password, String type) {
        KeyStore store = KeyMaterial.Stores.load(location, password, type, "trust store");
        try {
            boolean any = Collections.list(store.aliases()).stream().anyMatch(a -> isCertificate(store, a));
            if (!any) {
                throw new IllegalArgumentException("trust store " + location + " holds no certificate");
            }
            return new TrustMaterial(trustManagers(store), "trust store " + location);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the certificates of trust store " + location + ": "
                    + e.getMessage(), e);
        }
    }

    /** The trust managers an {@link javax.net.ssl.SSLContext} checks the peer with. */
    TrustManager[] trustManagers() {
        return trustManagers.clone();
    }

    @Override
    public String toString() {
        return description;
    }

    private static boolean isCertificate(KeyStore store, String alias) {
        try {
            return store.isCertificateEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static TrustManager[] trustManagers(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }
}
