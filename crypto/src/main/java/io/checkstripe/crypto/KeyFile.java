package io.checkstripe.crypto;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * An application's secret key file: every {@link AppKey} it has had, so checkpoints made under an older key
 * still restore after a rotation. The newest key (highest id) encrypts and signs. Written by
 * {@code checkstripe keygen --out K}, readable by its owner only:
 * <pre>
 * format=checkstripe-keys-v1
 * key.1.created=2026-12-07T21:00:00Z
 * key.1.aes-256=BASE64 (32 bytes)
 * key.1.ed25519-private=BASE64 (PKCS#8)
 * key.1.ed25519-public=BASE64 (X.509 SubjectPublicKeyInfo)
 * </pre>
 * Immutable and thread-safe; {@link #toString()} shows key ids only.
 */
public final class KeyFile {

    /** The {@code format} line's value. */
    public static final String FORMAT = "checkstripe-keys-v1";

    private static final String CREATED = "created";
    private static final String AES = "aes-256";
    private static final String ED25519_PRIVATE = "ed25519-private";

    private final SortedMap<Integer, AppKey> keys;

    private KeyFile(SortedMap<Integer, AppKey> keys) {
        this.keys = Collections.unmodifiableSortedMap(keys);
    }

    /** A new key file holding one freshly generated key, id 1. */
    public static KeyFile generate() {
        SortedMap<Integer, AppKey> keys = new TreeMap<>();
        keys.put(1, newKey(1));
        return new KeyFile(keys);
    }

    /** This file plus a freshly generated key that becomes the newest: the old ones still decrypt and verify. */
    public KeyFile rotate() {
        SortedMap<Integer, AppKey> more = new TreeMap<>(keys);
        int id = keys.lastKey() + 1;
        more.put(id, newKey(id));
        return new KeyFile(more);
    }

    private static AppKey newKey(int id) {
        try {
            SecureRandom random = new SecureRandom();
            byte[] aes = new byte[AppKey.AES_KEY_BYTES];
            random.nextBytes(aes);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, random);
            KeyPair pair = generator.generateKeyPair();
            return new AppKey(id, Instant.now(), new SecretKeySpec(aes, "AES"), pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
        }
    }

    /** Reads a key file; a missing or malformed one is a {@link KeyFileException} that names the file. */
    public static KeyFile read(Path file) {
        Properties p = KeyFiles.read(file, FORMAT);
        SortedMap<Integer, AppKey> keys = new TreeMap<>();
        for (int id : KeyFiles.ids(file, p)) {
            Instant created;
            try {
                String value = p.getProperty("key." + id + "." + CREATED);
                if (value == null) {
                    throw new KeyFileException(file, "key " + id + " has no " + CREATED);
                }
                created = Instant.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new KeyFileException(file, "key " + id + ": " + CREATED + " is not an ISO-8601 instant");
            }
            byte[] aes = KeyFiles.bytes(file, p, id, AES);
            if (aes.length != AppKey.AES_KEY_BYTES) {
                throw new KeyFileException(file, "key " + id + ": " + AES + " is not 32 bytes");
            }
            PrivateKey signing;
            try {
                signing = KeyFactory.getInstance("Ed25519").generatePrivate(
                        new PKCS8EncodedKeySpec(KeyFiles.bytes(file, p, id, ED25519_PRIVATE)));
            } catch (GeneralSecurityException e) {
                throw new KeyFileException(file, "key " + id + ": not an Ed25519 private key");
            }
            PublicKey verifying = PublicKeys.decodePublic(file, id,
                    KeyFiles.bytes(file, p, id, PublicKeys.ED25519_PUBLIC));
            AppKey key = new AppKey(id, created, new SecretKeySpec(aes, "AES"), signing, verifying);
            if (!CommitSignature.keyPairMatches(key)) {
                throw new KeyFileException(file, "key " + id + ": the public key does not match the private key");
            }
            keys.put(id, key);
        }
        return new KeyFile(keys);
    }

    /**
     * Writes the key file to {@code file} (owner-only permissions, forced, renamed into place) and the public
     * keys beside it as {@code file.pub}. Refuses to overwrite unless {@code replace}: losing a key loses every
     * checkpoint made under it.
     */
    public void write(Path file, boolean replace) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# checkstripe key file: SECRET. Every key of one application, newest last; the newest\n");
        text.append("# encrypts and signs, all decrypt. Lose it and its checkpoints cannot be restored.\n");
        text.append("format=").append(FORMAT).append('\n');
        for (AppKey k : keys.values()) {
            String prefix = "key." + k.id() + ".";
            text.append(prefix).append(CREATED).append('=').append(k.created()).append('\n');
            text.append(prefix).append(AES).append('=').append(KeyFiles.base64(k.encryption().getEncoded()))
                    .append('\n');
            text.append(prefix).append(ED25519_PRIVATE).append('=')
                    .append(KeyFiles.base64(k.signing().getEncoded())).append('\n');
            text.append(prefix).append(PublicKeys.ED25519_PUBLIC).append('=')
                    .append(KeyFiles.base64(k.verifying().getEncoded())).append('\n');
        }
        KeyFiles.write(file, text.toString(), true, replace);
        KeyFiles.write(publicFile(file), publicKeys().format(), false, true);
    }

    /** Where {@link #write} puts the public keys: {@code file.pub}. */
    public static Path publicFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    /** The key that encrypts and signs: the newest. */
    public AppKey newest() {
        return keys.get(keys.lastKey());
    }

    /** The key with {@code id}, if this file has it. */
    public Optional<AppKey> key(int id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** Every key, oldest first. */
    public List<AppKey> keys() {
        return List.copyOf(new ArrayList<>(keys.values()));
    }

    /** The public halves, what {@code file.pub} holds. */
    public PublicKeys publicKeys() {
        SortedMap<Integer, PublicKey> pub = new TreeMap<>();
        keys.forEach((id, k) -> pub.put(id, k.verifying()));
        return new PublicKeys(pub);
    }

    @Override
    public String toString() {
        return "KeyFile" + keys.keySet();
    }
}
