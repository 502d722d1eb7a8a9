package io.checkstripe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    @TempDir
    Path dir;

    @Test
    void writesAnOwnerOnlyKeyFileAndItsPublicKeysAndReadsThemBack() throws Exception {
        KeyFile keys = KeyFile.generate();
        Path file = dir.resolve("app.key");
        keys.write(file, false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        KeyFile read = KeyFile.read(file);
        assertThat(read.newest().id()).isEqualTo(1);
        assertThat(read.newest().encryption().getEncoded()).isEqualTo(keys.newest().encryption().getEncoded());
        assertThat(read.newest().signing().getEncoded()).isEqualTo(keys.newest().signing().getEncoded());

        PublicKeys pub = PublicKeys.read(KeyFile.publicFile(file));
        assertThat(pub.keys().keySet()).containsExactly(1);
        assertThat(pub.key(1).orElseThrow().getEncoded()).isEqualTo(keys.newest().verifying().getEncoded());
        assertThat(Files.readString(KeyFile.publicFile(file))).doesNotContain(
                Base64.getEncoder().encodeToString(keys.newest().signing().getEncoded()));
    }

    @Test
    void refusesToOverwriteAKeyFileUnlessAskedTo() throws Exception {
        Path file = dir.resolve("app.key");
        KeyFile.generate().write(file, false);
        assertThatThrownBy(() -> KeyFile.generate().write(file, false)).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void rotationKeepsOldKeysAndMakesTheNewOneNewest() throws Exception {
        KeyFile first = KeyFile.generate();
        KeyFile rotated = first.rotate().rotate();
        Path file = dir.resolve("app.key");
        rotated.write(file, false);

        KeyFile read = KeyFile.read(file);
        assertThat(read.keys()).extracting(AppKey::id).containsExactly(1, 2, 3);
        assertThat(read.newest().id()).isEqualTo(3);
        assertThat(read.key(1).orElseThrow().encryption().getEncoded()).isEqualTo(first.newest().encryption().getEncoded());
        assertThat(PublicKeys.read(KeyFile.publicFile(file)).keys().keySet()).containsExactly(1, 2, 3);
    }

    @Test
    void malformedFilesAreNamedAndTheirContentNeverShown() throws Exception {
        Path file = dir.resolve("bad.key");
        assertThatThrownBy(() -> KeyFile.read(file)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("no such file");

        Files.writeString(file, "hello=world\n");
        assertThatThrownBy(() -> KeyFile.read(file)).hasMessageContaining("not a checkstripe key file");

        KeyFile.generate().write(file, true);
        String text = Files.readString(file);
        String secret = text.lines().filter(l -> l.startsWith("key.1.aes-256=")).findFirst().orElseThrow();
        Files.writeString(file, text.replace(secret, "key.1.aes-256=c2hvcnQ="));
        assertThatThrownBy(() -> KeyFile.read(file)).hasMessageContaining("not 32 bytes");

        KeyFile other = KeyFile.generate();
        String otherPublic = Base64.getEncoder().encodeToString(other.newest().verifying().getEncoded());
        Files.writeString(file, text.replaceAll("key\\.1\\.ed25519-public=.*", "key.1.ed25519-public=" + otherPublic));
        assertThatThrownBy(() -> KeyFile.read(file)).hasMessageContaining("does not match")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret.substring(14)));

        assertThatThrownBy(() -> PublicKeys.read(file)).hasMessageContaining("is not checkstripe-public-keys-v1");
    }

    @Test
    void toStringShowsKeyIdsOnly() {
        KeyFile keys = KeyFile.generate();
        String secret = Base64.getEncoder().encodeToString(keys.newest().encryption().getEncoded());
        assertThat(keys.toString()).isEqualTo("KeyFile[1]");
        assertThat(keys.newest().toString()).doesNotContain(secret).startsWith("AppKey[id=1");
    }
}
