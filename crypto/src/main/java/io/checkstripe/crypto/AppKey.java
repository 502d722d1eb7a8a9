package io.checkstripe.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One generation of an application's secret: the AES-256 key that encrypts its segments and the Ed25519 key
 * pair that signs its commits. A key file holds several, by increasing id, so that keys can be rotated: the
 * newest encrypts and signs, every one still decrypts and verifies what it made. {@link #toString()} never
 * shows key material.
 *
 * @param id          positive, unique within a key file; recorded in every checkpoint it protects
 * @param created     when the key was generated
 * @param encryption  AES, 32 bytes
 * @param signing     Ed25519 private key
 * @param verifying   the matching Ed25519 public key
 */
public record AppKey(int id, Instant created, SecretKey encryption, PrivateKey signing, PublicKey verifying) {

    /** Length of the AES key in bytes. */
    public static final int AES_KEY_BYTES = 32;

    private static final byte[] CHUNK_ID_LABEL = "checkstripe chunk ids v1".getBytes(StandardCharsets.US_ASCII);

    public AppKey {
        if (id <= 0) {
            throw new IllegalArgumentException("key id must be positive: " + id);
        }
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(signing, "signing");
        Objects.requireNonNull(verifying, "verifying");
        if (!"AES".equals(encryption.getAlgorithm()) || encryption.getEncoded() == null
                || encryption.getEncoded().length != AES_KEY_BYTES) {
            throw new IllegalArgumentException("key " + id + ": the encryption key must be a 256-bit AES key");
        }
        if (!isEd25519(signing.getAlgorithm()) || !isEd25519(verifying.getAlgorithm())) {
            throw new IllegalArgumentException("key " + id + ": the signing keys must be Ed25519");
        }
    }

    /**
     * The 32-byte key that names an encrypted checkpoint's chunks (HMAC-SHA-256 of a fixed label under the AES
     * key): derived, so one key file serves both, and distinct from the AES key, so an id never exposes it.
     */
    public byte[] chunkIdKey() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(encryption.getEncoded(), "HmacSHA256"));
            return mac.doFinal(CHUNK_ID_LABEL);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    static boolean isEd25519(String algorithm) {
        return "Ed25519".equalsIgnoreCase(algorithm) || "EdDSA".equalsIgnoreCase(algorithm);
    }

    @Override
    public String toString() {
        return "AppKey[id=" + id + ", created=" + created + "]";
    }
}
