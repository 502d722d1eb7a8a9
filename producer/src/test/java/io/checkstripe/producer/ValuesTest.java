package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The value types' validation and messages. */
class ValuesTest {

    private static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void requestValidatesTheAppIdBeforeAnythingElse() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "x".repeat(129)}) {
            assertThatThrownBy(() -> PublishRequest.of(bad)).as("app id %s", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid application id");
        }
        assertThatThrownBy(() -> PublishRequest.of(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublishRequest.of("app").withCheckpointId(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void requestCopiesItsMetadataAndRefusesNulls() {
        Map<String, String> metadata = new HashMap<>(Map.of("version", "1.2"));
        PublishRequest request = PublishRequest.of("app").withMetadata(metadata).withCheckpointId(5)
                .withWaitProtected(true);
        metadata.put("later", "x");

        assertThat(request.metadata()).containsExactly(Map.entry("version", "1.2"));
        assertThat(request.checkpointId()).isEqualTo(OptionalLong.of(5));
        assertThat(request.waitProtected()).isTrue();
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);
        assertThatThrownBy(() -> PublishRequest.of("app").withMetadata(withNull))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k=null");
    }

    @Test
    void resultChecksItsFields() {
        PublishResult result = new PublishResult("app", 3, 0, 0, SHA, Duration.ofMillis(5), Optional.empty(), Optional.empty());
        assertThat(result.withTimeToProtected(Duration.ofSeconds(1)).timeToProtected())
                .contains(Duration.ofSeconds(1));

        assertThatThrownBy(() -> new PublishResult("app", 3, 0, 0, SHA.toUpperCase(), Duration.ZERO, Optional.empty(),
                Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hex");
        assertThatThrownBy(() -> new PublishResult("app", -3, 0, 0, SHA, Duration.ZERO, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
    }

    @Test
    void notProtectedNamesTheMissingServers() {
        NotProtectedException e = new NotProtectedException("app", 7, OptionalInt.of(5),
                new TreeSet<>(List.of(0, 2, 4)), Duration.ofSeconds(3), "checkpoint-manifests");

        assertThat(e.missing()).containsExactly(1, 3);
        assertThat(e.acked()).containsExactly(0, 2, 4);
        assertThat(e).hasMessageContaining("checkpoint 7 of application app")
                .hasMessageContaining("servers [1, 3] of 5 have not acknowledged it")
                .hasMessageContaining("3000 ms");
    }

    @Test
    void notProtectedWithoutAManifestSaysSo() {
        NotProtectedException e = new NotProtectedException("app", 7, OptionalInt.empty(), new TreeSet<>(),
                Duration.ofSeconds(1), "checkpoint-manifests");

        assertThat(e.servers()).isEmpty();
        assertThat(e.missing()).isEmpty();
        assertThat(e).hasMessageContaining("no manifest").hasMessageContaining("checkpoint-manifests");
    }
}
