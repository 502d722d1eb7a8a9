package io.checkstripe.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AppIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "billing-service", "app_1.2-rc", "...", ".hidden", "a..b", "-x-", "_"})
    void acceptsIdsOfTheAllowedCharacters(String id) {
        assertThat(AppId.validate(id)).isSameAs(id);
        assertThat(AppId.isValid(id)).isTrue();
        assertThat(new AppId(id).value()).isEqualTo(id);
        assertThat(AppId.of(id).toString()).isEqualTo(id);
    }

    @Test
    void accepts128CharactersAndRejects129() {
        String max = "a".repeat(AppId.MAX_LENGTH);
        assertThat(AppId.validate(max)).isEqualTo(max);
        assertThatThrownBy(() -> AppId.validate(max + "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(129 characters)")
                .hasMessageContaining(AppId.RULE);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {".", "..", "a/b", "/", "../etc", "a\\b", "a b", " a", "caf\u00e9", "\u0430pp", "a\u0000",
            "tab\t", "a:b", "a*", "appé"})
    void rejectsIdsThatCannotBeSafeDirectoryNames(String id) {
        assertThat(AppId.isValid(id)).isFalse();
        assertThatThrownBy(() -> AppId.validate(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid application id ")
                .hasMessageContaining("must match " + AppId.RULE);
        assertThatThrownBy(() -> new AppId(id)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messageNamesTheBadIdWithUnprintableCharactersEscaped() {
        assertThatThrownBy(() -> AppId.validate("a/b")).hasMessageContaining("\"a/b\"");
        assertThatThrownBy(() -> AppId.validate("caf\u00e9")).hasMessageContaining("\"caf\\u00e9\"");
        assertThatThrownBy(() -> AppId.validate("..")).hasMessageContaining("\"..\"");
        assertThatThrownBy(() -> AppId.validate("")).hasMessageContaining("\"\" (0 characters)");
        assertThatThrownBy(() -> AppId.validate(null)).hasMessageContaining("id null");
        assertThat(AppId.describe("billing")).isEqualTo("\"billing\"");
        assertThat(AppId.describe("a\"b")).isEqualTo("\"a\\u0022b\"");
    }

    @Test
    void messageOfA300CharacterIdIsCutShortButGivesTheLength() {
        String id = "x".repeat(300);
        assertThatThrownBy(() -> AppId.validate(id))
                .hasMessageContaining("\"" + "x".repeat(64) + "...\" (300 characters)")
                .hasMessageNotContaining("x".repeat(65));
    }
}
