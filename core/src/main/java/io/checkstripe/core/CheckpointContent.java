package io.checkstripe.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * What an application's content is when a checkpoint stores it chunked: the checkpoint's own bytes are then only a
 * delta (the chunks new since an earlier checkpoint, and a recipe), and its recipe may read from the deltas of
 * earlier checkpoints of the same application, its <em>bases</em>. The publisher writes these fields as reserved
 * metadata keys into the commit, so every manifest carries them and the commit's signature covers them; servers
 * need them to keep the bases of what they keep, and a restore to know which checkpoints it needs.
 *
 * <p>Bases are direct: a checkpoint lists every checkpoint it reads from. Readers still close over bases of bases
 * ({@link #closeOverBases}) so that a publisher that one day lists only the nearest base loses nothing.
 *
 * <p>A checkpoint without {@link #ENCODING} is an ordinary one: its bytes are the application's content.
 * Immutable and thread-safe.
 *
 * @param encoding    how the content is cut and described, {@value #CHUNKED_V1}
 * @param bases       the checkpoints whose deltas the recipe reads from: ascending, distinct, not negative
 * @param bytes       the application's content length: what a restore yields
 * @param sha256      SHA-256 of that content, 64 lowercase hex digits
 * @param newBytes    raw bytes of the chunks stored first in this checkpoint's own delta
 * @param type        whether the content is one file or a directory tree
 */
public record CheckpointContent(String encoding, List<Long> bases, long bytes, String sha256, long newBytes,
        Type type) {

    /** The content's encoding; absent for an ordinary checkpoint. */
    public static final String ENCODING = "checkstripe.content.encoding";
    /** Comma-separated ascending decimal ids of the bases; may be empty. */
    public static final String BASES = "checkstripe.content.bases";
    /** The application's content length, decimal. */
    public static final String BYTES = "checkstripe.content.bytes";
    /** Hex SHA-256 of the content. */
    public static final String SHA256 = "checkstripe.content.sha256";
    /** Raw bytes of the chunks this checkpoint stored first, decimal. */
    public static final String NEW_BYTES = "checkstripe.content.new-bytes";
    /** {@code file} or {@code directory}. */
    public static final String TYPE = "checkstripe.content.type";
    /** Every key above, in the order {@link #toMetadata()} writes them. */
    public static final List<String> KEYS = List.of(ENCODING, BASES, BYTES, SHA256, NEW_BYTES, TYPE);

    /** The one encoding so far: content-defined chunks, a recipe, deltas. */
    public static final String CHUNKED_V1 = "chunked-v1";

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** What the content is. */
    public enum Type {
        FILE, DIRECTORY;

        /** The metadata value: {@code file} or {@code directory}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for any other value */
        public static Type of(String key) {
            for (Type t : values()) {
                if (t.key().equals(key)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("content type " + key + " is neither file nor directory");
        }
    }

    /** @throws IllegalArgumentException naming the first bad field and its value */
    public CheckpointContent {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sha256, "sha256");
        if (!encoding.equals(CHUNKED_V1)) {
            throw new IllegalArgumentException("content encoding " + encoding + " is not supported (only "
                    + CHUNKED_V1 + ")");
        }
        bases = List.copyOf(bases);
        long previous = -1;
        for (long base : bases) {
            if (base <= previous) {
                throw new IllegalArgumentException("content bases " + bases + " are not ascending, distinct and "
                        + "not negative");
            }
            previous = base;
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("content bytes " + bytes + " is negative");
        }
        if (newBytes < 0) {
            throw new IllegalArgumentException("content new bytes " + newBytes + " is negative");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!HEX_SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("content sha256 " + sha256 + " is not 64 hex digits");
        }
    }

    /**
     * The content a checkpoint's metadata describes, or empty for an ordinary checkpoint (no {@link #ENCODING}).
     *
     * @throws IllegalArgumentException naming the key and value when a field is missing or malformed
     */
    public static Optional<CheckpointContent> from(Map<String, String> metadata) {
        String encoding = metadata.get(ENCODING);
        if (encoding == null) {
            return Optional.empty();
        }
        String bases = required(metadata, BASES);
        List<Long> ids = new ArrayList<>();
        if (!bases.isEmpty()) {
            for (String id : bases.split(",", -1)) {
                ids.add(decimal(BASES, id));
            }
        }
        return Optional.of(new CheckpointContent(encoding, ids, decimal(BYTES, required(metadata, BYTES)),
                required(metadata, SHA256), decimal(NEW_BYTES, required(metadata, NEW_BYTES)),
                Type.of(required(metadata, TYPE))));
    }

    /**
     * As {@link #from(Map)} for checkpoint {@code checkpointId}, whose bases must all be older than itself.
     *
     * @throws IllegalArgumentException also when a base is not smaller than {@code checkpointId}
     */
    public static Optional<CheckpointContent> from(long checkpointId, Map<String, String> metadata) {
        Optional<CheckpointContent> content = from(metadata);
        content.ifPresent(c -> {
            if (!c.bases.isEmpty() && c.bases.get(c.bases.size() - 1) >= checkpointId) {
                throw new IllegalArgumentException("content bases " + c.bases + " of checkpoint " + checkpointId
                        + " are not all older than it");
            }
        });
        return content;
    }

    /** The metadata entries that describe this content, every key of {@link #KEYS}. */
    public Map<String, String> toMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ENCODING, encoding);
        metadata.put(BASES, String.join(",", bases.stream().map(String::valueOf).toList()));
        metadata.put(BYTES, Long.toString(bytes));
        metadata.put(SHA256, sha256);
        metadata.put(NEW_BYTES, Long.toString(newBytes));
        metadata.put(TYPE, type.key());
        return metadata;
    }

    /** Content bytes this checkpoint's delta does not hold itself: read from its bases or repeated within it. */
    public long sharedBytes() {
        return Math.max(0, bytes - newBytes);
    }

    /** Whether the checkpoint reads from earlier ones, so that it restores only while they do. */
    public boolean isIncremental() {
        return !bases.isEmpty();
    }

    /**
     * Every checkpoint reachable from {@code roots} through bases, bases of bases and so on, ascending; a root is
     * in it only when another root reaches it. Ids {@code directBases} knows nothing of (it returns an empty list)
     * end a chain; cycles, which valid metadata cannot form, end where they close.
     *
     * @param directBases the bases a checkpoint lists itself, empty for an ordinary or unknown checkpoint
     */
    public static NavigableSet<Long> closeOverBases(Collection<Long> roots, LongFunction<List<Long>> directBases) {
        NavigableSet<Long> reached = new TreeSet<>();
        Deque<Long> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            for (long base : directBases.apply(pending.pop())) {
                if (reached.add(base)) {
                    pending.push(base);
                }
            }
        }
        return reached;
    }

    private static String required(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("metadata " + ENCODING + " is set but " + key + " is missing");
        }
        return value;
    }

    private static long decimal(String key, String value) {
        if (!DECIMAL.matcher(value).matches()) {
            throw new IllegalArgumentException("metadata " + key + " holds " + value + ", not a decimal number");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + key + " holds " + value + ", beyond a long", e);
        }
    }
}
