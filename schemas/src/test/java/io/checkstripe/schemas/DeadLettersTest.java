package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheRecordsHeadersFirstAndAddsWhyAndWhere() {
        Headers original = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));

        Headers headers = DeadLetters.headers(original, DeadLetterReason.SEGMENT_OUT_OF_ORDER, "checkpoints", 3, 42L,
                "java.lang.IllegalStateException: gap");

        assertThat(headers.toArray()).extracting(Header::key).containsExactly("trace", Topics.DLQ_REASON_HEADER,
                Topics.DLQ_TOPIC_HEADER, Topics.DLQ_PARTITION_HEADER, Topics.DLQ_OFFSET_HEADER,
                Topics.DLQ_EXCEPTION_HEADER);
        assertThat(headers.toArray()).extracting(DeadLettersTest::text).containsExactly("t-1", "segment-out-of-order",
                "checkpoints", "3", "42", "java.lang.IllegalStateException: gap");
        assertThat(original.toArray()).hasSize(1);
    }

    @Test
    void factsOfARefusalFollowInTheirOrder() {
        RejectedRecordException refusal = new RejectedRecordException(DeadLetterReason.POLICY_NOT_ALLOWED,
                "RS-10-4 is not allowed", null, Map.of(Topics.DLQ_POLICY_HEADER, "RS-10-4"));

        Headers headers = DeadLetters.headers(new RecordHeaders(), refusal.reason(), "checkpoints", 0, 7L,
                refusal.describe(), refusal.headers());

        assertThat(headers.toArray()).extracting(Header::key).endsWith(Topics.DLQ_EXCEPTION_HEADER,
                Topics.DLQ_POLICY_HEADER);
        assertThat(text(headers.lastHeader(Topics.DLQ_POLICY_HEADER))).isEqualTo("RS-10-4");
        assertThat(text(headers.lastHeader(Topics.DLQ_REASON_HEADER))).isEqualTo("policy-not-allowed");
        assertThat(refusal.headers()).containsExactly(Map.entry(Topics.DLQ_POLICY_HEADER, "RS-10-4"));
    }

    @Test
    void aConsumedRecordGivesItsOwnTopicPartitionAndOffset() {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("stripes", 2, 17L, new byte[] {1}, null);

        Headers headers = DeadLetters.headers(record, DeadLetterReason.NULL_VALUE, "tombstone");

        assertThat(text(headers.lastHeader(Topics.DLQ_REASON_HEADER))).isEqualTo("null-value");
        assertThat(text(headers.lastHeader(Topics.DLQ_TOPIC_HEADER))).isEqualTo("stripes");
        assertThat(text(headers.lastHeader(Topics.DLQ_PARTITION_HEADER))).isEqualTo("2");
        assertThat(text(headers.lastHeader(Topics.DLQ_OFFSET_HEADER))).isEqualTo("17");
        assertThat(text(headers.lastHeader(Topics.DLQ_EXCEPTION_HEADER))).isEqualTo("tombstone");
    }

    @Test
    void reasonCodesAreTheStableWordsToolsFilterOn() {
        assertThat(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code)).containsExactly(
                "unreadable", "null-value", "unsupported-format-version", "invalid-app-id", "invalid-record",
                "key-mismatch", "segment-too-long", "stale-checkpoint", "duplicate-segment", "segment-out-of-order",
                "commit-mismatch", "commit-without-segments", "sha256-mismatch", "policy-not-allowed",
                "too-few-servers", "policy-mismatch", "misrouted", "corrupt-cell", "conflict", "bad-signature");
        assertThat(DeadLetterReason.CORRUPT_CELL).hasToString("corrupt-cell");
    }
}
