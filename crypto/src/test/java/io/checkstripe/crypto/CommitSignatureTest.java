package io.checkstripe.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.core.CheckpointContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitSignatureTest {

    @TempDir
    Path dir;

    private static SignedCheckpoint checkpoint(String app, long id, Map<String, String> metadata) {
        byte[] sha = new byte[32];
        sha[0] = (byte) id;
        return new SignedCheckpoint(app, id, 3, 3000, sha, 1_700_000_000_123L, 1024, metadata);
    }

    private static SignedCheckpoint signed(KeyFile keys, SignedCheckpoint c) {
        return c.withMetadata(CommitSignature.sign(keys.newest(), c));
    }

    @Test
    void aSignatureVerifiesUnderItsOwnKeysOnly() {
        KeyFile keys = KeyFile.generate();
        SignedCheckpoint c = signed(keys, checkpoint("app", 7, Map.of("host", "a")));

        assertThat(CommitSignature.verify(keys.publicKeys(), c).status()).isEqualTo(SignatureVerdict.Status.AUTHENTIC);
        SignatureVerdict forged = CommitSignature.verify(KeyFile.generate().publicKeys(), c);
        assertThat(forged.accepted()).isFalse();
        assertThat(forged.reason()).contains("does not match");
    }

    @Test
    void everySignedFieldIsBound() {
        KeyFile keys = KeyFile.generate();
        SignedCheckpoint c = signed(keys, checkpoint("app", 7, Map.of("host", "a")));
        String signature = c.metadata().get(ProtectionMetadata.SIGNATURE);
        Map<String, String> changedMetadata = new HashMap<>(c.metadata());
        changedMetadata.put("host", "b");
        byte[] otherSha = c.sha256();
        otherSha[5] ^= 1;

        for (SignedCheckpoint altered : new SignedCheckpoint[] {
            new SignedCheckpoint("app2", 7, 3, 3000, c.sha256(), c.createdAtMillis(), 1024, c.metadata()),
            new SignedCheckpoint("app", 8, 3, 3000, c.sha256(), c.createdAtMillis(), 1024, c.metadata()),
            new SignedCheckpoint("app", 7, 2, 3000, c.sha256(), c.createdAtMillis(), 1024, c.metadata()),
            new SignedCheckpoint("app", 7, 3, 3001, c.sha256(), c.createdAtMillis(), 1024, c.metadata()),
            new SignedCheckpoint("app", 7, 3, 3000, otherSha, c.createdAtMillis(), 1024, c.metadata()),
            new SignedCheckpoint("app", 7, 3, 3000, c.sha256(), c.createdAtMillis() + 1, 1024, c.metadata()),
            new SignedCheckpoint("app", 7, 3, 3000, c.sha256(), c.createdAtMillis(), 1025, c.metadata()),
            c.withMetadata(changedMetadata)}) {
            assertThat(altered.metadata().get(ProtectionMetadata.SIGNATURE)).isEqualTo(signature);
            assertThat(CommitSignature.verify(keys.publicKeys(), altered).accepted()).as(altered.toString()).isFalse();
        }
    }

    @Test
    void theContentKeysAreReservedForThePublisherAndSigned() {
        assertThat(CheckpointContent.KEYS).allSatisfy(k -> assertThat(ProtectionMetadata.isReserved(k)).isTrue());
        KeyFile keys = KeyFile.generate();
        Map<String, String> metadata = new HashMap<>(new CheckpointContent(CheckpointContent.CHUNKED_V1,
                List.of(3L, 5L), 4096, "cd".repeat(32), 100, CheckpointContent.Type.FILE).toMetadata());
        metadata.put("host", "a");
        SignedCheckpoint c = signed(keys, checkpoint("app", 7, metadata));
        assertThat(CommitSignature.verify(keys.publicKeys(), c).accepted()).isTrue();

        // A server that drops a base from the list, to have it deleted early, breaks the signature.
        Map<String, String> fewerBases = new HashMap<>(c.metadata());
        fewerBases.put(CheckpointContent.BASES, "5");
        assertThat(CommitSignature.verify(keys.publicKeys(), c.withMetadata(fewerBases)).accepted()).isFalse();
    }

    @Test
    void missingMalformedAndUnknownKeySignaturesAreRejectedWithAReason() {
        KeyFile keys = KeyFile.generate();
        SignedCheckpoint c = checkpoint("app", 7, Map.of());
        assertThat(CommitSignature.verify(keys.publicKeys(), c).reason()).contains("no signature");
        assertThat(CommitSignature.verify(keys.publicKeys(),
                c.withMetadata(Map.of(ProtectionMetadata.SIGNATURE, "x:!!"))).reason()).contains("malformed");
        SignedCheckpoint byKey2 = signed(keys.rotate(), c);
        assertThat(CommitSignature.verify(keys.publicKeys(), byKey2).reason()).contains("key 2");
    }

    @Test
    void theSignerIsReadWithoutCheckingAndOnlyFromAWellFormedSignature() {
        KeyFile keys = KeyFile.generate().rotate();
        SignedCheckpoint c = checkpoint("app", 7, Map.of());
        assertThat(CommitSignature.signer(signed(keys, c).metadata())).hasValue(2);
        assertThat(CommitSignature.signer(c.metadata())).isEmpty();
        assertThat(CommitSignature.signer(Map.of(ProtectionMetadata.SIGNATURE, "x:!!"))).isEmpty();
        assertThat(CommitSignature.signer(Map.of(ProtectionMetadata.SIGNATURE, "3"))).isEmpty();
    }

    @Test
    void rotatedKeysStillVerifyWhatOlderOnesSigned() {
        KeyFile keys = KeyFile.generate();
        SignedCheckpoint old = signed(keys, checkpoint("app", 1, Map.of()));
        KeyFile rotated = keys.rotate();
        SignedCheckpoint fresh = signed(rotated, checkpoint("app", 2, Map.of()));
        assertThat(CommitSignature.verify(rotated.publicKeys(), old).reason()).isEqualTo("signed with key 1");
        assertThat(CommitSignature.verify(rotated.publicKeys(), fresh).reason()).isEqualTo("signed with key 2");
    }

    @Test
    void theKeysDirectoryChecksKeyedApplicationsOnlyAndPicksUpNewKeys() throws Exception {
        AppKeyDirectory directory = AppKeyDirectory.of(dir);
        KeyFile keys = KeyFile.generate();
        SignedCheckpoint unsigned = checkpoint("app", 1, Map.of());
        assertThat(directory.verify(unsigned).status()).isEqualTo(SignatureVerdict.Status.UNKEYED);
        assertThat(AppKeyDirectory.none().verify(unsigned).accepted()).isTrue();

        Path keyFile = dir.resolve("secret").resolve("app.key");
        Files.createDirectories(keyFile.getParent());
        keys.write(keyFile, false);
        Files.copy(KeyFile.publicFile(keyFile), dir.resolve("app.pub"));
        assertThat(directory.verify(unsigned).accepted()).isFalse();
        assertThat(directory.verify(signed(keys, unsigned)).status()).isEqualTo(SignatureVerdict.Status.AUTHENTIC);
        assertThat(directory.verify(checkpoint("other", 1, Map.of())).status())
                .isEqualTo(SignatureVerdict.Status.UNKEYED);

        KeyFile rotated = keys.rotate();
        rotated.write(keyFile, true);
        Files.writeString(dir.resolve("app.pub"), Files.readString(KeyFile.publicFile(keyFile)));
        assertThat(directory.verify(signed(rotated, unsigned)).reason()).isEqualTo("signed with key 2");

        Files.writeString(dir.resolve("app.pub"), "garbage");
        SignatureVerdict broken = directory.verify(signed(rotated, unsigned));
        assertThat(broken.accepted()).isFalse();
        assertThat(broken.reason()).contains("app.pub");
    }
}
