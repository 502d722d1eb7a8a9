package io.checkstripe.codec;

/**
 * Decode plans by erasure pattern, so that decoding a pattern seen before allocates nothing and
 * inverts no matrix. Reads are lock-free (open addressing in an array published through a
 * volatile field); inserts copy the array under a lock, which is cheap because a stripe has few
 * patterns in practice. Thread-safe.
 *
 * <p>Limits: at most {@link #MAX_PLANS} patterns and {@link #MAX_TABLE_BYTES} of product
 * tables (K KiB per plan and group of four rebuilt cells, plus K x 128 bytes per rebuilt cell
 * on the vector kernel) are kept. A code that meets more distinct patterns than that still
 * decodes correctly, but computes (and allocates) the plan of each pattern beyond the limit on
 * every call. RS-10-4 has 1,470 patterns of 1 to 4 losses, at most 15 KiB each, so all of them
 * fit.
 */
final class DecodePlanCache {

    static final int MAX_PLANS = 4096;
    static final long MAX_TABLE_BYTES = 32L << 20;

    /** Power-of-two table, at most half full, so every probe ends at a null slot. */
    private volatile DecodePlan[] table = new DecodePlan[16];
    private int size;
    private long tableBytes;

    DecodePlan get(boolean[] present, boolean[] wanted) {
        DecodePlan[] t = table;
        int mask = t.length - 1;
        for (int i = DecodePlan.hash(present, wanted) & mask; ; i = (i + 1) & mask) {
            DecodePlan plan = t[i];
            if (plan == null || plan.matches(present, wanted)) {
                return plan;
            }
        }
    }

    synchronized void put(DecodePlan plan) {
        long bytes = plan.rows.tableBytes();
        if (size >= MAX_PLANS || tableBytes + bytes > MAX_TABLE_BYTES) {
            return;
        }
        DecodePlan[] old = table;
        int capacity = old.length;
        if ((size + 1) * 2 > capacity) {
            capacity *= 2;
        }
        DecodePlan[] t = new DecodePlan[capacity];
        for (DecodePlan p : old) {
            if (p != null) {
                insert(t, p);
            }
        }
        if (insert(t, plan)) {
            size++;
            tableBytes += bytes;
        }
        table = t;
    }

    synchronized int size() {
        return size;
    }

    synchronized long tableBytes() {
        return tableBytes;
    }

    /** Inserts unless an equal pattern is there (another thread may have added it first). */
    private static boolean insert(DecodePlan[] t, DecodePlan plan) {
        int mask = t.length - 1;
        for (int i = plan.hash() & mask; ; i = (i + 1) & mask) {
            DecodePlan existing = t[i];
            if (existing == null) {
                t[i] = plan;
                return true;
            }
            if (existing.matches(plan)) {
                return false;
            }
        }
    }
}
