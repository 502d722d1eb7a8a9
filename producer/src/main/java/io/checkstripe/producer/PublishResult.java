package io.checkstripe.producer;

import io.checkstripe.core.AppId;
import io.checkstripe.core.CheckpointContent;
import java.time.Duration;
import java.util.Optional;

/**
 * A committed checkpoint, as the publisher reports it.
 *
 * @param appId           the application
 * @param checkpointId    the id the checkpoint was committed under
 * @param segments        number of segments (0 for an empty checkpoint)
 * @param totalBytes      the checkpoint's length
 * @param sha256          SHA-256 of the checkpoint, 64 lower-case hex digits
 * @param elapsed         from the start of the publish to the end of its commit
 * @param timeToProtected from the start of the publish until every backup server had
 *                        acknowledged it, when the publish waited for that
 * @param content         for a chunked checkpoint (directory, or published incrementally), the content it
 *                        stands for: its length and SHA-256, and how much of it was new; the fields above
 *                        then describe the delta that was sent
 */
public record PublishResult(String appId, long checkpointId, int segments, long totalBytes, String sha256,
                            Duration elapsed, Optional<Duration> timeToProtected,
                            Optional<CheckpointContent> content) {

    private static final int SHA256_HEX_DIGITS = 64;

    /** @throws IllegalArgumentException naming the bad value */
    public PublishResult {
        AppId.validate(appId);
        if (checkpointId < 0 || segments < 0 || totalBytes < 0) {
            throw new IllegalArgumentException("checkpoint id, segments and total bytes must not be negative, got "
                    + checkpointId + ", " + segments + ", " + totalBytes);
        }
        if (sha256 == null || sha256.length() != SHA256_HEX_DIGITS || !sha256.chars().allMatch(PublishResult::hexDigit)) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got " + sha256);
        }
        if (content == null) {
            throw new IllegalArgumentException("content must be present or empty, not null");
        }
        if (elapsed == null || elapsed.isNegative() || timeToProtected == null) {
            throw new IllegalArgumentException("elapsed must be a non-negative duration and timeToProtected present or "
                    + "empty, got " + elapsed + " and " + timeToProtected);
        }
    }

    /** This result with the time until it was protected. */
    public PublishResult withTimeToProtected(Duration time) {
        return new PublishResult(appId, checkpointId, segments, totalBytes, sha256, elapsed, Optional.of(time),
                content);
    }

    /** This result with the content its chunked checkpoint stands for. */
    public PublishResult withContent(CheckpointContent chunked) {
        return new PublishResult(appId, checkpointId, segments, totalBytes, sha256, elapsed, timeToProtected,
                Optional.of(chunked));
    }

    private static boolean hexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
