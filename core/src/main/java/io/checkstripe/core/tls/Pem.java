package io.checkstripe.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: X.509 certificates (one or a chain) and an unencrypted PKCS#8 private key
 * ({@code -----BEGIN PRIVATE KEY-----}, RSA, EC or Ed25519), as {@code openssl} and {@code cert-manager} write
 * them. Other key forms are refused with the command that converts them. Stateless.
 */
final class Pem {

    /** PEM files larger than this are not certificates or keys: refused before they are read whole. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "EdDSA"};

    private Pem() {
    }

    /**
     * The certificates of {@code file}, in file order (a server's own certificate first, then its chain).
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or holds no valid certificate
     */
    static List<X509Certificate> certificates(Path file, String what) {
        String text = read(file, what);
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(text, "CERTIFICATE")) {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + file + " holds a malformed certificate: "
                    + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate (-----BEGIN "
                    + "CERTIFICATE-----)");
        }
        return certs;
    }

    /**
     * The private key of {@code file}.
     *
     * @throws IllegalArgumentException naming the file when it is unreadable, holds no key or one in another form
     */
    static PrivateKey privateKey(Path file, String what) {
        String text = read(file, what);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(what + " " + file + " is encrypted: give an unencrypted PKCS#8 key "
                    + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem) readable only by this user, or a key "
                    + "store with a password");
        }
        Matcher other = Pattern.compile("-----BEGIN ((RSA|EC|DSA|OPENSSH) PRIVATE KEY)-----").matcher(text);
        if (other.find()) {
            throw new IllegalArgumentException(what + " " + file + " is a " + other.group(1) + " in the legacy "
                    + "format: convert it to PKCS#8 with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
        }
        List<byte[]> keys = blocks(text, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new IllegalArgumentException(what + " " + file + " must hold exactly one PKCS#8 private key "
                    + "(-----BEGIN PRIVATE KEY-----), found " + keys.size());
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException(what + " " + file + " holds a private key that is not a valid RSA, EC or "
                + "Ed25519 PKCS#8 key");
    }

    private static String read(Path file, String what) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(what + " " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes: not a PEM file");
            }
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + describe(e), e);
        }
    }

    private static List<byte[]> blocks(String text, String label) {
        List<byte[]> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return blocks;
    }

    /** An I/O failure in a few words: the exception's kind and message (which names the file). */
    static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "NoSuchFileException" -> "no such file";
            case "AccessDeniedException" -> "permission denied";
            default -> name + (e.getMessage() == null ? "" : " " + e.getMessage());
        };
    }
}
