package io.checkstripe.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a dead letter, written the same way by every job that refuses records: the
 * refused record keeps its key, value and headers, and gains the {@code Topics.DLQ_*_HEADER}
 * headers saying why ({@link DeadLetterReason#code()}) and where it came from, all UTF-8 text.
 * Stateless and thread-safe.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * The record's own headers (copied, {@code original} is not changed) followed by the
     * dead-letter headers.
     *
     * @param original  the refused record's headers
     * @param reason    why it was refused
     * @param topic     the topic it came from
     * @param partition its partition there, -1 when unknown
     * @param offset    its offset there, -1 when unknown
     * @param exception the exception that refused it, as the job describes it (class and message)
     */
    public static Headers headers(Headers original, DeadLetterReason reason, String topic, int partition,
            long offset, String exception) {
        return headers(original, reason, topic, partition, offset, exception, Map.of());
    }

    /**
     * As {@link #headers(Headers, DeadLetterReason, String, int, long, String)}, then {@code facts}, the
     * headers a refusal adds ({@link RejectedRecordException#headers()}), in their order.
     */
    public static Headers headers(Headers original, DeadLetterReason reason, String topic, int partition,
            long offset, String exception, Map<String, String> facts) {
        Headers headers = new RecordHeaders(original.toArray());
        headers.add(Topics.DLQ_REASON_HEADER, utf8(reason.code()));
        headers.add(Topics.DLQ_TOPIC_HEADER, utf8(topic));
        headers.add(Topics.DLQ_PARTITION_HEADER, utf8(Integer.toString(partition)));
        headers.add(Topics.DLQ_OFFSET_HEADER, utf8(Long.toString(offset)));
        headers.add(Topics.DLQ_EXCEPTION_HEADER, utf8(exception));
        facts.forEach((name, value) -> headers.add(name, utf8(value)));
        return headers;
    }

    /** The dead-letter headers of a consumed record, from its topic, partition, offset and headers. */
    public static Headers headers(ConsumerRecord<?, ?> record, DeadLetterReason reason, String exception) {
        return headers(record.headers(), reason, record.topic(), record.partition(), record.offset(), exception);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
