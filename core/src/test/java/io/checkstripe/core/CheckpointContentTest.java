package io.checkstripe.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointContentTest {

    private static final String SHA = "ab".repeat(32);

    private static Map<String, String> metadata(String bases) {
        Map<String, String> m = new HashMap<>(Map.of("host", "a", CheckpointContent.ENCODING, "chunked-v1",
                CheckpointContent.BASES, bases, CheckpointContent.BYTES, "1000", CheckpointContent.SHA256, SHA,
                CheckpointContent.NEW_BYTES, "250", CheckpointContent.TYPE, "file"));
        return m;
    }

    @Test
    void anOrdinaryCheckpointHasNoContent() {
        assertThat(CheckpointContent.from(Map.of("host", "a"))).isEmpty();
        assertThat(CheckpointContent.from(7, Map.of())).isEmpty();
    }

    @Test
    void parsesEveryFieldAndWritesThemBack() {
        CheckpointContent c = CheckpointContent.from(9, metadata("2,5,8")).orElseThrow();
        assertThat(c).isEqualTo(new CheckpointContent("chunked-v1", List.of(2L, 5L, 8L), 1000, SHA, 250,
                CheckpointContent.Type.FILE));
        assertThat(c.isIncremental()).isTrue();
        assertThat(c.sharedBytes()).isEqualTo(750);
        Map<String, String> expected = metadata("2,5,8");
        expected.remove("host");
        assertThat(c.toMetadata()).isEqualTo(expected).containsOnlyKeys(CheckpointContent.KEYS);
        assertThat(CheckpointContent.from(c.toMetadata())).contains(c);
    }

    @Test
    void emptyBasesMakeASelfContainedChunkedCheckpoint() {
        Map<String, String> m = metadata("");
        m.put(CheckpointContent.TYPE, "directory");
        m.put(CheckpointContent.NEW_BYTES, "4000");
        CheckpointContent c = CheckpointContent.from(1, m).orElseThrow();
        assertThat(c.bases()).isEmpty();
        assertThat(c.isIncremental()).isFalse();
        assertThat(c.type()).isEqualTo(CheckpointContent.Type.DIRECTORY);
        assertThat(c.sharedBytes()).as("clamped at 0").isZero();
        assertThat(c.toMetadata()).containsEntry(CheckpointContent.BASES, "");
    }

    @Test
    void theHashIsKeptLowerCase() {
        Map<String, String> m = metadata("1");
        m.put(CheckpointContent.SHA256, SHA.toUpperCase());
        assertThat(CheckpointContent.from(m).orElseThrow().sha256()).isEqualTo(SHA);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3,2", "2,2", "1,,2", "-1", "1,", ",1", "+1", "01", "1 ,2", "x", "99999999999999999999"})
    void malformedBasesAreRefusedNamingTheValue(String bases) {
        assertThatThrownBy(() -> CheckpointContent.from(metadata(bases))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bases");
    }

    @Test
    void basesMustBeOlderThanTheCheckpoint() {
        assertThat(CheckpointContent.from(6, metadata("2,5"))).isPresent();
        assertThatThrownBy(() -> CheckpointContent.from(5, metadata("2,5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkpoint 5")
                .hasMessageContaining("[2, 5]");
    }

    @Test
    void everyOtherFieldIsCheckedToo() {
        for (var bad : Map.of(CheckpointContent.ENCODING, "chunked-v2", CheckpointContent.BYTES, "-1",
                CheckpointContent.NEW_BYTES, "ten", CheckpointContent.SHA256, "abc", CheckpointContent.TYPE, "pipe")
                .entrySet()) {
            Map<String, String> m = metadata("1");
            m.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> CheckpointContent.from(m)).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.getValue());
        }
        for (String key : CheckpointContent.KEYS.subList(1, CheckpointContent.KEYS.size())) {
            Map<String, String> m = metadata("1");
            m.remove(key);
            assertThatThrownBy(() -> CheckpointContent.from(m)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key + " is missing");
        }
    }

    @Test
    void closesOverBasesOfBases() {
        Map<Long, List<Long>> bases = Map.of(9L, List.of(7L), 7L, List.of(4L, 6L), 6L, List.of(4L), 4L, List.of(),
                3L, List.of(1L), 2L, List.of(9L));
        assertThat(CheckpointContent.closeOverBases(List.of(9L), id -> bases.getOrDefault(id, List.of())))
                .containsExactly(4L, 6L, 7L);
        assertThat(CheckpointContent.closeOverBases(List.of(9L, 7L, 3L), id -> bases.getOrDefault(id, List.of())))
                .as("a root reached from another root is a base").containsExactly(1L, 4L, 6L, 7L);
        assertThat(CheckpointContent.closeOverBases(List.of(5L), id -> bases.getOrDefault(id, List.of()))).isEmpty();
        Map<Long, List<Long>> cycle = Map.of(1L, List.of(2L), 2L, List.of(1L));
        assertThat(CheckpointContent.closeOverBases(List.of(1L), cycle::get)).containsExactly(1L, 2L);
    }
}
