package io.checkstripe.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Ed25519 signatures over {@link SignedCheckpoint#canonicalBytes()}: the application signs each commit with its
 * newest key, and anyone holding its {@link PublicKeys} — the striper, every sink, the restore operator — can
 * tell its checkpoints from ones another producer published under its id, without being able to make one.
 * Stateless and thread-safe.
 */
public final class CommitSignature {

    private static final byte[] PROBE = "checkstripe key pair probe".getBytes(StandardCharsets.US_ASCII);

    private CommitSignature() {
    }

    /** {@code checkpoint}'s metadata with the signature of {@code key} added (replacing any earlier one). */
    public static Map<String, String> sign(AppKey key, SignedCheckpoint checkpoint) {
        byte[] signature;
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key.signing());
            s.update(checkpoint.canonicalBytes());
            signature = s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.id(), e);
        }
        Map<String, String> metadata = new HashMap<>(checkpoint.metadata());
        metadata.put(ProtectionMetadata.SIGNATURE, key.id() + ":" + Base64.getEncoder().encodeToString(signature));
        return metadata;
    }

    /** A {@link ProtectionMetadata#SIGNATURE} value taken apart: the signing key's id and the signature. */
    private record Parsed(int keyId, byte[] signature) {
    }

    /** The value {@code <key id>:<base64>} taken apart, or empty when it is not of that form. */
    private static Optional<Parsed> parse(String value) {
        int colon = value.indexOf(':');
        try {
            return Optional.of(new Parsed(Integer.parseInt(value.substring(0, Math.max(colon, 0))),
                    Base64.getDecoder().decode(value.substring(colon + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The id of the key a checkpoint's metadata says signed it, without checking the signature: what
     * {@code status} shows and a restore reports once {@link #verify} passed. Empty when unsigned or malformed.
     */
    public static OptionalInt signer(Map<String, String> metadata) {
        String value = metadata.get(ProtectionMetadata.SIGNATURE);
        return value == null ? OptionalInt.empty()
                : parse(value).map(p -> OptionalInt.of(p.keyId())).orElse(OptionalInt.empty());
    }

    /** Checks {@code checkpoint} against the application's public keys. */
    public static SignatureVerdict verify(PublicKeys keys, SignedCheckpoint checkpoint) {
        String value = checkpoint.metadata().get(ProtectionMetadata.SIGNATURE);
        if (value == null) {
            return rejected("no signature, but the application has a registered key");
        }
        Optional<Parsed> parsed = parse(value);
        if (parsed.isEmpty()) {
            return rejected("malformed signature");
        }
        int id = parsed.get().keyId();
        byte[] signature = parsed.get().signature();
        Optional<PublicKey> key = keys.key(id);
        if (key.isEmpty()) {
            return rejected("signed with key " + id + ", which is not among the application's keys " + keys.keys().keySet());
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key.get());
            s.update(checkpoint.canonicalBytes());
            if (s.verify(signature)) {
                return new SignatureVerdict(SignatureVerdict.Status.AUTHENTIC, "signed with key " + id);
            }
        } catch (GeneralSecurityException e) {
            return rejected("signature by key " + id + " cannot be checked: " + e.getClass().getSimpleName());
        }
        return rejected("signature by key " + id + " does not match the checkpoint");
    }

    /** Whether a key's public half verifies what its private half signs. */
    static boolean keyPairMatches(AppKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key.signing());
            s.update(PROBE);
            byte[] sig = s.sign();
            s.initVerify(key.verifying());
            s.update(PROBE);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static SignatureVerdict rejected(String reason) {
        return new SignatureVerdict(SignatureVerdict.Status.REJECTED, reason);
    }
}
