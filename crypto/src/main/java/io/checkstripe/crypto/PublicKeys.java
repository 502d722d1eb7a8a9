package io.checkstripe.crypto;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The public half of an application's keys, by key id: what the striper and the sinks verify commit signatures
 * with, so they can refuse checkpoints the application did not sign without being able to sign, encrypt or
 * decrypt anything. Written by {@code checkstripe keygen} beside the key file as {@code K.pub}:
 * <pre>
 * format=checkstripe-public-keys-v1
 * key.1.ed25519-public=BASE64 (X.509 SubjectPublicKeyInfo)
 * </pre>
 * Immutable and thread-safe.
 */
public final class PublicKeys {

    /** The {@code format} line's value. */
    public static final String FORMAT = "checkstripe-public-keys-v1";

    static final String ED25519_PUBLIC = "ed25519-public";

    private final SortedMap<Integer, PublicKey> keys;

    PublicKeys(SortedMap<Integer, PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public key");
        }
        this.keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
    }

    /** Reads a public-key file; a missing, malformed or empty one is a {@link KeyFileException}. */
    public static PublicKeys read(Path file) {
        Properties p = KeyFiles.read(file, FORMAT);
        SortedMap<Integer, PublicKey> keys = new TreeMap<>();
        for (int id : KeyFiles.ids(file, p)) {
            keys.put(id, decodePublic(file, id, KeyFiles.bytes(file, p, id, ED25519_PUBLIC)));
        }
        return new PublicKeys(keys);
    }

    static PublicKey decodePublic(Path file, int id, byte[] encoded) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(file, "key " + id + ": not an Ed25519 public key");
        }
    }

    /** The key with {@code id}, if this file has it. */
    public Optional<PublicKey> key(int id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** Every key by id, ascending. */
    public Map<Integer, PublicKey> keys() {
        return keys;
    }

    /** The file's text. */
    String format() {
        StringBuilder text = new StringBuilder();
        text.append("# checkstripe public keys: give this file to the striper and the sinks (not secret)\n");
        text.append("format=").append(FORMAT).append('\n');
        keys.forEach((id, key) -> text.append("key.").append(id).append('.').append(ED25519_PUBLIC).append('=')
                .append(KeyFiles.base64(key.getEncoded())).append('\n'));
        return text.toString();
    }

    @Override
    public String toString() {
        return "PublicKeys" + keys.keySet();
    }
}
