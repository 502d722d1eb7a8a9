package io.checkstripe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void aHealthyAnswerIs200WithTheStateFirstAndTheDetailsInOrder() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("serverIndex", 2);
        details.put("lag", 0L);
        Health h = Health.healthy("RUNNING", details);
        assertThat(h.httpStatus()).isEqualTo(200);
        assertThat(h.fields()).containsExactly(Map.entry("state", "RUNNING"), Map.entry("healthy", true),
                Map.entry("serverIndex", 2), Map.entry("lag", 0L));
    }

    @Test
    void anUnhealthyAnswerIs503AndSaysWhy() {
        Health h = Health.unhealthy("STALLED", "the disk is full", Map.of());
        assertThat(h.httpStatus()).isEqualTo(503);
        assertThat(h.fields()).containsEntry("reason", "the disk is full").containsEntry("healthy", false);
    }

    @Test
    void aReasonIsGivenExactlyWhenUnhealthy() {
        assertThatThrownBy(() -> new Health("RUNNING", true, "why", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Health("STALLED", false, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
