package io.checkstripe.schemas;

import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.crypto.SignedCheckpoint;
import io.checkstripe.schemas.avro.CheckpointManifest;

/**
 * The one check by which the striper and the sinks refuse a checkpoint its application did not sign: a
 * {@link CheckpointManifest} of an application with a registered public key counts only with a valid signature
 * by it. The striper checks the manifest it forms from a commit (which repeats every signed field of the commit),
 * so a forged commit never becomes a manifest; every sink checks the manifests it receives, so one written to the
 * stripes topic directly is never stored, never complete and never counted by retention.
 *
 * <p>What it cannot stop: a producer allowed to write the topics can still publish segments and cells under a
 * keyed application's id; they stay without a manifest and cost disk space until retention removes them. An
 * application without a key is accepted as before. Stateless and thread-safe.
 */
public final class ManifestSignatures {

    private ManifestSignatures() {
    }

    /**
     * Checks {@code manifest} against its application's keys in {@code keys}.
     *
     * @throws RejectedRecordException ({@link DeadLetterReason#BAD_SIGNATURE}) when the application has a key and
     *                                 the manifest carries no valid signature by it, naming why
     */
    public static void verify(AppKeyDirectory keys, CheckpointManifest manifest) {
        byte[] sha256 = new byte[manifest.getSha256().remaining()];
        manifest.getSha256().duplicate().get(sha256);
        SignatureVerdict verdict;
        try {
            verdict = keys.verify(new SignedCheckpoint(manifest.getAppId(), manifest.getCheckpointId(),
                    manifest.getSegmentCount(), manifest.getTotalBytes(), sha256, manifest.getCreatedAt(),
                    manifest.getSegmentSize(), manifest.getMetadata()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, "manifest of application "
                    + manifest.getAppId() + " checkpoint " + manifest.getCheckpointId() + " cannot be checked: "
                    + e.getMessage(), e);
        }
        if (!verdict.accepted()) {
            throw new RejectedRecordException(DeadLetterReason.BAD_SIGNATURE, "checkpoint " + manifest.getCheckpointId()
                    + " of application " + manifest.getAppId() + ": " + verdict.reason());
        }
    }
}
