package io.checkstripe.e2e;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The changing checkpoints the incremental bench publishes: how an application's state file changes between two
 * checkpoints (scattered page-sized writes, a few bytes inserted that shift everything after them) and state that
 * compresses as JSON does. Seeded, so a run can be repeated byte for byte. Stateless.
 */
final class IncrementalInputs {

    /** A page: the size of each scattered write. */
    static final int WRITE_BYTES = 4096;
    /** Where {@link #insert} puts its bytes: near the start, so nearly the whole file shifts. */
    static final int INSERT_AT = 1000;
    /** How many bytes {@link #insert} adds. */
    static final int INSERT_BYTES = 100;

    private static final List<String> OWNERS = List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace",
            "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor");
    private static final List<String> STATUSES = List.of("open", "frozen", "closed", "pending", "review");
    private static final List<String> TAGS = List.of("retail", "business", "premium", "legacy", "eu", "us",
            "apac", "savings", "checking", "joint");

    private IncrementalInputs() {
    }

    /**
     * Overwrites {@code share} of the file, rounded down to whole pages, with seeded random pages at seeded random
     * offsets (they may overlap), in place; returns the number of pages written.
     */
    static int scatter(Path file, double share, long seed) throws IOException {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be from 0 to 1, got " + share);
        }
        SplittableRandom random = new SplittableRandom(seed);
        byte[] page = new byte[WRITE_BYTES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size < WRITE_BYTES) {
                throw new IllegalArgumentException(file + " is smaller than one " + WRITE_BYTES + "-byte page");
            }
            int writes = (int) (size * share / WRITE_BYTES);
            for (int i = 0; i < writes; i++) {
                random.nextBytes(page);
                long at = random.nextLong(size - WRITE_BYTES + 1);
                ByteBuffer buf = ByteBuffer.wrap(page);
                while (buf.hasRemaining()) {
                    at += channel.write(buf, at);
                }
            }
            return writes;
        }
    }

    /** Copies {@code from} to {@code to} with {@value #INSERT_BYTES} seeded bytes inserted at {@value #INSERT_AT}. */
    static Path insert(Path from, Path to, long seed) throws IOException {
        byte[] inserted = new byte[INSERT_BYTES];
        new SplittableRandom(seed).nextBytes(inserted);
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            byte[] head = in.readNBytes(INSERT_AT);
            if (head.length < INSERT_AT) {
                throw new IllegalArgumentException(from + " is shorter than " + INSERT_AT + " bytes");
            }
            out.write(head);
            out.write(inserted);
            in.transferTo(out);
        }
        return to;
    }

    /**
     * Writes at least {@code size} bytes of seeded JSON-lines account records (what an application's state looks
     * like once serialized: repeated field names, small numbers, a few distinct words), so that it compresses as
     * such state does; returns {@code target}.
     */
    static Path jsonState(Path target, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (long id = 0; written < size; id++) {
                String line = String.format(Locale.ROOT, "{\"id\":%d,\"account\":\"acct-%08d\",\"owner\":\"%s\","
                                + "\"balance\":%d.%02d,\"currency\":\"%s\",\"status\":\"%s\",\"updated\":"
                                + "\"2024-%02d-%02dT%02d:%02d:%02dZ\",\"tags\":[\"%s\",\"%s\"],\"txCount\":%d}%n",
                        id, random.nextInt(100_000_000), pick(OWNERS, random), random.nextInt(1_000_000),
                        random.nextInt(100), random.nextBoolean() ? "EUR" : "USD", pick(STATUSES, random),
                        1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60),
                        random.nextInt(60), pick(TAGS, random), pick(TAGS, random), random.nextInt(10_000));
                out.write(line);
                written += line.length();
            }
        }
        return target;
    }

    private static String pick(List<String> words, SplittableRandom random) {
        return words.get(random.nextInt(words.size()));
    }
}
