package io.checkstripe.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * A private key and its certificate chain, which one side of a TLS connection presents: a sink's server
 * certificate, or a client certificate for mutual TLS. Read either from PEM files (what {@code openssl} and
 * {@code cert-manager} write) or from a PKCS#12/JKS key store (what {@code keytool} and Kafka's {@code ssl.*}
 * settings use), so an operator brings whichever they already have.
 *
 * <p>Everything is read and checked when the instance is made, so a process refuses to start with a message
 * naming the file and what is wrong, rather than failing its first handshake. The key and the store password are
 * never part of {@link #toString()} or of any message. Immutable and thread-safe.
 */
public final class KeyMaterial {

    private final KeyManager[] keyManagers;
    private final X509Certificate certificate;
    private final String description;

    private KeyMaterial(KeyManager[] keyManagers, X509Certificate certificate, String description) {
        this.keyManagers = keyManagers;
        this.certificate = certificate;
        this.description = description;
    }

    /**
     * The certificate (and chain, own certificate first) of {@code certificateFile} with the unencrypted PKCS#8 key
     * of {@code keyFile}.
     *
     * @throws IllegalArgumentException naming the file when either is unreadable or malformed, or when the key is
     *                                  not the certificate's
     */
    public static KeyMaterial pem(Path certificateFile, Path keyFile) {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(keyFile, "keyFile");
        List<X509Certificate> chain = Pem.certificates(certificateFile, "certificate file");
        PrivateKey key = Pem.privateKey(keyFile, "key file");
        if (!belongTogether(key, chain.get(0))) {
            throw new IllegalArgumentException("the private key in " + keyFile + " does not belong to the first "
                    + "certificate in " + certificateFile + " (" + chain.get(0).getSubjectX500Principal() + ")");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = inMemoryPassword();
            store.setKeyEntry("key", key, password, chain.toArray(Certificate[]::new));
            return new KeyMaterial(keyManagers(store, password), chain.get(0), "certificate " + certificateFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the key of " + keyFile + " with the certificate of "
                    + certificateFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one private key entry of a key store (its key password is the store password, as {@code keytool}
     * makes them by default).
     *
     * @param type {@code PKCS12} or {@code JKS}
     * @throws IllegalArgumentException naming the file when it is unreadable, the password is wrong, or it holds
     *                                  not exactly one key entry
     */
    public static KeyMaterial keyStore(Path location, char[] password, String type) {
        KeyStore store = Stores.load(location, password, type, "key store");
        try {
            List<String> keyAliases = Collections.list(store.aliases()).stream().filter(a -> isKey(store, a))
                    .toList();
            if (keyAliases.size() != 1) {
                throw new IllegalArgumentException("key store " + location + " must hold exactly one private key "
                        + "entry, found " + keyAliases.size());
            }
            X509Certificate certificate = (X509Certificate) store.getCertificate(keyAliases.get(0));
            return new KeyMaterial(keyManagers(store, password), certificate, "key store " + location);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the key of key store " + location + " (is its key "
                    + "password the store password?): " + e.getMessage(), e);
        }
    }

    /** The key managers an {@link javax.net.ssl.SSLContext} presents this key with. */
    KeyManager[] keyManagers() {
        return keyManagers.clone();
    }

    /** The certificate presented (the first of the chain). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Where the key came from and whose certificate it is; never the key or a password. */
    @Override
    public String toString() {
        return description + " (" + certificate.getSubjectX500Principal() + ")";
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyManager[] keyManagers(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A password for a store that lives only in memory: it protects nothing, but PKCS#12 wants one. */
    private static char[] inMemoryPassword() {
        return "in-memory".toCharArray();
    }

    /** Loading of key and trust stores, shared with {@link TrustMaterial}. */
    static final class Stores {
        private Stores() {
        }

        static KeyStore load(Path location, char[] password, String type, String what) {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(type, "type");
            KeyStore store;
            try {
                store = KeyStore.getInstance(type);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("unknown " + what + " type \"" + type + "\": use PKCS12 or JKS",
                        e);
            }
            try (InputStream in = Files.newInputStream(location)) {
                store.load(in, password);
                return store;
            } catch (IOException e) {
                if (e.getCause() instanceof java.security.UnrecoverableKeyException
                        || String.valueOf(e.getMessage()).contains("password")) {
                    throw new IllegalArgumentException("cannot open " + what + " " + location + ": wrong password",
                            e);
                }
                throw new IllegalArgumentException("cannot read " + what + " " + location + " as " + type + ": "
                        + Pem.describe(e), e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read " + what + " " + location + " as " + type + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
