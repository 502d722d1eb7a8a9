package io.checkstripe.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests of TLS: a CA, and server and client certificates it issues,
 * written as PEM files (certificate, PKCS#8 key) and as PKCS#12 key and trust stores, so every TLS
 * configuration a user has (PEM files, keystores, Kafka's {@code ssl.*}) can be tested with real certificates
 * made fresh in each run. Certificates are valid from an hour ago for a day. Thread-safe.
 */
public final class TestPki {

    /** The password of every PKCS#12 store this class writes. */
    public static final String STORE_PASSWORD = "checkstripe-test";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Path caCertPem;
    private final Path trustStore;

    /** A certificate this CA issued, with its key, as files and as objects. */
    public record Issued(String name, X509Certificate certificate, PrivateKey key, Path certPem, Path keyPem,
                         Path keyStore) {
        /** {@link TestPki#STORE_PASSWORD}, for the key store and its key entry. */
        public String password() {
            return STORE_PASSWORD;
        }
    }

    private TestPki(Path dir, String caName) throws IOException, GeneralSecurityException {
        this.dir = Files.createDirectories(dir);
        this.caKeys = rsaKeys();
        X500Name subject = new X500Name("CN=" + caName);
        X509v3CertificateBuilder builder = builder(subject, subject, caKeys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCert = sign(builder, caKeys.getPrivate());
        this.caCertPem = writePem(dir.resolve(fileName(caName) + ".crt.pem"), "CERTIFICATE", caCert.getEncoded());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        this.trustStore = writeStore(dir.resolve(fileName(caName) + ".truststore.p12"), trust);
    }

    /** A new CA named {@code caName} whose files go into {@code dir} (created if missing). */
    public static TestPki create(Path dir, String caName) {
        try {
            return new TestPki(dir, caName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    /** The CA's certificate, PEM: what a client given a "CA file" trusts. */
    public Path caCertPem() {
        return caCertPem;
    }

    /** A PKCS#12 trust store holding only the CA's certificate, password {@link #STORE_PASSWORD}. */
    public Path trustStore() {
        return trustStore;
    }

    /** The CA's certificate. */
    public X509Certificate caCertificate() {
        return caCert;
    }

    /**
     * A server certificate for {@code commonName}, valid for {@code localhost}, {@code 127.0.0.1} and every
     * extra DNS name given (for container host names).
     */
    public Issued server(String commonName, String... extraDnsNames) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        for (String n : extraDnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, n));
        }
        return issue(commonName, names, KeyPurposeId.id_kp_serverAuth);
    }

    /** A client certificate for {@code commonName}, for mutual TLS. */
    public Issued client(String commonName) {
        return issue(commonName, List.of(), KeyPurposeId.id_kp_clientAuth);
    }

    private Issued issue(String commonName, List<GeneralName> names, KeyPurposeId purpose) {
        try {
            KeyPair keys = rsaKeys();
            X509v3CertificateBuilder builder = builder(
                    X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=" + commonName), keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            X509Certificate cert = sign(builder, caKeys.getPrivate());
            String base = fileName(commonName);
            Path certPem = writePem(dir.resolve(base + ".crt.pem"), "CERTIFICATE", cert.getEncoded());
            Path keyPem = writePem(dir.resolve(base + ".key.pem"), "PRIVATE KEY", keys.getPrivate().getEncoded());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(commonName, keys.getPrivate(), STORE_PASSWORD.toCharArray(),
                    new Certificate[] {cert, caCert});
            Path keyStore = writeStore(dir.resolve(base + ".keystore.p12"), store);
            return new Issued(commonName, cert, keys.getPrivate(), certPem, keyPem, keyStore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + commonName, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        return generator.generateKeyPair();
    }

    private static Path writePem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
        return file;
    }

    private static Path writeStore(Path file, KeyStore store) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        }
        return file;
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
