package io.checkstripe.cli;

import java.nio.file.Path;

import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.core.tls.KeyMaterial;
import io.checkstripe.core.tls.TrustMaterial;
import io.checkstripe.restore.HttpCredentials;
import picocli.CommandLine.Option;

/**
 * How a command reaches sinks whose HTTP API runs on TLS or asks for credentials, spelled the same in
 * {@code status}, {@code restore}, {@code repair} and {@code healer}: the CA that issued the sinks' certificates,
 * a client certificate for sinks that require one, and the file of the bearer token. Secrets are only ever read
 * from files, never given on the command line where a process listing shows them.
 */
final class SinkClientOptions {

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM file of the CA(s) that issued the sinks' certificates, for https:// sources. "
                    + "Default: the JVM's trusted CAs.")
    Path caFile;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "Trust store (PKCS12 or JKS) of the CA(s) of the sinks' certificates, instead of "
                    + "--ca-file.")
    Path trustStore;

    @Option(names = "--trust-store-password", paramLabel = "PASSWORD",
            description = "Password of --trust-store (it holds only public certificates). Default: none, the "
                    + "store's integrity is then not checked.")
    String trustStorePassword;

    @Option(names = "--trust-store-type", paramLabel = "TYPE", defaultValue = "PKCS12",
            description = "Type of --trust-store: PKCS12 or JKS. Default: ${DEFAULT-VALUE}.")
    String trustStoreType;

    @Option(names = "--client-cert", paramLabel = "FILE",
            description = "PEM certificate (and chain) presented to sinks that require client certificates; with "
                    + "--client-key.")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "FILE",
            description = "Unencrypted PKCS#8 PEM key of --client-cert.")
    Path clientKey;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the sinks' bearer token, sent with every request.")
    Path tokenFile;

    /**
     * The credentials these options name, their files read and checked.
     *
     * @throws UsageException naming the option and file that is missing, unreadable or malformed
     */
    HttpCredentials credentials() {
        if (caFile != null && trustStore != null) {
            throw new UsageException("give --ca-file or --trust-store, not both");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new UsageException(clientCert == null ? "--client-key needs --client-cert"
                    : "--client-cert needs --client-key");
        }
        try {
            TrustMaterial trust = caFile != null ? TrustMaterial.pem(caFile)
                    : trustStore != null ? TrustMaterial.trustStore(trustStore,
                            trustStorePassword == null ? null : trustStorePassword.toCharArray(), trustStoreType)
                    : null;
            KeyMaterial key = clientCert == null ? null : KeyMaterial.pem(clientCert, clientKey);
            BearerToken token = tokenFile == null ? null : BearerToken.read(tokenFile);
            return HttpCredentials.of(trust, key, token);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
