package io.checkstripe.restore;

import io.checkstripe.core.CheckstripeException;

import java.util.HexFormat;
import java.util.Optional;

/**
 * A rebuilt checkpoint did not verify: the SHA-256 of the bytes written differs from the manifest's, or a
 * reconstructed stripe, encoded again, does not reproduce a parity cell that survived. Either means the
 * cells agree with their CRCs but not with each other (a bug, or damage the CRCs could not see); the
 * restorer then writes nothing at the output path rather than hand the application garbage. The CLI exits
 * with code 3.
 */
public final class VerificationFailedException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final long checkpointId;
    private final String expectedSha256;
    private final String actualSha256;

    private VerificationFailedException(String message, long checkpointId, String expectedSha256,
            String actualSha256) {
        super(message);
        this.checkpointId = checkpointId;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    /** The written bytes hash to {@code actual}, the manifest says {@code expected}. */
    static VerificationFailedException sha256(String app, long checkpointId, byte[] expected, byte[] actual) {
        String e = HexFormat.of().formatHex(expected);
        String a = HexFormat.of().formatHex(actual);
        return new VerificationFailedException("checkpoint " + checkpointId + " of " + app
                + " failed verification: SHA-256 of the rebuilt bytes is " + a + ", the manifest says " + e,
                checkpointId, e, a);
    }

    /** The deltas of a chunked checkpoint verified, but the content assembled from them does not. */
    static VerificationFailedException content(String app, long checkpointId, String why) {
        return new VerificationFailedException("checkpoint " + checkpointId + " of " + app
                + " failed verification: its deltas verified, but " + why, checkpointId, null, null);
    }

    /** Stripe {@code stripe}, encoded again after a reconstruction, disagrees with a surviving parity cell. */
    static VerificationFailedException parity(String app, long checkpointId, int stripe, int cell, int server) {
        return new VerificationFailedException("checkpoint " + checkpointId + " of " + app
                + " failed verification: stripe " + stripe + " was reconstructed, but encoding it again does not"
                + " reproduce its parity cell " + cell + " from server " + server
                + " (the cells pass their CRCs but contradict each other)", checkpointId, null, null);
    }

    /** The checkpoint that failed. */
    public long checkpointId() {
        return checkpointId;
    }

    /** The manifest's SHA-256 in hex, when the SHA-256 check failed. */
    public Optional<String> expectedSha256() {
        return Optional.ofNullable(expectedSha256);
    }

    /** The SHA-256 of the rebuilt bytes in hex, when the SHA-256 check failed. */
    public Optional<String> actualSha256() {
        return Optional.ofNullable(actualSha256);
    }
}
